import { configureStore, type UnknownAction } from '@reduxjs/toolkit'
import { describe, expect, it, vi } from 'vitest'
import { chat, connection, inbound, outbox, rooms } from '../../../slices/actions'
import { createRealtimeReducer } from '../../../slices/realtimeReducer'
import { T0, dm, echo, entry, error, message, reduce } from './fixtures'

const reducer = createRealtimeReducer({ maxMessagesPerRoom: 100, maxNotifications: 100 })
const joined = (epoch: string, gap = false) =>
  rooms.joined({ room: 'general', epoch, fromSeq: 0, headSeq: 3, resumed: !gap, gap, at: T0 })

/**
 * Dispatches `action` and expects RTK's dev checks to have asked `Object.isFrozen` fewer than
 * 1,000 times: what the action changed, not every message the state holds (the stores below
 * hold 1,000 or more, two objects each).
 */
function expectFewFrozenChecks(
  store: { dispatch(action: UnknownAction): unknown },
  action: UnknownAction,
): void {
  const isFrozen = vi.spyOn(Object, 'isFrozen')
  store.dispatch(action)
  const asked = isFrozen.mock.calls.length
  isFrozen.mockRestore()
  expect(asked).toBeGreaterThan(0)
  expect(asked).toBeLessThan(1_000)
}

describe('realtime reducer', () => {
  it("freezes what it produced (outside production), so RTK's dev checks skip what did not change", () => {
    const first = reduce(reducer, [
      joined('e1'),
      chat.messagesReceived({ messages: [message('general', 1)], at: T0 }),
    ])
    const room = first.chat.byRoom.general
    expect(Object.isFrozen(first.connection)).toBe(true)
    expect(Object.isFrozen(first.rooms)).toBe(true)
    expect(Object.isFrozen(first.rooms.general)).toBe(true)
    expect(Object.isFrozen(room?.messages)).toBe(true)
    expect(Object.isFrozen(room?.messages[0])).toBe(true)
    expect(Object.isFrozen(room?.messages[0]?.data)).toBe(true)
    // A later change copies only its path: the untouched slices are the same frozen objects.
    const second = reducer(first, outbox.enqueued({ entry: entry('general', 'mine-1') }))
    expect(second.connection).toBe(first.connection)
    expect(second.chat.byRoom.general?.messages[0]).toBe(room?.messages[0])
    expect(Object.isFrozen(second.outbox.chunks[0])).toBe(true)
    expect(() => {
      ;(second.outbox.chunks[0] as unknown[]).push('mutated')
    }).toThrow(TypeError)
  })

  it('leaves the objects above the message arrays unfrozen, and the immutability check still guards them', () => {
    const state = reduce(reducer, [
      joined('e1'),
      chat.messagesReceived({ messages: [message('general', 1)], at: T0 }),
    ])
    // The realtime state, the chat slice, its rooms record and each room's object; the direct
    // slice and its conversations; the outbox and its chunk list.
    for (const open of [
      state,
      state.chat,
      state.chat.byRoom,
      state.chat.byRoom.general,
      state.direct,
      state.direct.byPeer,
      state.outbox,
      state.outbox.chunks,
    ])
      expect(Object.isFrozen(open)).toBe(false)
    const mutations: ((realtime: typeof state) => void)[] = [
      (realtime) => {
        ;(realtime.chat.byRoom.general as { seq: number }).seq = 99
      },
      (realtime) => {
        ;(realtime.outbox.chunks as unknown[]).push([])
      },
    ]
    for (const mutate of mutations) {
      const store = configureStore({
        reducer: { realtime: reducer },
        preloadedState: { realtime: state },
      })
      store.dispatch(chat.messagesReceived({ messages: [message('general', 2)], at: T0 }))
      mutate(store.getState().realtime)
      expect(() =>
        store.dispatch(chat.messagesReceived({ messages: [message('general', 3)], at: T0 })),
      ).toThrow(/state mutation was detected/)
    }
  })

  it("costs RTK's serializability check what a burst changed, not every message held", () => {
    const roomNames = Array.from({ length: 10 }, (_, i) => `room${i}`)
    const store = configureStore({ reducer: { realtime: reducer } })
    for (const room of roomNames) {
      const messages = Array.from({ length: 100 }, (_, i) => message(room, i + 1))
      store.dispatch(chat.messagesReceived({ messages, at: T0 }))
    }
    // RTK's check asks `Object.isFrozen` of every object it walks to learn a new object is
    // frozen through (`isNestedFrozen`): a frozen realtime state made it walk all 1,000
    // messages (2,000 objects) several times for one new message.
    expectFewFrozenChecks(
      store,
      chat.messagesReceived({ messages: [message('room0', 101)], at: T0 }),
    )
  })

  it("costs RTK's serializability check a new direct message, not every conversation held", () => {
    const store = configureStore({ reducer: { realtime: reducer } })
    store.dispatch(connection.opened({ userId: 'alice', sessionId: 's1', epoch: 'e1', at: T0 }))
    let seq = 0
    for (let peer = 0; peer < 10; peer++) {
      const messages = Array.from({ length: 100 }, () => dm((seq += 1), `peer${peer}`, 'alice'))
      store.dispatch(chat.directMessagesReceived({ messages, at: T0 }))
    }
    // As for rooms: a frozen `direct` slice or conversations record, new with every direct
    // message, made the check walk every message of every conversation to learn it is frozen.
    expectFewFrozenChecks(
      store,
      chat.directMessagesReceived({ messages: [dm(seq + 1, 'peer0', 'alice')], at: T0 }),
    )
  })

  it("costs RTK's serializability check an enqueue, not every message waiting in the outbox", () => {
    const store = configureStore({ reducer: { realtime: reducer } })
    for (let i = 0; i < 2_000; i++)
      store.dispatch(outbox.enqueued({ entry: entry('general', `m${i}`) }))
    // A frozen outbox or chunk list, new with every enqueue, made the check walk every entry
    // waiting: queueing n messages offline cost O(n²) in development.
    expectFewFrozenChecks(store, outbox.enqueued({ entry: entry('general', 'last') }))
  })

  it('keeps every slice plain serializable data through a whole session', () => {
    const mine = entry('general', 'mine-1')
    const state = reduce(reducer, [
      connection.connecting({ url: 'ws://127.0.0.1:1', at: T0 }),
      connection.socketOpened({ at: T0 + 1 }),
      connection.opened({ userId: 'alice', sessionId: 's1', epoch: 'e1', at: T0 + 2 }),
      rooms.joinRequested({ room: 'general' }),
      joined('e1'),
      outbox.enqueued({ entry: mine }),
      outbox.overflowed({ entry: entry('general', 'mine-2'), error: error('QUEUE_FULL') }),
      chat.messagesReceived({ messages: [message('general', 1), echo(mine, 2)], at: T0 + 3 }),
      outbox.acked({ acks: [{ refId: 'mine-1', seq: 2, room: 'general' }], at: T0 + 4 }),
      inbound.framesRejected({ rejections: [{ reason: 'bad_id', message: 'x' }], at: T0 + 5 }),
      connection.errorsReceived({ errors: [{ code: 'SERVER_ERROR', message: 'x' }], at: T0 + 6 }),
      connection.pingSent({ at: T0 + 7 }),
      connection.pongReceived({ latency: 12, at: T0 + 8 }),
      rooms.joinFailed({ room: 'secret', error: error('FORBIDDEN') }),
      connection.closed({
        code: 1006,
        reason: 'lost',
        willReconnect: true,
        attempt: 1,
        retryInMs: 10,
        at: T0 + 9,
      }),
      rooms.leaveRequested({ room: 'general' }),
    ])
    expect(Object.keys(state).sort()).toEqual([
      'chat',
      'connection',
      'direct',
      'events',
      'notifications',
      'outbox',
      'presence',
      'receipts',
      'roomPresence',
      'rooms',
      'typing',
    ])
    expect(state.connection.state).toBe('reconnecting')
    expect(state.outbox).toEqual({ chunks: [], count: 0 })
    expect(state.rooms).toEqual({ secret: expect.objectContaining({ status: 'failed' }) })
  })
})

describe('freezeNew', () => {
  it('leaves the realtime state, chat, its rooms record and each room unfrozen, and freezes all they hold', async () => {
    const { freezeNew } = await import('../../../slices/freeze')
    const state = {
      chat: { byRoom: { a: { messages: [{ data: {} }], epoch: { e: 1 } }, b: { messages: [] } } },
      rooms: { a: { status: 'joined' } },
    }
    freezeNew(state)
    const a = state.chat.byRoom.a
    for (const open of [state, state.chat, state.chat.byRoom, a, state.chat.byRoom.b])
      expect(Object.isFrozen(open)).toBe(false)
    for (const held of [a.messages, a.messages[0], a.messages[0]?.data, a.epoch, state.rooms.a])
      expect(Object.isFrozen(held)).toBe(true)
    expect(Object.isFrozen(state.chat.byRoom.b.messages)).toBe(true)
    expect(Object.isFrozen(state.rooms)).toBe(true)
  })

  it('leaves the direct slice, its conversations, the outbox and its chunk list unfrozen', async () => {
    const { freezeNew } = await import('../../../slices/freeze')
    // `toString` as a peer: the open paths are looked up by key, never through a prototype.
    const state = {
      direct: { self: { id: 'me' }, byPeer: { bob: [{ data: {} }], toString: [{}] } },
      outbox: { chunks: [[{ data: {} }]], count: 1 },
    }
    freezeNew(state)
    for (const open of [state.direct, state.direct.byPeer, state.outbox, state.outbox.chunks])
      expect(Object.isFrozen(open)).toBe(false)
    const { byPeer } = state.direct
    const chunk = state.outbox.chunks[0]
    for (const held of [
      state.direct.self,
      byPeer.bob,
      byPeer.bob[0]?.data,
      byPeer.toString,
      chunk,
      chunk?.[0]?.data,
    ])
      expect(Object.isFrozen(held)).toBe(true)
  })

  it('freezes new elements at either end of a long array without walking the frozen middle', async () => {
    const { freezeNew } = await import('../../../slices/freeze')
    const old = Array.from({ length: 1000 }, (_, i) => Object.freeze({ i }))
    const appended = { i: 1000, data: { nested: true } }
    const prepended = { i: -1 }
    const next = freezeNew({ list: [prepended, ...old, appended] })
    expect(Object.isFrozen(next.list)).toBe(true)
    expect(Object.isFrozen(appended)).toBe(true)
    expect(Object.isFrozen(appended.data)).toBe(true)
    expect(Object.isFrozen(prepended)).toBe(true)
  })
})
