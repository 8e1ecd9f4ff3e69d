import { CloseCode, createId, makeFrame, MessageType, WebSocketErrorCode } from '../protocol'
import type {
  AuthFrame,
  ChatMessageFrame,
  ErrorData,
  Frame,
  JoinFrame,
  LeaveFrame,
} from '../protocol'
import type { TokenVerifier } from './auth'
import type { AuthorizeRequest, ResolvedServerOptions } from './options'
import type { RoomMember, Rooms } from './rooms'

/** Who an authenticated connection is. */
export interface Session {
  userId: string
  sessionId: string
}

/** An error frame's data, optionally naming the room it is about. */
export type ErrorReply = ErrorData & { room?: string }

/** What the frame handlers may do to the connection that sent the frame. */
export interface ClientConnection extends RoomMember {
  readonly session: Session | undefined
  /** Records the authenticated user and stops the auth timeout. */
  startSession(session: Session): void
  send(frame: Frame): void
  sendError(error: ErrorReply): void
  close(code: number, reason: string): void
}

/** Server-wide collaborators every connection shares. */
export interface ServerContext {
  options: ResolvedServerOptions
  rooms: Rooms
  verifyToken: TokenVerifier
  epoch: string
}

function refuseAuth(connection: ClientConnection, message: string, refId?: string): void {
  connection.sendError({
    code: WebSocketErrorCode.AUTHENTICATION_FAILED,
    message,
    ...(refId ? { refId } : {}),
  })
  connection.close(CloseCode.AUTH_FAILED, message)
}

async function isAllowed(context: ServerContext, request: AuthorizeRequest): Promise<boolean> {
  try {
    return (await context.options.authorize(request)) === true
  } catch (error) {
    context.options.logger.warn(
      `redux-realtime server: authorize threw for ${request.action} ${request.room}`,
      error,
    )
    return false
  }
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
  const session = current ?? { userId: check.userId, sessionId: createId() }
  connection.startSession(session)
  connection.send(
    makeFrame(MessageType.AUTH_OK, {
      data: { ...session, epoch: context.epoch, maxFrameBytes: context.options.maxPayload },
    }),
  )
}

async function handleJoin(
  frame: JoinFrame,
  session: Session,
  connection: ClientConnection,
  context: ServerContext,
): Promise<void> {
  const { room } = frame
  if (!(await isAllowed(context, { userId: session.userId, room, action: 'join' }))) {
    return connection.sendError({
      code: WebSocketErrorCode.FORBIDDEN,
      message: `not allowed to join ${room}`,
      refId: frame.id,
      room,
    })
  }
  await context.rooms.join(connection, room, frame.data)
}

function handleLeave(
  frame: LeaveFrame,
  connection: ClientConnection,
  context: ServerContext,
): void {
  context.rooms.leave(connection, frame.room)
  connection.send(makeFrame(MessageType.LEFT, { room: frame.room, data: {} }))
}

async function handleChat(
  frame: ChatMessageFrame,
  session: Session,
  connection: ClientConnection,
  context: ServerContext,
): Promise<void> {
  const { room, id } = frame
  if (!context.rooms.isMember(connection, room)) {
    return connection.sendError({
      code: WebSocketErrorCode.NOT_JOINED,
      message: `join ${room} before sending to it`,
      refId: id,
      room,
    })
  }
  if (!(await isAllowed(context, { userId: session.userId, room, action: 'write' }))) {
    return connection.sendError({
      code: WebSocketErrorCode.FORBIDDEN,
      message: `not allowed to write to ${room}`,
      refId: id,
      room,
    })
  }
  // The server decides who sent it and when; the client's id stays as the idempotency key.
  const unsequenced = makeFrame(MessageType.CHAT_MESSAGE, {
    id,
    room,
    userId: session.userId,
    data: frame.data,
  })
  const { seq } = await context.rooms.publish(room, unsequenced, `${session.userId}\u0000${id}`)
  connection.send(makeFrame(MessageType.ACK, { room, data: { refId: id, seq } }))
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
    default:
      return connection.sendError({
        code: WebSocketErrorCode.INVALID_FRAME,
        message: `clients cannot send ${frame.type}`,
        refId: frame.id,
      })
  }
}
