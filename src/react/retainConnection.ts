import type { Store } from '@reduxjs/toolkit'
import type { Realtime } from './core'

interface Holders {
  count: number
  release?: ReturnType<typeof setTimeout>
}

/** Store → how many mounted providers/hooks want its connection. */
const holders = new WeakMap<Store, Holders>()

/**
 * Keeps a store's connection open while anyone holds it: the first holder dispatches
 * `connect()`, the last one's release dispatches `disconnect()` on a zero-delay timer that a
 * new holder cancels. So React StrictMode's mount → unmount → mount opens one socket, and any
 * number of components share it. Returns the release function (safe to call twice).
 */
export function retainConnection(store: Store, realtime: Realtime): () => void {
  let entry = holders.get(store)
  if (!entry) {
    entry = { count: 0 }
    holders.set(store, entry)
  }
  const held = entry
  held.count += 1
  clearTimeout(held.release)
  held.release = undefined
  // `connect` is a no-op on a socket that is already connecting or open.
  if (held.count === 1) store.dispatch(realtime.actions.connect())
  let released = false
  return () => {
    if (released) return
    released = true
    held.count -= 1
    if (held.count > 0) return
    held.release = setTimeout(() => {
      held.release = undefined
      if (held.count === 0) store.dispatch(realtime.actions.disconnect())
    }, 0)
  }
}
