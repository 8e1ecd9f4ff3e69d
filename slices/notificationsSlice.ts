import type { Reducer, UnknownAction } from '@reduxjs/toolkit'
import type { NotificationUpdateData } from '../src/protocol/frames'
import { notifications, outbox } from './actions'
import type { Notification } from './types'

/** Newest first, at most `maxNotifications`. System alerts are notifications of kind `system_alert`. */
export interface NotificationsSliceState {
  items: Notification[]
}

function apply(items: Notification[], { op, id }: NotificationUpdateData): Notification[] {
  switch (op) {
    case 'read':
      return items.some((n) => n.id === id && !n.read)
        ? items.map((n) => (n.id === id ? { ...n, read: true } : n))
        : items
    case 'read_all':
      return items.some((n) => !n.read)
        ? items.map((n) => (n.read ? n : { ...n, read: true }))
        : items
    case 'dismiss':
      return items.some((n) => n.id === id) ? items.filter((n) => n.id !== id) : items
    case 'clear':
      return items.length > 0 ? [] : items
  }
}

export function createNotificationsReducer({
  maxNotifications,
}: {
  maxNotifications: number
}): Reducer<NotificationsSliceState> {
  const add = (state: NotificationsSliceState, fresh: Notification[]): NotificationsSliceState => {
    const known = new Set(state.items.map((n) => n.id))
    const added = fresh.filter((n) => !known.has(n.id) && Boolean(known.add(n.id))).reverse()
    if (added.length === 0) return state
    return { items: [...added, ...state.items].slice(0, maxNotifications) }
  }
  const update = (
    state: NotificationsSliceState,
    data: NotificationUpdateData,
  ): NotificationsSliceState => {
    const items = apply(state.items, data)
    return items === state.items ? state : { items }
  }
  return (
    state: NotificationsSliceState = { items: [] },
    action: UnknownAction,
  ): NotificationsSliceState => {
    if (notifications.received.match(action)) return add(state, action.payload.notifications)
    if (notifications.systemAlertReceived.match(action)) {
      const { id, message, severity, at } = action.payload
      return add(state, [
        { id, title: message, kind: 'system_alert', severity, createdAt: at, read: false },
      ])
    }
    if (notifications.updated.match(action)) return update(state, action.payload)
    // Optimistic: a read/dismiss/clear shows at once; the stream echo applies it again harmlessly.
    if (outbox.enqueued.match(action) && action.payload.entry.type === 'notification_update') {
      return update(state, action.payload.entry.data)
    }
    return state
  }
}
