import { configureStore, createSlice, type Middleware, type UnknownAction } from '@reduxjs/toolkit'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { createRealtime } from '../../src'
import { createRealtimeServer, type RealtimeServer } from '../../src/server'
import { TEST_SECRET, tokenFor } from '../support/tokens'

const servers: RealtimeServer[] = []
const cleanups: Array<() => void> = []

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) cleanup()
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

async function startServer(): Promise<RealtimeServer> {
  const server = await createRealtimeServer({
    port: 0,
    host: '127.0.0.1',
    jwt: { secret: TEST_SECRET },
    rateLimit: false,
  })
  servers.push(server)
  return server
}

/** Two instances, two servers, one store with RTK's default checks; every action recorded. */
async function twoInstances() {
  const [a, b] = await Promise.all([startServer(), startServer()])
  const common = { WebSocket, networkEvents: null, autoReconnect: false }
  const main = createRealtime({ ...common, url: a.url, authToken: await tokenFor('alice') })
  const support = createRealtime({
    ...common,
    url: b.url,
    authToken: await tokenFor('bob'),
    reducerPath: 'support',
  })
  // An app slice counting each instance's messages through its own `events`.
  const counts = createSlice({
    name: 'counts',
    initialState: { main: 0, support: 0 },
    reducers: {},
    extraReducers: (builder) =>
      builder
        .addCase(main.events.chat.messagesReceived, (state, { payload }) => {
          state.main += payload.messages.length
        })
        .addCase(support.events.chat.messagesReceived, (state, { payload }) => {
          state.support += payload.messages.length
        }),
  })
  const seen: UnknownAction[] = []
  const recorder: Middleware = () => (next) => (action) => {
    seen.push(action as UnknownAction)
    return next(action)
  }
  const store = configureStore({
    reducer: {
      counts: counts.reducer,
      [main.reducerPath]: main.reducer,
      [support.reducerPath]: support.reducer,
    },
    middleware: (getDefault) =>
      getDefault().prepend(main.middleware, support.middleware).concat(recorder),
  })
  cleanups.push(() => {
    store.dispatch(main.actions.disconnect())
    store.dispatch(support.actions.disconnect())
  })
  return { main, support, store, seen }
}

describe('several connections in one store', () => {
  it('two instances never answer each other: own socket, own state, own action types', async () => {
    const { main, support, store, seen } = await twoInstances()

    const mainSession = await store.dispatch(main.actions.connect()).unwrap()
    // Only main connected: support's state did not move.
    expect(main.selectors.selectIsConnected(store.getState())).toBe(true)
    expect(support.selectors.selectConnectionState(store.getState())).toBe('idle')
    const supportSession = await store.dispatch(support.actions.connect()).unwrap()
    expect(mainSession.userId).toBe('alice')
    expect(supportSession.userId).toBe('bob')

    await store.dispatch(main.actions.joinRoom('general')).unwrap()
    await store.dispatch(support.actions.joinRoom('tickets')).unwrap()
    await store
      .dispatch(main.actions.sendChatMessage({ room: 'general', content: 'to main' }))
      .unwrap()
    await store
      .dispatch(support.actions.sendChatMessage({ room: 'tickets', content: 'to support' }))
      .unwrap()

    // App messages too: support's publish is acked on support's socket, in its room's stream.
    const published = await store
      .dispatch(support.actions.publish({ room: 'tickets', type: 'ticket_opened', data: { n: 1 } }))
      .unwrap()
    expect(published.seq).toBe(2)

    const state = store.getState()
    expect(main.selectors.selectRooms(state)).toEqual(['general'])
    expect(support.selectors.selectRooms(state)).toEqual(['tickets'])
    expect(
      main.selectors.selectMessagesByRoom(state, 'general').map((m) => m.data.content),
    ).toEqual(['to main'])
    expect(support.selectors.selectMessagesByRoom(state, 'general')).toEqual([])
    expect(
      support.selectors.selectMessagesByRoom(state, 'tickets').map((m) => m.data.content),
    ).toEqual(['to support'])
    expect(state.counts).toEqual({ main: 1, support: 1 })

    // Every action the store saw is in exactly one instance's namespace.
    const types = seen.map((a) => a.type)
    expect(types.filter((t) => !t.startsWith('realtime/') && !t.startsWith('support/'))).toEqual([])
    expect(types).toContain('support/connection/opened')
    expect(types).toContain('support/custom/messagesReceived')
    expect(types).not.toContain('realtime/custom/messagesReceived')
    expect(types).toContain('realtime/connection/opened')
    expect(types.filter((t) => t.endsWith('/connection/opened'))).toHaveLength(2)
    expect(support.actions.joinRoom('x').type).toBe('support/joinRoom')
    expect(support.events.chat.messagesReceived.type).toBe('support/chat/messagesReceived')
    expect(main.events.chat.messagesReceived.type).toBe('realtime/chat/messagesReceived')
  })

  it("a command of one instance is not the other's: disconnecting support leaves main open", async () => {
    const { main, support, store } = await twoInstances()
    await store.dispatch(main.actions.connect()).unwrap()
    await store.dispatch(support.actions.connect()).unwrap()

    store.dispatch(support.actions.disconnect())

    expect(support.selectors.selectConnectionState(store.getState())).toBe('closed')
    expect(main.selectors.selectIsConnected(store.getState())).toBe(true)
  })
})

describe('misconfigured instances fail at store creation', () => {
  const config = { url: 'ws://127.0.0.1:1', authToken: 't' }

  it('two instances with the same reducerPath', () => {
    const one = createRealtime(config)
    const two = createRealtime(config)
    expect(() =>
      configureStore({
        reducer: { [one.reducerPath]: one.reducer },
        middleware: (getDefault) => getDefault().prepend(one.middleware, two.middleware),
      }),
    ).toThrow(/two realtime middlewares with reducerPath "realtime" in one store/)
  })

  it('a middleware whose reducer is not mounted at its reducerPath', () => {
    const one = createRealtime({ ...config, reducerPath: 'chatSocket' })
    expect(() =>
      configureStore({
        reducer: { realtime: one.reducer },
        middleware: (getDefault) => getDefault().prepend(one.middleware),
      }),
    ).toThrow(/no reducer at state\.chatSocket/)
  })

  it('a reducerPath that cannot prefix action types', () => {
    expect(() => createRealtime({ ...config, reducerPath: 'a/b' })).toThrow(/no '\/'/)
    expect(() => createRealtime({ ...config, reducerPath: '' })).toThrow(/reducerPath must be/)
  })

  it('the same store can be created twice from one instance (tests, hot reload)', () => {
    const one = createRealtime(config)
    const make = () =>
      configureStore({
        reducer: { [one.reducerPath]: one.reducer },
        middleware: (getDefault) => getDefault().prepend(one.middleware),
      })
    expect(() => {
      make()
      make()
    }).not.toThrow()
  })
})
