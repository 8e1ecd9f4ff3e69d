import { describe, expect, it } from 'vitest'
import { chat, connection, outbox } from '../../../slices/actions'
import { createDirectReducer, type DirectSliceState } from '../../../slices/directSlice'
import type { DirectMessage } from '../../../slices/types'
import { createRealtimeReducer } from '../../../slices/realtimeReducer'
import { T0, dm, dmEcho, dmEntry, entry, error, reduce } from './fixtures'

const reducer = createDirectReducer({ maxMessagesPerRoom: 1000 })

const opened = (userId = 'alice') =>
  connection.opened({ userId, sessionId: 's', epoch: 'e', at: T0 })
const received = (...messages: DirectMessage[]) => chat.directMessagesReceived({ messages, at: T0 })

function conversation(state: DirectSliceState, peer: string): DirectMessage[] {
  const list = Object.hasOwn(state.byPeer, peer) ? state.byPeer[peer] : undefined
  if (!list) throw new Error(`no conversation with ${peer}`)
  return list
}

describe('direct messages reducer', () => {
  it('files an incoming message under its sender and an own one (from another device) under data.to', () => {
    const state = reduce(reducer, [
      opened(),
      received(dm(1, 'bob', 'alice'), dm(2, 'alice', 'carol'), dm(3, 'bob', 'alice')),
    ])
    expect(Object.keys(state.byPeer).sort()).toEqual(['bob', 'carol'])
    expect(conversation(state, 'bob').map((m) => m.id)).toEqual(['dm-1', 'dm-3'])
    expect(conversation(state, 'carol').map((m) => m.id)).toEqual(['dm-2'])
  })

  it('puts restored messages before those queued since the reload, in their order', () => {
    const state = reduce(reducer, [
      opened(),
      received(dm(1, 'bob', 'alice')),
      outbox.enqueued({ entry: dmEntry('new', 'bob') }),
      outbox.restored({ entries: [dmEntry('old-1', 'bob'), dmEntry('old-2', 'bob')] }),
    ])
    expect(conversation(state, 'bob').map((m) => m.id)).toEqual(['dm-1', 'old-1', 'old-2', 'new'])
  })

  it("never takes another author's message with the same id for its own pending one", () => {
    const state = reduce(reducer, [
      opened(),
      outbox.enqueued({ entry: dmEntry('same', 'bob') }),
      received({ ...dm(1, 'bob', 'alice'), id: 'same' }),
    ])
    expect(conversation(state, 'bob').map((m) => [m.userId, m.id, m.status])).toEqual([
      ['bob', 'same', undefined],
      ['alice', 'same', 'pending'],
    ])
  })

  it('shows an own message as pending under its addressee as soon as it is enqueued', () => {
    const mine = dmEntry('mine-1', 'bob')
    const state = reduce(reducer, [opened(), outbox.enqueued({ entry: mine })])
    expect(conversation(state, 'bob')).toEqual([
      {
        id: 'mine-1',
        type: 'direct_message',
        timestamp: T0,
        userId: 'alice',
        data: { to: 'bob', content: 'mine-1' },
        status: 'pending',
      },
    ])
  })

  it('replaces an own pending message exactly once by its echo, sent and in stream order, other pending ones staying last', () => {
    const mine = dmEntry('mine-1', 'bob')
    const later = dmEntry('mine-2', 'bob')
    const state = reduce(reducer, [
      opened(),
      outbox.enqueued({ entry: mine }),
      outbox.enqueued({ entry: later }),
      received(dm(1, 'bob', 'alice'), dmEcho(mine, 2)),
      received(dmEcho(mine, 2)),
      received(dm(3, 'bob', 'alice')),
    ])
    expect(conversation(state, 'bob').map((m) => [m.id, m.seq, m.status])).toEqual([
      ['dm-1', 1, undefined],
      ['mine-1', 2, 'sent'],
      ['dm-3', 3, undefined],
      ['mine-2', undefined, 'pending'],
    ])
  })

  it('marks an own message sent on its ack and failed, with the error, on a failure', () => {
    const acked = dmEntry('acked', 'bob')
    const refused = dmEntry('refused', 'bob')
    const forbidden = error('FORBIDDEN')
    const state = reduce(reducer, [
      opened(),
      outbox.enqueued({ entry: acked }),
      outbox.enqueued({ entry: refused }),
      outbox.acked({ acks: [{ refId: 'acked', seq: 4 }], at: T0 }),
      outbox.failed({ failures: [{ id: 'refused', error: forbidden }] }),
    ])
    expect(conversation(state, 'bob').map((m) => [m.id, m.status])).toEqual([
      ['acked', 'sent'],
      ['refused', 'failed'],
    ])
    expect(conversation(state, 'bob')[1]?.error).toEqual(forbidden)
  })

  it("settles a DM by its ack on the private stream, never by a room's ack or failure with the same id", () => {
    const state = reduce(reducer, [
      opened(),
      outbox.enqueued({ entry: dmEntry('x', 'bob') }),
      outbox.failed({ failures: [{ id: 'x', error: error('FORBIDDEN') }] }),
      // The id is free again once the outbox let it go: a chat message may reuse it.
      outbox.acked({ acks: [{ refId: 'x', seq: 1, room: 'general' }], at: T0 }),
      outbox.failed({ failures: [{ id: 'x', room: 'general', error: error('NOT_JOINED') }] }),
      outbox.enqueued({ entry: dmEntry('y', 'bob') }),
      outbox.acked({ acks: [{ refId: 'y', seq: 2, room: 'user:alice' }], at: T0 }),
    ])
    expect(conversation(state, 'bob').map((m) => [m.id, m.status, m.error?.code])).toEqual([
      ['x', 'failed', 'FORBIDDEN'],
      ['y', 'sent', undefined],
    ])
  })

  it('does not let an ack or failure touch a confirmed message with the same id', () => {
    const before = reduce(reducer, [opened(), received(dm(1, 'bob', 'alice', 'x'))])
    const after = reduce(
      reducer,
      [
        outbox.acked({ acks: [{ refId: 'x' }], at: T0 }),
        outbox.failed({ failures: [{ id: 'x', error: error('FORBIDDEN') }] }),
      ],
      before,
    )
    expect(after).toBe(before)
  })

  it('keeps a message that overflowed the outbox as failed, and restored ones as pending', () => {
    const full = error('QUEUE_FULL')
    const state = reduce(reducer, [
      opened(),
      outbox.overflowed({ entry: dmEntry('lost', 'bob'), error: full }),
      outbox.restored({ entries: [dmEntry('kept', 'carol')] }),
    ])
    expect(conversation(state, 'bob')).toMatchObject([
      { id: 'lost', status: 'failed', error: full },
    ])
    expect(conversation(state, 'carol')).toMatchObject([{ id: 'kept', status: 'pending' }])
  })

  it('ignores a message whose id it already holds', () => {
    const first = reduce(reducer, [opened(), received(dm(1, 'bob', 'alice'))])
    const again = reduce(reducer, [received(dm(1, 'bob', 'alice'), dm(2, 'bob', 'alice'))], first)
    expect(conversation(again, 'bob').map((m) => m.id)).toEqual(['dm-1', 'dm-2'])
  })

  it('ignores a repeated id within one burst', () => {
    const state = reduce(reducer, [
      opened(),
      received(dm(1, 'bob', 'alice'), dm(1, 'bob', 'alice')),
    ])
    expect(conversation(state, 'bob').map((m) => m.id)).toEqual(['dm-1'])
  })

  it('does not add an own message twice when it is enqueued and restored', () => {
    const mine = dmEntry('mine-1', 'bob')
    const state = reduce(reducer, [
      outbox.enqueued({ entry: mine }),
      outbox.restored({ entries: [mine] }),
    ])
    expect(conversation(state, 'bob').map((m) => m.id)).toEqual(['mine-1'])
  })

  it('keeps at most maxMessagesPerRoom messages per conversation, dropping the oldest', () => {
    const small = createDirectReducer({ maxMessagesPerRoom: 3 })
    const state = reduce(small, [
      opened(),
      received(...[1, 2, 3, 4].map((seq) => dm(seq, 'bob', 'alice'))),
      received(dm(5, 'bob', 'alice'), dm(6, 'carol', 'alice')),
    ])
    expect(conversation(state, 'bob').map((m) => m.seq)).toEqual([3, 4, 5])
    expect(conversation(state, 'carol').map((m) => m.seq)).toEqual([6])
  })

  it('keeps a conversation with a peer named like an Object.prototype member apart', () => {
    const state = reduce(reducer, [opened(), received(dm(1, 'toString', 'alice'))])
    expect(Object.keys(state.byPeer)).toEqual(['toString'])
    expect(conversation(state, 'toString').map((m) => m.id)).toEqual(['dm-1'])
  })

  describe('what an action that touches no direct message costs', () => {
    it('leaves state.direct the same object through a chat send and its ack, and for a burst it already holds', () => {
      const store = createRealtimeReducer({ maxMessagesPerRoom: 100, maxNotifications: 100 })
      const before = reduce(store, [
        opened(),
        received(dm(1, 'bob', 'alice'), dm(2, 'carol', 'alice'), dm(3, 'alice', 'dave')),
        outbox.enqueued({ entry: dmEntry('waiting', 'bob') }),
      ])
      const sent = store(before, outbox.enqueued({ entry: entry('general', 'chat-1') }))
      const acked = store(
        sent,
        outbox.acked({ acks: [{ refId: 'chat-1', seq: 1, room: 'general' }], at: T0 }),
      )
      expect(acked.chat).not.toBe(before.chat)
      expect(sent.direct).toBe(before.direct)
      expect(acked.direct).toBe(before.direct)
      const again = store(acked, received(dm(1, 'bob', 'alice'), dm(3, 'alice', 'dave')))
      expect(again.direct).toBe(before.direct)
      // A burst for one conversation leaves the others' arrays as they were.
      const next = store(again, received(dm(4, 'bob', 'alice')))
      expect(next.direct.byPeer.carol).toBe(before.direct.byPeer.carol)
      expect(next.direct.byPeer.dave).toBe(before.direct.byPeer.dave)
      expect(conversation(next.direct, 'bob').map((m) => m.id)).toEqual(['dm-1', 'dm-4', 'waiting'])
    })

    it('an ack of one direct message copies only its conversation', () => {
      const mine = dmEntry('mine-1', 'bob')
      const before = reduce(reducer, [
        opened(),
        received(dm(1, 'bob', 'alice'), dm(2, 'carol', 'alice')),
        outbox.enqueued({ entry: mine }),
        outbox.enqueued({ entry: dmEntry('mine-2', 'carol') }),
      ])
      const after = reducer(before, outbox.acked({ acks: [{ refId: 'mine-1', seq: 3 }], at: T0 }))
      expect(after.byPeer.carol).toBe(before.byPeer.carol)
      expect(conversation(after, 'bob').map((m) => [m.id, m.status])).toEqual([
        ['dm-1', undefined],
        ['mine-1', 'sent'],
      ])
      expect(conversation(after, 'bob')[0]).toBe(conversation(before, 'bob')[0])
    })
  })

  it('applies a burst for several peers in one pass: stream order, repeats and known ones dropped, echoes in place, the cap kept', () => {
    const small = createDirectReducer({ maxMessagesPerRoom: 4 })
    const mine = dmEntry('mine-1', 'bob')
    const later = dmEntry('mine-2', 'bob')
    const before = reduce(small, [
      opened(),
      received(dm(1, 'bob', 'alice'), dm(2, 'carol', 'alice')),
      outbox.enqueued({ entry: mine }),
      outbox.enqueued({ entry: later }),
    ])
    const burst = [
      dm(3, 'bob', 'alice'),
      dm(4, 'carol', 'alice'),
      dm(1, 'bob', 'alice'), // already held
      dmEcho(mine, 5),
      dm(6, 'carol', 'alice'),
      dm(3, 'bob', 'alice'), // twice in the burst
      dm(7, 'bob', 'alice'),
      dm(8, 'carol', 'alice'),
      dm(9, 'carol', 'alice'),
      dm(10, 'erin', 'alice'),
    ]
    const after = reduce(small, [received(...burst)], before)
    expect(Object.keys(after.byPeer).sort()).toEqual(['bob', 'carol', 'erin'])
    // bob: 1, 3, the echo of mine-1 (sent), 7, then mine-2 still pending: five, so 1 is cut.
    expect(conversation(after, 'bob').map((m) => [m.id, m.seq, m.status])).toEqual([
      ['dm-3', 3, undefined],
      ['mine-1', 5, 'sent'],
      ['dm-7', 7, undefined],
      ['mine-2', undefined, 'pending'],
    ])
    expect(conversation(after, 'carol').map((m) => m.seq)).toEqual([4, 6, 8, 9])
    expect(conversation(after, 'erin').map((m) => m.seq)).toEqual([10])
    // What the cap cut is forgotten (taken again, as before), what it kept still known.
    const again = reduce(small, [received(dm(1, 'bob', 'alice'), dm(7, 'bob', 'alice'))], after)
    expect(conversation(again, 'bob').map((m) => m.id)).toEqual([
      'mine-1',
      'dm-7',
      'dm-1',
      'mine-2',
    ])
  })

  it('reduces a state it did not make (another store, a replay) as one it made', () => {
    const mine = dmEntry('mine-1', 'bob')
    const actions = [
      opened(),
      received(dm(1, 'bob', 'alice'), dm(2, 'carol', 'alice')),
      outbox.enqueued({ entry: mine }),
    ]
    const made = reduce(reducer, actions)
    const copied = JSON.parse(JSON.stringify(made)) as DirectSliceState
    const fresh = createDirectReducer({ maxMessagesPerRoom: 1000 })
    const rest = [
      received(dm(1, 'bob', 'alice'), dmEcho(mine, 3), dm(4, 'bob', 'alice')),
      outbox.enqueued({ entry: dmEntry('mine-2', 'carol') }),
      outbox.failed({ failures: [{ id: 'mine-2', error: error('FORBIDDEN') }] }),
    ]
    expect(reduce(fresh, rest, copied)).toEqual(reduce(reducer, rest, made))
    expect(conversation(reduce(fresh, rest, copied), 'bob').map((m) => m.id)).toEqual([
      'dm-1',
      'mine-1',
      'dm-4',
    ])
  })

  it("shows an own message even when another author's confirmed message has its id", () => {
    const state = reduce(reducer, [
      opened(),
      received({ ...dm(1, 'bob', 'alice'), id: 'same' }),
      outbox.enqueued({ entry: dmEntry('same', 'bob') }),
    ])
    expect(conversation(state, 'bob').map((m) => [m.userId, m.id, m.status])).toEqual([
      ['bob', 'same', undefined],
      ['alice', 'same', 'pending'],
    ])
  })

  it('does not show a restored message again whose echo came before the reload', () => {
    const mine = dmEntry('mine-1', 'bob')
    const state = reduce(reducer, [
      opened(),
      received(dmEcho(mine, 1)),
      outbox.restored({ entries: [mine, dmEntry('mine-2', 'bob')] }),
    ])
    expect(conversation(state, 'bob').map((m) => [m.id, m.status])).toEqual([
      ['mine-1', undefined],
      ['mine-2', 'pending'],
    ])
  })
})
