import { configureStore, type Middleware } from '@reduxjs/toolkit'
import type { Realtime } from '../createRealtime'

/**
 * The store a `WebSocketClient` runs on: the realtime reducer at its `reducerPath`, RTK's
 * default middleware (serializability and immutability checks included), the realtime
 * middleware, then the client's own observer, which sees each action after the reducers.
 */
export function createClientStore(
  realtime: Pick<Realtime, 'reducerPath' | 'reducer' | 'middleware'>,
  observer: Middleware,
) {
  return configureStore({
    reducer: { [realtime.reducerPath]: realtime.reducer },
    middleware: (getDefault) => getDefault().concat(realtime.middleware, observer),
  })
}

/**
 * The Redux store behind a `WebSocketClient`.
 *
 * @example
 * const store: WebSocketClientStore = client.store
 * client.realtime.selectors.selectMessagesByRoom(store.getState(), 'general')
 */
export type WebSocketClientStore = ReturnType<typeof createClientStore>
