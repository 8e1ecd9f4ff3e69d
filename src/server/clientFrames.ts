import { CloseCode, createId, makeFrame, MessageType, WebSocketErrorCode } from '../protocol'
import type { AuthFrame, Frame } from '../protocol'
import type { ClientConnection, ServerContext } from './context'
import { MIN_CLIENT_FRAME_BYTES } from './frameLimit'
import { handleDirectMessage, handleNotificationUpdate } from './privateStreamFrames'
import { handleChat, handleJoin, handleLeave } from './roomFrames'
import { handleReadReceipt, handleTyping } from './roomSignals'
import { handlePresenceUpdate, handleSubscribe, handleUnsubscribe } from './userFrames'

function refuseAuth(connection: ClientConnection, message: string, refId?: string): void {
  connection.sendError({
    code: WebSocketErrorCode.AUTHENTICATION_FAILED,
    message,
    ...(refId ? { refId } : {}),
  })
  connection.close(CloseCode.AUTH_FAILED, message)
}

async function handleAuth(
  frame: AuthFrame,
  connection: ClientConnection,
  context: ServerContext,
): Promise<void> {
  const check = await context.verifyToken(frame.data.token)
  if (connection.closed) return
  if (!check.ok) return refuseAuth(connection, check.reason, frame.id)
  const current = connection.session
  if (current && current.userId !== check.userId) {
    return refuseAuth(connection, 'a refreshed token must be for the same user', frame.id)
  }
  const { maxPayload, rateLimit, maxInFlight } = context.options
  const clientLimit = frame.data.maxFrameBytes
  if (clientLimit !== undefined && clientLimit < MIN_CLIENT_FRAME_BYTES) {
    return refuseAuth(
      connection,
      `data.maxFrameBytes must be at least ${MIN_CLIENT_FRAME_BYTES}, got ${clientLimit}`,
      frame.id,
    )
  }
  const session = current ?? { userId: check.userId, sessionId: createId() }
  // A refresh that does not state a limit keeps the one stated before.
  connection.startSession(session, Math.min(maxPayload, clientLimit ?? connection.maxFrameBytes))
  connection.send(
    makeFrame(MessageType.AUTH_OK, {
      data: {
        ...session,
        epoch: context.epoch,
        maxFrameBytes: maxPayload,
        expiresAt: check.expiresAt,
        ...(rateLimit
          ? { rateLimit: { messages: rateLimit.messages, perMs: rateLimit.perMs } }
          : {}),
        maxInFlight,
      },
    }),
  )
  // A refreshed token on a live socket is not a new connection.
  if (!current) context.presence.connected(connection, session.userId)
}

/**
 * Handles one decoded client frame. The connection calls this strictly in arrival order.
 *
 * @example
 * queue.run(() => handleClientFrame(frame, connection, context))
 */
export async function handleClientFrame(
  frame: Frame,
  connection: ClientConnection,
  context: ServerContext,
): Promise<void> {
  if (frame.type === MessageType.AUTH) return handleAuth(frame, connection, context)
  const session = connection.session
  if (!session) return refuseAuth(connection, 'authenticate first', frame.id)
  switch (frame.type) {
    case MessageType.PING:
      return connection.send(makeFrame(MessageType.PONG, { data: { echo: frame.timestamp } }))
    case MessageType.JOIN:
      return handleJoin(frame, session, connection, context)
    case MessageType.LEAVE:
      return handleLeave(frame, connection, context)
    case MessageType.CHAT_MESSAGE:
      return handleChat(frame, session, connection, context)
    case MessageType.DIRECT_MESSAGE:
      return handleDirectMessage(frame, session, connection, context)
    case MessageType.NOTIFICATION_UPDATE:
      return handleNotificationUpdate(frame, session, connection, context)
    case MessageType.TYPING_START:
    case MessageType.TYPING_STOP:
      return handleTyping(frame, session, connection, context)
    case MessageType.READ_RECEIPT:
      return handleReadReceipt(frame, session, connection, context)
    case MessageType.PRESENCE_UPDATE:
      return handlePresenceUpdate(frame, session, connection, context)
    case MessageType.SUBSCRIBE:
      return handleSubscribe(frame, session, connection, context)
    case MessageType.UNSUBSCRIBE:
      return handleUnsubscribe(frame, session, connection, context)
    default:
      return connection.sendError({
        code: WebSocketErrorCode.INVALID_FRAME,
        message: `clients cannot send ${frame.type}`,
        refId: frame.id,
      })
  }
}
