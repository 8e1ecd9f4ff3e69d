import { useEffect, useMemo, useRef } from 'react'
import { WebSocketContext, type WebSocketReactContext } from './context'
import type { Notification } from './core'
import type { RealtimeBinding } from './handle'
import { dispatching, dispatchingNone, isBinding, useBinding } from './useBinding'
import { useStoreSelector } from './useStoreSelector'

/** The seed's `useNotifications` options. */
export interface UseNotificationsOptions {
  /** Show at most this many, newest first (state keeps `maxNotifications` from the config). */
  maxNotifications?: number
  /** Mark notifications read as soon as they are shown here (default false). */
  autoMarkRead?: boolean
}

/** What `useNotifications` returns. */
export interface NotificationsHandle {
  /** Newest first; system alerts are notifications of `kind: 'system_alert'`. */
  notifications: readonly Notification[]
  /** Unread notifications in state. */
  unreadCount: number
  /** Applied at once, then synced to your other devices through the server. */
  markAsRead: (notificationId: string) => void
  markAllAsRead: () => void
  dismiss: (notificationId: string) => void
  clearAll: () => void
}

export interface UseNotifications {
  (websocket?: RealtimeBinding, options?: UseNotificationsOptions): NotificationsHandle
  /** Inside `<WebSocketProvider>`. */
  (options: UseNotificationsOptions): NotificationsHandle
}

/**
 * Builds `useNotifications` for a context of your own (see `WebSocketContext`).
 *
 * @example
 * const useSupportNotifications = createNotificationsHook(SupportContext)
 */
export function createNotificationsHook(
  context: WebSocketReactContext = WebSocketContext,
): UseNotifications {
  function useNotifications(
    first?: RealtimeBinding | UseNotificationsOptions,
    second?: UseNotificationsOptions,
  ): NotificationsHandle {
    const bound = isBinding(first)
    const websocket = bound ? first : undefined
    const options = (bound ? second : (first ?? second)) ?? {}
    const { maxNotifications, autoMarkRead = false } = options
    const { store, realtime } = useBinding(context, websocket, 'useNotifications')
    const { selectors, actions } = realtime

    const items = useStoreSelector(store, selectors.selectNotifications)
    const notifications = useMemo(
      (): readonly Notification[] =>
        maxNotifications !== undefined && items.length > maxNotifications
          ? items.slice(0, maxNotifications)
          : items,
      [items, maxNotifications],
    )
    const unreadCount = useStoreSelector(store, selectors.selectUnreadCount)

    // Each shown notification is marked read once (the update is optimistic and synced).
    const marked = useRef(new Set<string>())
    useEffect(() => {
      if (!autoMarkRead) return
      for (const n of notifications) {
        if (n.read || marked.current.has(n.id)) continue
        marked.current.add(n.id)
        store.dispatch(actions.markNotificationRead(n.id))
      }
    }, [autoMarkRead, notifications, store, actions])

    // Commands keep their identity across state updates, so effects may depend on them.
    const commands = useMemo(
      () => ({
        markAsRead: dispatching(store, actions.markNotificationRead),
        markAllAsRead: dispatchingNone(store, actions.markAllNotificationsRead),
        dismiss: dispatching(store, actions.dismissNotification),
        clearAll: dispatchingNone(store, actions.clearNotifications),
      }),
      [store, actions],
    )
    return useMemo(
      () => ({ ...commands, notifications, unreadCount }),
      [commands, notifications, unreadCount],
    )
  }
  return useNotifications
}

/**
 * Your notifications (and system alerts), newest first, with read/dismiss/clear that sync to
 * your other devices.
 *
 * @example
 * const notifications = useNotifications(websocket, { maxNotifications: 50, autoMarkRead: false })
 * notifications.unreadCount // 3
 * notifications.markAllAsRead()
 */
export const useNotifications: UseNotifications = createNotificationsHook()
