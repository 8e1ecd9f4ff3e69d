import type { Action, Store } from '@reduxjs/toolkit'
import type { Realtime } from './core'
import { cached } from './cached'
import { retain, type Hold } from './retain'

/** Store → room → the hooks mounted on it. */
const memberships = new WeakMap<Store, Map<string, Hold>>()

/**
 * Keeps a room joined while any `useChat` or `useRoomPresence` on it is mounted: the first
 * joins, the last one's release leaves on a zero-delay timer that a remount cancels (StrictMode
 * joins once). A room that was already joined or joining when the first hook mounted is left
 * alone on release (a room the app joined itself is never left by hooks).
 */
export function retainRoom(store: Store, realtime: Realtime, room: string): () => void {
  // Built first: an invalid room name throws here, before anything is counted.
  const join = realtime.actions.joinRoom(room)
  return retain(
    cached(memberships, store, () => new Map<string, Hold>()),
    room,
    () =>
      joinUnlessJoined(store, realtime, room, join)
        ? () => {
            store.dispatch(realtime.actions.leaveRoom(room))
          }
        : undefined,
  )
}

/** Dispatches `join` (or a new join of `room`) unless `room` is joined or joining already; whether it did. */
export function joinUnlessJoined(
  store: Store,
  realtime: Realtime,
  room: string,
  join?: Action,
): boolean {
  const status = realtime.selectors.selectRoomStatus(store.getState(), room)?.status
  if (status === 'joining' || status === 'joined') return false
  store.dispatch(join ?? realtime.actions.joinRoom(room))
  return true
}
