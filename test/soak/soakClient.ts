import { configureStore, type Middleware, type UnknownAction } from '@reduxjs/toolkit'
import { WebSocket } from 'ws'
import { createRealtime, type RealtimeConfig } from '../../src'
import { tokenFor } from '../support/tokens'

/** `ws` delivering one message per event-loop task, as a browser does. */
class BrowserLikeWebSocket extends WebSocket {
  constructor(url: string, protocols?: string | string[]) {
    super(url, protocols, { allowSynchronousEvents: false })
  }
}

export type SoakClient = Awaited<ReturnType<typeof createSoakClient>>

/**
 * A real store with the realtime reducer and middleware and a recorder of every dispatched
 * action. Unlike `test/support/realtimeClient.ts`, RTK's immutability and serializability
 * checks are off: they walk the whole state on every dispatch, and with 10,000 messages in
 * state that alone falls seconds behind the socket (the checks run in the other suites).
 */
export async function createSoakClient(
  url: string,
  userId: string,
  { browserLike, ...config }: Partial<RealtimeConfig> & { browserLike: boolean },
) {
  const realtime = createRealtime({
    url,
    authToken: await tokenFor(userId),
    WebSocket: browserLike ? BrowserLikeWebSocket : WebSocket,
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
      getDefault({ immutableCheck: false, serializableCheck: false }).concat(
        realtime.middleware,
        recorder,
      ),
    devTools: false,
  })
  const { actions, selectors } = realtime
  return {
    userId,
    browserLike,
    realtime,
    store,
    actions,
    selectors,
    dispatched,
    state: () => store.getState(),
  }
}
