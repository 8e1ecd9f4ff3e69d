import type { Store } from '@reduxjs/toolkit'
import type { Realtime } from './core'

interface Membership {
  count: number
  /** Whether a hook asked for the join; a room the app joined itself is never left by hooks. */
  joinedByHooks: boolean
  leave?: ReturnType<typeof setTimeout>
}

/** Store → room → the hooks mounted on it. */
const memberships = new WeakMap<Store, Map<string, Membership>>()

/**
 * Keeps a room joined while any `useChat` or `useRoomPresence` on it is mounted: the first
 * joins, the last one's release leaves on a zero-delay timer that a remount cancels (StrictMode
 * joins once). A room that was already joined or joining when the first hook mounted is left
 * alone on release.
 */
export function retainRoom(store: Store, realtime: Realtime, room: string): () => void {
  // Built first: an invalid room name throws here, before anything is counted.
  const join = realtime.actions.joinRoom(room)
  let rooms = memberships.get(store)
  if (!rooms) {
    rooms = new Map()
    memberships.set(store, rooms)
  }
  const byRoom = rooms
  let entry = byRoom.get(room)
  if (!entry) {
    entry = { count: 0, joinedByHooks: false }
    byRoom.set(room, entry)
  }
  const held = entry
  held.count += 1
  if (held.leave !== undefined) {
    clearTimeout(held.leave)
    held.leave = undefined
  } else if (held.count === 1) {
    const status = realtime.selectors.selectRoomStatus(store.getState(), room)?.status
    held.joinedByHooks = status !== 'joining' && status !== 'joined'
    if (held.joinedByHooks) store.dispatch(join)
  }
  let released = false
  return () => {
    if (released) return
    released = true
    held.count -= 1
    if (held.count > 0) return
    held.leave = setTimeout(() => {
      held.leave = undefined
      if (held.count > 0) return
      byRoom.delete(room)
      if (held.joinedByHooks) store.dispatch(realtime.actions.leaveRoom(room))
    }, 0)
  }
}
