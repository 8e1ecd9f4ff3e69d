import { makeFrame, MessageType, WebSocketErrorCode } from '../protocol'
import type { Frame } from '../protocol'
import { handleAppMessage } from './appMessages'
import { handleAuth, refuseAuth } from './authFrame'
import type { ClientConnection, ServerContext } from './context'
import { handleDirectMessage, handleNotificationUpdate } from './privateStreamFrames'
import { handleChat, handleJoin, handleLeave } from './roomFrames'
import { handleReadReceipt, handleRoomPresence, handleTyping } from './roomSignals'
import { handlePresenceUpdate, handleSubscribe, handleUnsubscribe } from './userFrames'

/**
 * Handles one decoded client frame. The connection calls this strictly in arrival order. Before
 * a session only `auth` is taken (anything else closes with 4001); once the session's token has
 * expired, only `auth` is taken and everything else gets `TOKEN_EXPIRED`, unprocessed.
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
  if (connection.tokenExpired(Date.now())) {
    return connection.sendError({
      code: WebSocketErrorCode.TOKEN_EXPIRED,
      message: `the session's token expired: ${frame.type} not processed; send auth with a fresh token`,
      refId: frame.id,
    })
  }
  switch (frame.type) {
    case MessageType.PING:
      return connection.send(makeFrame(MessageType.PONG, { data: { echo: frame.timestamp } }))
    case MessageType.JOIN:
      return handleJoin(frame, session, connection, context)
    case MessageType.LEAVE:
      return handleLeave(frame, session, connection, context)
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
    case MessageType.ROOM_PRESENCE:
      return handleRoomPresence(frame, session, connection, context)
    case MessageType.PRESENCE_UPDATE:
      return handlePresenceUpdate(frame, session, connection, context)
    case MessageType.SUBSCRIBE:
      return handleSubscribe(frame, session, connection, context)
    case MessageType.UNSUBSCRIBE:
      return handleUnsubscribe(frame, session, connection, context)
    case MessageType.APP_MESSAGE:
      return handleAppMessage(frame, session, connection, context)
    case MessageType.DOC_SYNC:
    case MessageType.DOC_UPDATE:
    case MessageType.DOC_AWARENESS:
    case MessageType.DOC_CLOSE:
      return context.documents.handle(frame, session, connection)
    default:
      return connection.sendError({
        code: WebSocketErrorCode.INVALID_FRAME,
        message: `clients cannot send ${frame.type}`,
        refId: frame.id,
      })
  }
}
