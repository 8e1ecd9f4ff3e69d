import { configureStore } from '@reduxjs/toolkit'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createRealtime } from '../../src/createRealtime'
import {
  FakeSocket,
  WINDOW,
  ackFrame,
  authOk,
  chatFrame,
  errorFrame,
  joined,
  tick,
} from './middleware/harness'

beforeEach(() => {
  vi.useFakeTimers()
  FakeSocket.instances = []
})

afterEach(() => {
  vi.restoreAllMocks()
  vi.useRealTimers()
})

describe('createRealtime', () => {
  it('mounts under reducerPath with idle, empty state', () => {
    const realtime = createRealtime({ url: 'localhost', reducerPath: 'live', networkEvents: null })
    expect(realtime.reducerPath).toBe('live')
    const state = realtime.reducer(undefined, { type: 'init' })
    expect(state.connection.state).toBe('idle')
    expect(state.rooms).toEqual({})
    expect(state.chat.byRoom).toEqual({})
    expect(state.outbox).toEqual({ chunks: [], count: 0 })
    expect(realtime.selectors.selectConnectionState({ live: state })).toBe('idle')
  })

  it('throws on a config that cannot work, before any store exists', () => {
    expect(() => createRealtime({ url: 'ftp://example.com' })).toThrow(TypeError)
  })

  it('runs a whole session in a real store without tripping RTK serializability or immutability checks', async () => {
    const warnings = vi.spyOn(console, 'error').mockImplementation(() => {})
    const realtime = createRealtime({
      url: 'ws://127.0.0.1:1',
      WebSocket: FakeSocket,
      networkEvents: new EventTarget(),
      authToken: 't',
    })
    const store = configureStore({
      reducer: { realtime: realtime.reducer },
      middleware: (getDefault) => getDefault().concat(realtime.middleware),
    })
    const { actions, selectors } = realtime
    store.dispatch(actions.joinRoom('general'))
    const { id } = store.dispatch(
      actions.sendChatMessage({ room: 'general', content: 'hi' }),
    ).payload
    store.dispatch(actions.connect())
    await tick()
    const socket = FakeSocket.latest()
    socket.open()
    await tick()
    socket.deliver(authOk())
    await tick()
    socket.deliver(joined('general'))
    socket.deliver(chatFrame('general', 1))
    socket.deliver({ ...chatFrame('general', 2, 'hi'), id, userId: 'alice' })
    socket.deliver(ackFrame('general', id, 2))
    socket.deliver(errorFrame('SERVER_ERROR'))
    socket.deliver('not json')
    await tick(WINDOW)
    socket.serverClose(1006)
    await tick()

    expect(warnings).not.toHaveBeenCalled()
    const state = store.getState()
    expect(selectors.selectMessagesByRoom(state, 'general').map((m) => [m.seq, m.status])).toEqual([
      [1, undefined],
      [2, 'sent'],
    ])
    expect(selectors.selectPendingMessages(state)).toEqual([])
    expect(selectors.selectConnectionState(state)).toBe('reconnecting')
    expect(selectors.selectPerformanceMetrics(state)).toMatchObject({
      messagesReceived: 2,
      messagesSent: 1,
      errorCount: 2,
    })
  })
})
