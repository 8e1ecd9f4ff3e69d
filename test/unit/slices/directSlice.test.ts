import { describe, expect, it } from 'vitest'
import { chat, connection, outbox } from '../../../slices/actions'
import { createDirectReducer, type DirectSliceState } from '../../../slices/directSlice'
import type { DirectMessage } from '../../../slices/types'
import { T0, dm, dmEcho, dmEntry, error, reduce } from './fixtures'

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
})
