import { configureStore, type Middleware, type UnknownAction } from '@reduxjs/toolkit'
import { WebSocket } from 'ws'
import { createRealtime, type RealtimeConfig } from '../../src'
import { tokenFor } from './tokens'
import { waitForState } from './waitForState'

export type TestClient = Awaited<ReturnType<typeof createTestClient>>

/**
 * A real store with the realtime reducer and middleware, RTK's default serializability and
 * immutability checks on (no ignore lists), talking to a real server through `ws`.
 */
export async function createTestClient(
  url: RealtimeConfig['url'],
  userId: string,
  config: Partial<RealtimeConfig> = {},
  /** Middleware after the realtime one (e.g. to make dispatching slow on purpose). */
  extra: Middleware[] = [],
) {
  const token = await tokenFor(userId)
  const realtime = createRealtime({
    url,
    authToken: token,
    WebSocket: WebSocket,
    networkEvents: null,
    ...config,
  })
  const dispatched: UnknownAction[] = []
  const recorder: Middleware = () => (next) => (action) => {
    dispatched.push(action as UnknownAction)
    return next(action)
  }
  const store = configureStore({
    reducer: { [realtime.reducerPath]: realtime.reducer },
    middleware: (getDefault) =>
      getDefault()
        .prepend(realtime.middleware)
        .concat(recorder, ...extra),
  })
  const { actions, selectors } = realtime
  type State = ReturnType<typeof store.getState>

  /** Resolves once `predicate(state)` holds; rejects after `timeoutMs` with what it saw. */
  function waitFor(
    predicate: (state: State) => boolean,
    timeoutMs = 10_000,
    what = 'condition',
  ): Promise<State> {
    return waitForState(store, predicate, timeoutMs, () => {
      const c = realtime.selectors.selectRealtime(store.getState()).connection
      return `${userId}: timed out waiting for ${what} (state ${c.state}, last ${JSON.stringify(c.transition)})`
    })
  }

  return {
    userId,
    realtime,
    store,
    actions,
    selectors,
    dispatched,
    waitFor,
    waitForOpen: () => waitFor((s) => selectors.selectIsConnected(s), 10_000, 'open'),
    waitForRoom: (room: string) =>
      waitFor((s) => selectors.selectRooms(s).includes(room), 10_000, `joined ${room}`),
    messages: (room: string) => selectors.selectMessagesByRoom(store.getState(), room),
    dispose() {
      store.dispatch(actions.disconnect())
    },
  }
}

/**
 * A test client that never gives up reconnecting (short backoff), connected and joined to
 * `room`; pushed onto `track` so the test's afterEach can dispose of it.
 */
export async function joinedMember(
  url: string,
  userId: string,
  track: TestClient[],
  { room = 'general', maxReconnectDelay = 100 }: { room?: string; maxReconnectDelay?: number } = {},
): Promise<TestClient> {
  const client = await createTestClient(url, userId, {
    reconnectInterval: 20,
    maxReconnectDelay,
    maxReconnectAttempts: Infinity,
  })
  track.push(client)
  client.store.dispatch(client.actions.connect())
  client.store.dispatch(client.actions.joinRoom(room))
  await client.waitForRoom(room)
  return client
}
