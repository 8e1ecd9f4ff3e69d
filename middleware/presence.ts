import { makeFrame } from '../src/protocol/build'
import type { PresenceStatus } from '../src/protocol/frames'
import {
  connection,
  presence,
  setCustomStatus,
  setStatus,
  subscribeToUser,
  unsubscribeFromUser,
} from '../slices/actions'
import type { Handler, RealtimeContext } from './context'

/**
 * Presence: your own status and custom status, and the users you follow. Both are remembered
 * and re-sent after every `auth_ok`, so a reconnect restores them; each new connection waits
 * for its presence snapshot before applying diffs (`presenceSync.ts`).
 */
export function buildPresenceHandler(ctx: RealtimeContext): Handler {
  const own: { status?: PresenceStatus; customStatus?: string } = {}
  const followed = new Set<string>()

  function sendOwn(): void {
    if (ctx.session.authenticated && (own.status !== undefined || own.customStatus !== undefined)) {
      ctx.send(makeFrame('presence_update', { data: { ...own } }))
    }
  }

  function sendSubscription(type: 'subscribe' | 'unsubscribe', userId: string): void {
    if (ctx.session.authenticated) ctx.send(makeFrame(type, { data: { topic: 'user', userId } }))
  }

  return (action) => {
    if (setStatus.match(action)) {
      own.status = action.payload.status
      sendOwn()
    } else if (setCustomStatus.match(action)) {
      own.customStatus = action.payload.customStatus
      sendOwn()
    } else if (subscribeToUser.match(action)) {
      const { userId } = action.payload
      if (followed.has(userId)) return
      followed.add(userId)
      ctx.dispatch(presence.subscribed({ userId }))
      sendSubscription('subscribe', userId)
    } else if (unsubscribeFromUser.match(action)) {
      const { userId } = action.payload
      if (!followed.delete(userId)) return
      ctx.dispatch(presence.unsubscribed({ userId }))
      sendSubscription('unsubscribe', userId)
    } else if (connection.opened.match(action) && !ctx.session.refresh) {
      sendOwn()
      for (const userId of followed) sendSubscription('subscribe', userId)
    } else if (connection.closed.match(action)) {
      ctx.presence.reset()
    }
  }
}
