import { useCallback, useMemo } from 'react'
import { WebSocketContext, type WebSocketReactContext } from './context'
import type { PresenceStatus, UserPresence } from './core'
import type { RealtimeBinding } from './handle'
import { dispatching, useBinding } from './useBinding'
import { useStoreSelector } from './useStoreSelector'

/** What `usePresence` returns. */
export interface PresenceHandle {
  /** Ids of users known to be online (room co-members, followed users, you). */
  onlineUsers: readonly string[]
  /** User id → `{ status, customStatus?, lastSeen? }`. */
  userStatuses: Readonly<Record<string, UserPresence>>
  /** Your status ('online', 'away' or 'busy'); re-sent after every reconnect. */
  setStatus: (status: Exclude<PresenceStatus, 'offline'>) => void
  /** Your custom status text ('' clears it). */
  setCustomStatus: (customStatus: string) => void
  /** Follow a user's presence outside shared rooms. */
  subscribeToUser: (userId: string) => void
  unsubscribeFromUser: (userId: string) => void
  /** One user's presence, if known. */
  getUserStatus: (userId: string) => UserPresence | undefined
  /** Users followed with `subscribeToUser`. */
  subscriptions: readonly string[]
}

export type UsePresence = (websocket?: RealtimeBinding) => PresenceHandle

/**
 * Builds `usePresence` for a context of your own (see `WebSocketContext`).
 *
 * @example
 * const useSupportPresence = createPresenceHook(SupportContext)
 */
export function createPresenceHook(context: WebSocketReactContext = WebSocketContext): UsePresence {
  return function usePresence(websocket) {
    const { store, realtime } = useBinding(context, websocket, 'usePresence')
    const { selectors, actions } = realtime
    const onlineUsers = useStoreSelector(store, selectors.selectOnlineUsers)
    const userStatuses = useStoreSelector(
      store,
      useCallback((root: unknown) => selectors.selectRealtime(root).presence.users, [selectors]),
    )
    const subscriptions = useStoreSelector(store, selectors.selectPresenceSubscriptions)

    // Commands keep their identity across state updates, so effects may depend on them.
    const commands = useMemo(
      () => ({
        setStatus: dispatching(store, actions.setStatus),
        setCustomStatus: dispatching(store, actions.setCustomStatus),
        subscribeToUser: dispatching(store, actions.subscribeToUser),
        unsubscribeFromUser: dispatching(store, actions.unsubscribeFromUser),
      }),
      [store, actions],
    )
    return useMemo(
      () => ({
        ...commands,
        onlineUsers,
        userStatuses,
        subscriptions,
        getUserStatus: (userId: string) =>
          Object.hasOwn(userStatuses, userId) ? userStatuses[userId] : undefined,
      }),
      [commands, onlineUsers, userStatuses, subscriptions],
    )
  }
}

/**
 * Who is online and with what status, and your own status.
 *
 * @example
 * const presence = usePresence(websocket)
 * presence.setStatus('away')
 * presence.subscribeToUser('user-id')
 * presence.getUserStatus('user-id')?.status // 'online'
 */
export const usePresence: UsePresence = createPresenceHook()
