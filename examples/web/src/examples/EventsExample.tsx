import { useEffect } from 'react'
import { subscribeToEvents, type EventData } from 'redux-realtime-kit'
import { useEvents, useNotifications, useWebSocketContext } from 'redux-realtime-kit/react'
import { formatDayTime, timeUntil } from '../format'
import { useNow } from '../useNow'

const SOON_MS = 30 * 60_000

function BellIcon() {
  return (
    <svg className="icon" viewBox="0 0 24 24" aria-hidden="true">
      <path d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1Z" />
    </svg>
  )
}
const month = new Intl.DateTimeFormat(undefined, { month: 'short' })

function StatusTag({ event, now }: { event: EventData; now: number }) {
  if (event.status === 'cancelled') {
    return (
      <span className="tag cancelled" data-testid="event-cancelled">
        Cancelled
      </span>
    )
  }
  const soon = event.startsAt - now < SOON_MS
  return <span className={soon ? 'tag soon' : 'tag'}>{timeUntil(event.startsAt, now)}</span>
}

/**
 * The seed's EventsExample: upcoming events that update live (new, moved, cancelled), and the
 * reminders the server sends before they start.
 */
export function EventsExample() {
  const { websocket } = useWebSocketContext()
  const events = useEvents(websocket)
  const { notifications } = useNotifications(websocket)
  const now = useNow(15_000)

  // Subscribed for the session: the server keeps it across reconnects.
  const { dispatch } = websocket
  useEffect(() => {
    dispatch(subscribeToEvents())
  }, [dispatch])

  const reminders = notifications.filter((n) => n.kind === 'event_reminder')
  const latestReminder = reminders[0]
  const reminded = new Set(reminders.map((n) => n.eventId))
  // Upcoming ones and recently cancelled ones (so a cancellation stays visible).
  const shown = events.events.filter((e) => (e.endsAt ?? e.startsAt) >= now)

  return (
    <section className="panel" data-testid="events">
      <div className="panel-head">
        <h2>Events</h2>
        <span className="muted small">
          {events.isSubscribed ? `${events.upcomingEvents.length} upcoming` : 'subscribing…'}
        </span>
      </div>
      <div className="panel-body">
        {shown.length === 0 ? (
          <div className="empty">No upcoming events.</div>
        ) : (
          <ul className="event-list">
            {shown.map((event) => (
              <li
                key={event.id}
                className={event.status === 'cancelled' ? 'event cancelled' : 'event'}
                data-testid="event-item"
                data-event={event.id}
                data-status={event.status}
              >
                <div className="event-date">
                  <div className="day">{new Date(event.startsAt).getDate()}</div>
                  <div className="month">{month.format(event.startsAt)}</div>
                </div>
                <div className="info">
                  <div className="title">{event.title}</div>
                  <div className="muted small">
                    {formatDayTime(event.startsAt)}
                    {event.location ? ` · ${event.location}` : ''}
                  </div>
                </div>
                <div>
                  <StatusTag event={event} now={now} />
                  {reminded.has(event.id) && event.status !== 'cancelled' ? (
                    <div className="muted small">reminder sent</div>
                  ) : null}
                </div>
              </li>
            ))}
          </ul>
        )}
        {latestReminder ? (
          <div className="reminder" data-testid="event-reminder">
            <BellIcon /> {latestReminder.title}
          </div>
        ) : null}
      </div>
    </section>
  )
}
