import { makeFrame } from '../src/protocol/build'
import { connection, events, subscribeToEvents, unsubscribeFromEvents } from '../slices/actions'
import type { Handler, RealtimeContext } from './context'

/**
 * Event updates: `subscribeToEvents` asks the server to put event updates (and reminders) on
 * this user's private stream, which makes them durable and resumable. The wish is re-sent after
 * every `auth_ok` (the server treats a repeat as a no-op).
 */
export function buildEventsHandler(ctx: RealtimeContext): Handler {
  let subscribed = false

  function send(): void {
    if (ctx.session.authenticated) {
      ctx.send(makeFrame(subscribed ? 'subscribe' : 'unsubscribe', { data: { topic: 'events' } }))
    }
  }

  return (action) => {
    if (subscribeToEvents.match(action) || unsubscribeFromEvents.match(action)) {
      const wanted = subscribeToEvents.match(action)
      if (wanted === subscribed) return
      subscribed = wanted
      ctx.dispatch(events.subscriptionChanged({ subscribed }))
      send()
    } else if (connection.opened.match(action) && subscribed && !ctx.session.refresh) {
      send()
    }
  }
}
