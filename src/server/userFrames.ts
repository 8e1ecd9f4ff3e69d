import { WebSocketErrorCode } from '../protocol'
import type { PresenceUpdateFrame, SubscribeFrame, UnsubscribeFrame } from '../protocol'
import type { ClientConnection, ServerContext, Session } from './context'
import { storeFailedReply, withinTimeout } from './storeCalls'

/**
 * Runs an event board call (a shared board's may reject or hang): on a failure, or no answer
 * within `historyStoreTimeoutMs`, the connection gets a retryable `SERVER_ERROR` naming the frame.
 */
async function eventsCall(
  what: 'subscribe' | 'unsubscribe',
  frameId: string,
  connection: ClientConnection,
  context: ServerContext,
  call: () => void | Promise<void>,
): Promise<void> {
  try {
    // The memory board answers at once: no timer for it.
    const pending = call()
    if (pending)
      await withinTimeout(
        () => pending,
        context.options.historyStoreTimeoutMs,
        `event board ${what}`,
      )
  } catch (error) {
    context.options.logger.error(`redux-realtime server: event board ${what} failed`, error)
    connection.sendError(storeFailedReply(`events ${what} ${frameId} not done`, frameId))
  }
}

/**
 * `subscribe`: `{ topic: 'user', userId }` makes this connection watch that user's presence
 * (answered with a fresh snapshot); `{ topic: 'events' }` subscribes the user, on every device,
 * to event updates (a board that failed answers a retryable `SERVER_ERROR`). Nothing else
 * answers it.
 *
 * @example
 * handleSubscribe(frame, session, connection, context)
 */
export function handleSubscribe(
  frame: SubscribeFrame,
  session: Session,
  connection: ClientConnection,
  context: ServerContext,
): Promise<void> | void {
  const { data } = frame
  if (data.topic === 'events')
    return eventsCall('subscribe', frame.id, connection, context, () =>
      context.events.subscribe(session.userId),
    )
  context.presence.subscribe(connection, session.userId, data.userId)
}

/**
 * `unsubscribe`: the reverse of `subscribe`; the user is `removed` from this connection's
 * presence unless it still shares a room with them.
 */
export function handleUnsubscribe(
  frame: UnsubscribeFrame,
  session: Session,
  connection: ClientConnection,
  context: ServerContext,
): Promise<void> | void {
  const { data } = frame
  if (data.topic === 'events')
    return eventsCall('unsubscribe', frame.id, connection, context, () =>
      context.events.unsubscribe(session.userId),
    )
  context.presence.unsubscribe(connection, session.userId, data.userId)
}

/**
 * `presence_update` from a client sets its user's `status` ('online' | 'away' | 'busy') and/or
 * `customStatus` ('' clears it); every watcher gets the diff when something changed.
 *
 * @example
 * handlePresenceUpdate(frame, session, connection, context)
 */
export function handlePresenceUpdate(
  frame: PresenceUpdateFrame,
  session: Session,
  connection: ClientConnection,
  context: ServerContext,
): void {
  const { status, customStatus } = frame.data
  if (status === 'offline' || (status === undefined && customStatus === undefined)) {
    return connection.sendError({
      code: WebSocketErrorCode.INVALID_FRAME,
      message:
        status === 'offline'
          ? "status 'offline' cannot be chosen: a user is offline when no connection is open"
          : 'presence_update needs a status or a customStatus',
      refId: frame.id,
    })
  }
  context.presence.update(session.userId, {
    ...(status !== undefined ? { status } : {}),
    ...(customStatus !== undefined ? { customStatus } : {}),
  })
}
