import { useCallback, useEffect, useMemo } from 'react'
import { WebSocketContext, type WebSocketReactContext } from './context'
import type { JsonValue, RoomPresenceMember } from './core'
import type { RealtimeBinding } from './handle'
import { retainRoom } from './retainRoom'
import { roomArgs, useBinding } from './useBinding'
import { useSelectorOf } from './useStoreSelector'

/** What `useRoomPresence` returns. */
export interface RoomPresenceHandle {
  /** The room's members sorted by user id, you included, with status and the data each set. */
  members: readonly RoomPresenceMember[]
  /** Your data in the room (JSON, at most 1 KiB): latest wins, re-sent after every rejoin. */
  setPresence: (data: JsonValue) => void
}

export interface UseRoomPresence {
  /** Inside `<WebSocketProvider>`. */
  (room: string): RoomPresenceHandle
  (websocket: RealtimeBinding, room: string): RoomPresenceHandle
}

/**
 * Builds `useRoomPresence` for a context of your own (see `WebSocketContext`).
 *
 * @example
 * const useSupportRoomPresence = createRoomPresenceHook(SupportContext)
 */
export function createRoomPresenceHook(
  context: WebSocketReactContext = WebSocketContext,
): UseRoomPresence {
  function useRoomPresence(...args: [string] | [RealtimeBinding, string]): RoomPresenceHandle {
    const [websocket, room] = roomArgs(args)
    const { store, realtime } = useBinding(context, websocket, 'useRoomPresence')
    const { selectors, actions } = realtime

    useEffect(() => retainRoom(store, realtime, room), [store, realtime, room])

    // The selector keeps the same array while this room's members are unchanged: no re-render
    // for other rooms' news.
    const members = useSelectorOf(store, selectors.selectRoomMembers, room)
    const setPresence = useCallback(
      (data: JsonValue) => {
        store.dispatch(actions.setRoomPresence({ room, data }))
      },
      [store, actions, room],
    )
    return useMemo(() => ({ members, setPresence }), [members, setPresence])
  }
  return useRoomPresence
}

/**
 * A room's members and your data in it: joins the room while mounted (reference-counted with
 * `useChat`: the last hook on a room to unmount leaves it).
 *
 * @example
 * const { members, setPresence } = useRoomPresence('board')
 * setPresence({ cursor: { x: 10, y: 20 } })
 * members // [{ userId: 'alice', status: 'online', data: { cursor: { x: 10, y: 20 } } }, …]
 */
export const useRoomPresence: UseRoomPresence = createRoomPresenceHook()
