import type { Store } from '@reduxjs/toolkit'
import type { Realtime } from './core'
import { retain, type Hold } from './retain'

/** Store → how many mounted providers/hooks want its connection. */
const holders = new WeakMap<Store, Hold>()

/**
 * Keeps a store's connection open while anyone holds it: the first holder dispatches
 * `connect()`, the last one's release dispatches `disconnect()` on a zero-delay timer that a
 * new holder cancels. So React StrictMode's mount → unmount → mount opens one socket, and any
 * number of components share it. Returns the release function (safe to call twice).
 */
export function retainConnection(store: Store, realtime: Realtime): () => void {
  return retain(holders, store, () => {
    // `connect` is a no-op on a socket that is already connecting or open.
    store.dispatch(realtime.actions.connect())
    return () => {
      store.dispatch(realtime.actions.disconnect())
    }
  })
}
