import type { Notification } from 'redux-realtime-kit'
import { useNotifications, useWebSocketContext } from 'redux-realtime-kit/react'
import { timeAgo } from '../format'
import { safeHref } from '../links'
import { useNow } from '../useNow'

// A Map: `kind` is any string from the wire, and `{}['__proto__']` is an object React cannot render.
const KIND_LABELS = new Map([
  ['system_alert', 'System'],
  ['event_reminder', 'Reminder'],
])

/**
 * The title, as a link when the notification has a safe one (see `safeHref`): in a new tab, so
 * the demo keeps its state, and with no access back to this one.
 */
function Title({ item }: { item: Notification }) {
  const title = <span data-testid="notification-title">{item.title}</span>
  const href = item.link === undefined ? undefined : safeHref(item.link)
  if (!href) return title
  return (
    <a href={href} target="_blank" rel="noopener noreferrer" data-testid="notification-link">
      {title}
    </a>
  )
}

function NotificationItem({
  item,
  now,
  onRead,
  onDismiss,
}: {
  item: Notification
  now: number
  onRead: () => void
  onDismiss: () => void
}) {
  const label = KIND_LABELS.get(item.kind)
  return (
    <li
      className={`notification severity-${item.severity}${item.read ? '' : ' unread'}`}
      data-testid="notification-item"
      data-read={item.read}
      data-kind={item.kind}
    >
      <span className="marker" />
      <div className="content">
        <div className="title">
          {label ? <span className="tag">{label}</span> : null} <Title item={item} />
        </div>
        {item.body ? <div data-testid="notification-body">{item.body}</div> : null}
        <div className="muted small">{timeAgo(item.createdAt, now)}</div>
      </div>
      <div className="controls">
        {item.read ? null : (
          <button type="button" className="link" data-testid="notification-read" onClick={onRead}>
            Mark read
          </button>
        )}
        <button
          type="button"
          className="link"
          data-testid="notification-dismiss"
          onClick={onDismiss}
        >
          Dismiss
        </button>
      </div>
    </li>
  )
}

/**
 * The seed's NotificationsExample: the notification center with an unread badge; read,
 * dismiss and clear are applied at once and synced to the user's other tabs and devices.
 */
export function NotificationsExample() {
  const { websocket } = useWebSocketContext()
  const notifications = useNotifications(websocket, { maxNotifications: 50 })
  const now = useNow()
  const { unreadCount } = notifications
  return (
    <section className="panel" data-testid="notifications">
      <div className="panel-head">
        <h2>Notifications</h2>
        <span
          className={unreadCount > 0 ? 'badge' : 'badge zero'}
          data-testid="unread-badge"
          aria-label={`${unreadCount} unread`}
        >
          {unreadCount}
        </span>
        <div className="actions">
          <button
            type="button"
            data-testid="notifications-read-all"
            disabled={unreadCount === 0}
            onClick={notifications.markAllAsRead}
          >
            Mark all read
          </button>
          <button
            type="button"
            data-testid="notifications-clear"
            disabled={notifications.notifications.length === 0}
            onClick={notifications.clearAll}
          >
            Clear
          </button>
        </div>
      </div>
      {notifications.notifications.length === 0 ? (
        <div className="empty">You are all caught up.</div>
      ) : (
        <ul className="notification-list">
          {notifications.notifications.map((item) => (
            <NotificationItem
              key={item.id}
              item={item}
              now={now}
              onRead={() => notifications.markAsRead(item.id)}
              onDismiss={() => notifications.dismiss(item.id)}
            />
          ))}
        </ul>
      )}
    </section>
  )
}
