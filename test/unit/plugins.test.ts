import { configureStore, createAction, createReducer, type UnknownAction } from '@reduxjs/toolkit'
import { afterEach, beforeEach, describe, expect, expectTypeOf, it, vi } from 'vitest'
import { createRealtime, realtimeActions } from '../../src/createRealtime'
import type { PluginContext, RealtimePlugin } from '../../src/plugins'
import type { Frame } from '../../src/protocol/frames'
import { FakeSocket, authOk, serverFrame, tick } from './middleware/harness'

/**
 * The plugin seam: a plugin's reducer sits under `state[reducerPath][reducerKey]`, its creators
 * and selectors join the instance's, its handler sees its commands and the middleware's own
 * events (never an event dispatched from outside), it receives the frame types it claims, and
 * it sends through the connection's `send`.
 */

const bump = createAction<{ by: number }>('realtime/counter/bump')
const bumped = createAction<{ total: number }>('realtime/counter/bumped')

interface CounterState {
  total: number
  alerts: number
}

interface Seen {
  handled: UnknownAction[]
  received: Frame[]
  ctx?: PluginContext
}

function counterPlugin(seen: Seen, throwOnFrame = false) {
  const reducer = createReducer<CounterState>({ total: 0, alerts: 0 }, (builder) => {
    builder
      .addCase(bumped, (state, action) => {
        state.total = action.payload.total
      })
      .addCase('realtime/counter/alerted', (state) => {
        state.alerts += 1
      })
  })
  const plugin: RealtimePlugin<
    'counter',
    CounterState,
    { bump: typeof bump; counter: { bumped: typeof bumped } },
    { selectTotal: (state: unknown) => number },
    { counters: { seen: Seen } }
  > = {
    name: 'counter',
    reducerKey: 'counter',
    reducer,
    actions: { bump, counter: { bumped } },
    commandTypes: [bump.type],
    frameTypes: ['system_alert'],
    selectors: (select) => ({ selectTotal: (state) => select(state).total }),
    handler(ctx) {
      seen.ctx = ctx
      let total = 0
      return {
        handle(action) {
          seen.handled.push(action)
          if (bump.match(action)) {
            total += action.payload.by
            ctx.dispatch(bumped({ total }))
            ctx.send({ v: 1, id: `bump-${total}`, type: 'ping', timestamp: 0, data: {} })
          }
        },
        receive(frame) {
          if (throwOnFrame) throw new Error('bad frame')
          seen.received.push(frame)
          ctx.dispatch({ type: 'realtime/counter/alerted' })
        },
      }
    },
    members: { counters: { seen } },
  }
  return plugin
}

function setup<P extends string>(reducerPath: P, seen: Seen, throwOnFrame = false) {
  const realtime = createRealtime({
    url: 'ws://127.0.0.1:1',
    WebSocket: FakeSocket,
    networkEvents: null,
    authToken: 't',
    reducerPath,
    plugins: [counterPlugin(seen, throwOnFrame)],
  })
  const dispatched: UnknownAction[] = []
  const store = configureStore({
    reducer: { [reducerPath]: realtime.reducer } as Record<P, typeof realtime.reducer>,
    middleware: (getDefault) =>
      getDefault()
        .prepend(realtime.middleware)
        .concat(() => (next: (action: unknown) => unknown) => (action: unknown) => {
          dispatched.push(action as UnknownAction)
          return next(action)
        }),
  })
  return { realtime, store, dispatched }
}

beforeEach(() => {
  vi.useFakeTimers()
  FakeSocket.instances = []
})

afterEach(() => {
  vi.useRealTimers()
})

describe('plugins', () => {
  it('compose state, actions, selectors and members into the instance, per reducerPath', () => {
    const seen: Seen = { handled: [], received: [] }
    const { realtime, store } = setup('live', seen)
    expect(realtime.actions.bump({ by: 1 }).type).toBe('live/counter/bump')
    expect(realtime.actions.counter.bumped.type).toBe('live/counter/bumped')
    expect(realtime.counters.seen).toBe(seen)
    expect(store.getState().live.counter).toEqual({ total: 0, alerts: 0 })
    expect(realtime.selectors.selectTotal(store.getState())).toBe(0)
    // The core's creators are still there, and the module's own map was not changed.
    expect(realtime.actions.connect().type).toBe('live/connect')
    expect('bump' in realtimeActions).toBe(false)

    expectTypeOf(realtime.actions.bump).parameter(0).toEqualTypeOf<{ by: number }>()
    expectTypeOf(realtime.reducer(undefined, { type: 'x' }).counter).toEqualTypeOf<CounterState>()
    expectTypeOf(realtime.selectors.selectTotal).returns.toEqualTypeOf<number>()
  })

  it('run the handler on commands and own events only: a replayed event reduces, nothing more', () => {
    const seen: Seen = { handled: [], received: [] }
    const { realtime, store } = setup('live', seen)
    store.dispatch(realtime.actions.bump({ by: 2 }))
    expect(realtime.selectors.selectTotal(store.getState())).toBe(2)
    expect(seen.handled.map((a) => a.type)).toEqual([
      'realtime/counter/bump',
      'realtime/counter/bumped',
    ])

    // An event from outside (DevTools' Dispatch, an imported log): reduced, never handled.
    store.dispatch(realtime.actions.counter.bumped({ total: 40 }))
    expect(realtime.selectors.selectTotal(store.getState())).toBe(40)
    expect(seen.handled).toHaveLength(2)
    // Another instance's command is not this one's.
    store.dispatch(bump({ by: 5 }))
    expect(seen.handled).toHaveLength(2)
  })

  it('receive the frame types they claim instead of the core table, and send through the connection', async () => {
    const seen: Seen = { handled: [], received: [] }
    const { realtime, store, dispatched } = setup('realtime', seen)
    store.dispatch(realtime.actions.connect())
    await tick()
    const socket = FakeSocket.latest()
    socket.open()
    await tick()
    socket.deliver(authOk())
    await tick()
    expect(seen.ctx?.session.authenticated).toBe(true)

    socket.deliver(serverFrame('system_alert', { data: { message: 'hi', severity: 'info' } }))
    await tick()
    expect(seen.received.map((f) => f.type)).toEqual(['system_alert'])
    expect(store.getState().realtime.counter.alerts).toBe(1)
    expect(dispatched.map((a) => a.type)).not.toContain(
      'realtime/notifications/systemAlertReceived',
    )

    store.dispatch(realtime.actions.bump({ by: 3 }))
    expect(socket.frames().filter((f) => f.type === 'ping' && f.id === 'bump-3')).toHaveLength(1)
  })

  it('a plugin that throws on a frame is a rejected frame, not a broken socket', async () => {
    const seen: Seen = { handled: [], received: [] }
    const { realtime, store, dispatched } = setup('realtime', seen, true)
    store.dispatch(realtime.actions.connect())
    await tick()
    const socket = FakeSocket.latest()
    socket.open()
    await tick()
    socket.deliver(authOk())
    await tick()
    socket.deliver(serverFrame('system_alert', { data: { message: 'hi', severity: 'info' } }))
    await tick()
    const rejected = dispatched.filter((a) => a.type === 'realtime/inbound/framesRejected')
    expect(JSON.stringify(rejected)).toContain('bad frame')
    expect(store.getState().realtime.connection.state).toBe('open')
  })

  it('throw, with the fix, when plugins clash with the instance or each other', () => {
    const seen: Seen = { handled: [], received: [] }
    const base = { url: 'ws://127.0.0.1:1', networkEvents: null }
    expect(() =>
      createRealtime({ ...base, plugins: [counterPlugin(seen), counterPlugin(seen)] }),
    ).toThrow(/listed twice/)
    expect(() =>
      createRealtime({ ...base, plugins: [{ ...counterPlugin(seen), reducerKey: 'rooms' }] }),
    ).toThrow(/state key "rooms"/)
    expect(() =>
      createRealtime({
        ...base,
        plugins: [{ ...counterPlugin(seen), members: { counters: {}, reducer: {} } }],
      }),
    ).toThrow(/member "reducer"/)
    expect(() => createRealtime({ ...base, plugins: [{} as never] })).toThrow(/not a plugin/)
  })

  it('an instance without plugins keeps its exact type', () => {
    const realtime = createRealtime({ url: 'ws://127.0.0.1:1', networkEvents: null })
    expectTypeOf(realtime).not.toHaveProperty('counters')
    expect(realtime.actions).toBe(realtimeActions)
  })
})
