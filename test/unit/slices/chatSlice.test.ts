import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { chat, connection, outbox, rooms } from '../../../slices/actions'
import { createChatReducer, type ChatSliceState } from '../../../slices/chatSlice'
import { T0, echo, entry, error, message, reduce } from './fixtures'

const reducer = createChatReducer({ maxMessagesPerRoom: 1000 })

const received = (...messages: ReturnType<typeof message>[]) =>
  chat.messagesReceived({ messages, at: T0 })
const joinedAt = (room: string, epoch: string, fromSeq = 0, gap = false) =>
  rooms.joined({ room, epoch, fromSeq, headSeq: fromSeq, resumed: !gap, gap, at: T0 })

function general(state: ChatSliceState) {
  const room = state.byRoom.general
  if (!room) throw new Error('no state for room general')
  return room
}

describe('chat reducer', () => {
  it('keeps messages in seq order and ignores duplicates at or below the cursor', () => {
    const g = (seq: number) => message('general', seq)
    const state = reduce(reducer, [
      joinedAt('general', 'e1'),
      received(g(1), g(2)),
      received(g(2), g(3)),
      received(g(1)),
      received(g(3), g(4)),
    ])
    expect(general(state).messages.map((m) => m.seq)).toEqual([1, 2, 3, 4])
    expect(general(state).seq).toBe(4)
  })

  it('never holds two messages with the same seq or a seq out of order, whatever the bursts', () => {
    const bursts = fc.array(fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 8 }), {
      maxLength: 8,
    })
    fc.assert(
      fc.property(bursts, (seqBursts) => {
        let state = reducer(undefined, joinedAt('general', 'e1'))
        for (const seqs of seqBursts) {
          state = reducer(state, received(...seqs.map((seq) => message('general', seq))))
        }
        const seqs = (state.byRoom.general?.messages ?? []).map((m) => m.seq as number)
        for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThan(seqs[i - 1] as number)
        expect(state.byRoom.general?.seq).toBe(Math.max(0, ...seqBursts.flat()))
      }),
      { numRuns: 500 },
    )
  })

  it("never takes another author's message with the same id for its own pending one", () => {
    const mine = entry('general', 'same-id')
    const theirs = message('general', 1, { id: 'same-id', userId: 'bob' })
    const state = reduce(reducer, [
      joinedAt('general', 'e1'),
      outbox.enqueued({ entry: mine }),
      received(theirs),
    ])
    expect(general(state).messages.map((m) => [m.userId, m.id, m.status])).toEqual([
      ['bob', 'same-id', undefined],
      ['alice', 'same-id', 'pending'],
    ])
    // The server refuses ours (DUPLICATE_ID): ours fails, bob's stays.
    const failed = reducer(
      state,
      outbox.failed({
        failures: [{ id: 'same-id', room: 'general', error: error('DUPLICATE_ID') }],
      }),
    )
    expect(general(failed).messages.map((m) => [m.userId, m.status])).toEqual([
      ['bob', undefined],
      ['alice', 'failed'],
    ])
  })

  it('stamps own messages queued before the first auth_ok with the user the server names', () => {
    const early = { ...entry('general', 'early'), userId: undefined }
    delete early.userId
    const state = reduce(reducer, [
      joinedAt('general', 'e1'),
      outbox.enqueued({ entry: early }),
      connection.opened({ userId: 'alice', sessionId: 's', epoch: 'e1', at: T0 }),
      received(message('general', 1, { id: 'early', userId: 'alice' })),
    ])
    expect(general(state).messages.map((m) => [m.userId, m.status])).toEqual([['alice', 'sent']])
  })

  it('keeps the rooms of one burst apart', () => {
    const state = reduce(reducer, [
      received(message('general', 1), message('random', 1), message('general', 2)),
    ])
    expect(general(state).messages.map((m) => m.id)).toEqual(['m-general-1', 'm-general-2'])
    expect(state.byRoom.random?.messages.map((m) => m.id)).toEqual(['m-random-1'])
  })

  it('replaces an own pending message exactly once by its echo, sent and placed by seq, other pending ones staying last', () => {
    const mine = entry('general', 'mine-1')
    const later = entry('general', 'mine-2')
    const state = reduce(reducer, [
      joinedAt('general', 'e1'),
      outbox.enqueued({ entry: mine }),
      outbox.enqueued({ entry: later }),
      received(message('general', 1), echo(mine, 2)),
      received(echo(mine, 2)),
      received(message('general', 3)),
    ])
    const messages = general(state).messages
    expect(messages.map((m) => [m.id, m.seq, m.status])).toEqual([
      ['m-general-1', 1, undefined],
      ['mine-1', 2, 'sent'],
      ['m-general-3', 3, undefined],
      ['mine-2', undefined, 'pending'],
    ])
    expect(messages.filter((m) => m.id === 'mine-1')).toHaveLength(1)
  })

  it('shows an own message as pending with its content as soon as it is enqueued', () => {
    const state = reduce(reducer, [outbox.enqueued({ entry: entry('general', 'mine-1', 'hello') })])
    expect(general(state).messages).toEqual([
      {
        id: 'mine-1',
        type: 'chat_message',
        timestamp: T0,
        room: 'general',
        data: { content: 'hello' },
        userId: 'alice',
        status: 'pending',
      },
    ])
  })

  it('marks a still-pending own message sent on outbox.acked', () => {
    const mine = entry('general', 'mine-1')
    const acked = reduce(reducer, [
      outbox.enqueued({ entry: mine }),
      outbox.enqueued({ entry: entry('general', 'mine-2') }),
      outbox.acked({ acks: [{ refId: 'mine-1', seq: 5, room: 'general' }], at: T0 }),
    ])
    expect(general(acked).messages.map((m) => [m.id, m.status])).toEqual([
      ['mine-1', 'sent'],
      ['mine-2', 'pending'],
    ])
    // The echo that follows still takes its place by seq, once.
    const echoed = reduce(reducer, [received(echo(mine, 5))], acked)
    expect(general(echoed).messages.map((m) => [m.id, m.seq, m.status])).toEqual([
      ['mine-1', 5, 'sent'],
      ['mine-2', undefined, 'pending'],
    ])
  })

  it('marks an own message sent or failed by an ack or error that names no room', () => {
    // `room` is optional on an ack: a server that leaves it out must not leave messages pending.
    const state = reduce(reducer, [
      outbox.enqueued({ entry: entry('general', 'mine-1') }),
      outbox.enqueued({ entry: entry('random', 'mine-2') }),
      outbox.enqueued({ entry: entry('random', 'mine-3') }),
      outbox.acked({ acks: [{ refId: 'mine-2', seq: 7 }], at: T0 }),
      outbox.failed({ failures: [{ id: 'mine-3', error: error('INVALID_MESSAGE') }] }),
    ])
    expect(general(state).messages.map((m) => [m.id, m.status])).toEqual([['mine-1', 'pending']])
    expect(state.byRoom.random?.messages.map((m) => [m.id, m.status])).toEqual([
      ['mine-2', 'sent'],
      ['mine-3', 'failed'],
    ])
  })

  it('marks acked messages sent wherever they are among many acked, never echoed ones', () => {
    const ids = Array.from({ length: 30 }, (_, i) => `mine-${i}`)
    const enqueued = ids.map((id) => outbox.enqueued({ entry: entry('general', id) }))
    const ack = (...refIds: string[]) =>
      outbox.acked({ acks: refIds.map((refId) => ({ refId, room: 'general' })), at: T0 })
    const state = reduce(reducer, [
      joinedAt('general', 'e1'),
      received(message('general', 1)),
      ...enqueued,
      ack('mine-29'),
      ack('mine-0', 'mine-17', 'unknown'),
    ])
    const sent = general(state)
      .messages.filter((m) => m.status === 'sent')
      .map((m) => m.id)
    expect(sent).toEqual(['mine-0', 'mine-17', 'mine-29'])
    expect(general(state).messages).toHaveLength(31)
  })

  it('marks an own message failed, with the error, on outbox.failed', () => {
    const failure = error('MESSAGE_TOO_LARGE')
    const state = reduce(reducer, [
      outbox.enqueued({ entry: entry('general', 'mine-1') }),
      outbox.enqueued({ entry: entry('general', 'mine-2') }),
      outbox.failed({ failures: [{ id: 'mine-1', room: 'general', error: failure }] }),
    ])
    expect(general(state).messages[0]).toMatchObject({
      id: 'mine-1',
      status: 'failed',
      error: failure,
    })
    expect(general(state).messages[1]).toMatchObject({ id: 'mine-2', status: 'pending' })
    expect(general(state).messages[1]).not.toHaveProperty('error')
  })

  it('adds an overflowed message as failed with the error', () => {
    const full = error('QUEUE_FULL')
    const state = reduce(reducer, [
      outbox.overflowed({ entry: entry('general', 'mine-9', 'too many'), error: full }),
    ])
    expect(general(state).messages).toEqual([
      expect.objectContaining({
        id: 'mine-9',
        status: 'failed',
        error: full,
        data: { content: 'too many' },
      }),
    ])
  })

  it('drops the oldest messages past maxMessagesPerRoom', () => {
    const small = createChatReducer({ maxMessagesPerRoom: 3 })
    const state = reduce(small, [
      received(message('general', 1), message('general', 2)),
      received(message('general', 3), message('general', 4), message('general', 5)),
    ])
    expect(general(state).messages.map((m) => m.seq)).toEqual([3, 4, 5])
    expect(general(state).seq).toBe(5)
    // A dropped message is not taken back when replayed.
    const again = reduce(small, [received(message('general', 1))], state)
    expect(general(again).messages.map((m) => m.seq)).toEqual([3, 4, 5])
    // One burst longer than the room holds: only its newest are kept, none of the room's.
    const burst = reduce(
      small,
      [received(...[6, 7, 8, 9, 10].map((s) => message('general', s)))],
      state,
    )
    expect(general(burst).messages.map((m) => m.seq)).toEqual([8, 9, 10])
    expect(general(state).messages.map((m) => m.seq)).toEqual([3, 4, 5])
  })

  it('cuts a full room across confirmed, new and own pending messages, oldest first', () => {
    const small = createChatReducer({ maxMessagesPerRoom: 3 })
    const state = reduce(small, [
      received(message('general', 1), message('general', 2)),
      outbox.enqueued({ entry: entry('general', 'p1') }),
      outbox.enqueued({ entry: entry('general', 'p2') }),
      received(message('general', 3), message('general', 4)),
    ])
    // [1, 2, 3, 4, p1, p2] → the newest 3, own pending ones last.
    expect(general(state).messages.map((m) => m.seq ?? m.id)).toEqual([4, 'p1', 'p2'])
    const cutInNew = reduce(small, [received(message('general', 5))], state)
    expect(general(cutInNew).messages.map((m) => m.seq ?? m.id)).toEqual([5, 'p1', 'p2'])
  })

  it('keeps each own pending message once however many are queued one by one, from any earlier state too', () => {
    const small = createChatReducer({ maxMessagesPerRoom: 3 })
    const queued = (id: string) => outbox.enqueued({ entry: entry('general', id) })
    const ids = (state: ChatSliceState) => general(state).messages.map((m) => m.seq ?? m.id)
    const afterThree = reduce(small, [joinedAt('general', 'e1'), ...['p1', 'p2', 'p3'].map(queued)])
    // Past the cap the oldest pending ones leave; one still there is not added twice.
    const afterFive = reduce(small, ['p4', 'p5', 'p4'].map(queued), afterThree)
    expect(ids(afterFive)).toEqual(['p3', 'p4', 'p5'])
    // One that left is shown again; an echo confirms its own copy in place.
    const again = reduce(
      small,
      [queued('p1'), received(echo(entry('general', 'p4'), 1))],
      afterFive,
    )
    expect(general(again).messages.map((m) => [m.id, m.seq, m.status])).toEqual([
      ['p4', 1, 'sent'],
      ['p5', undefined, 'pending'],
      ['p1', undefined, 'pending'],
    ])
    // An earlier state (a replay) is read as it is, not as the later one.
    expect(ids(reduce(small, [queued('p3'), queued('p4')], afterThree))).toEqual(['p2', 'p3', 'p4'])
  })

  it('keeps older messages on a new epoch and accepts its seq from 1', () => {
    const old = (seq: number) => message('general', seq, { id: `id-${seq}` })
    const state = reduce(reducer, [
      joinedAt('general', 'e1'),
      received(old(1), old(2), old(3)),
      joinedAt('general', 'e2', 0, true),
      // Replayed ids it already holds are filtered by the middleware (streams) before this.
      received(message('general', 1, { id: 'id-new' })),
    ])
    expect(general(state).messages.map((m) => m.id)).toEqual(['id-1', 'id-2', 'id-3', 'id-new'])
    expect(general(state)).toMatchObject({ epoch: 'e2', seq: 1, gap: true })
    const next = reduce(reducer, [received(message('general', 2, { id: 'id-4' }))], state)
    expect(general(next).messages.map((m) => m.id)).toEqual([
      'id-1',
      'id-2',
      'id-3',
      'id-new',
      'id-4',
    ])
  })

  it('keeps the cursor when joined again in the same epoch', () => {
    const state = reduce(reducer, [
      joinedAt('general', 'e1'),
      received(message('general', 1), message('general', 2)),
      joinedAt('general', 'e1', 2),
      received(message('general', 2), message('general', 3)),
    ])
    expect(general(state).messages.map((m) => m.seq)).toEqual([1, 2, 3])
    expect(general(state).gap).toBe(false)
  })

  it('records a gap reported by joined', () => {
    const state = reduce(reducer, [joinedAt('general', 'e1', 10, true)])
    expect(general(state)).toMatchObject({ gap: true, epoch: 'e1', seq: 10 })
  })

  it('forgets a room on leaveRequested', () => {
    const state = reduce(reducer, [
      received(message('general', 1)),
      rooms.leaveRequested({ room: 'general' }),
    ])
    expect(state.byRoom).toEqual({})
  })

  it('treats room names like toString as ordinary keys', () => {
    const state = reduce(reducer, [
      received(message('toString', 1)),
      received(message('hasOwnProperty', 1)),
    ])
    expect(Object.keys(state.byRoom).sort()).toEqual(['hasOwnProperty', 'toString'])
    const name: string = 'toString'
    expect(state.byRoom[name]).toMatchObject({
      seq: 1,
      messages: [expect.objectContaining({ seq: 1 })],
    })
  })
})
