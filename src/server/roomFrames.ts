import { isPrivateStream, makeFrame, MessageType, WebSocketErrorCode } from '../protocol'
import type { ChatMessageFrame, Frame, JoinFrame, LeaveFrame } from '../protocol'
import { isAllowed } from './access'
import type { ClientConnection, ErrorReply, ServerContext, Session } from './context'
import { storedTooLarge } from './frameLimit'
import { replayBatches } from './joinReplay'
import { storeJoin, storeWrite, withinTimeout } from './storeCalls'

/**
 * The refusal of a message whose id another author already used in `stream`; `room` is the
 * error frame's room (a direct message's has none).
 *
 * @example
 * connection.sendError(duplicateIdError(frame.id, 'general', 'general'))
 */
export function duplicateIdError(id: string, stream: string, room?: string): ErrorReply {
  return {
    code: WebSocketErrorCode.DUPLICATE_ID,
    message: `message id ${id} is already used in ${stream} by another user; pick a new id`,
    refId: id,
    ...(room !== undefined ? { room } : {}),
  }
}

/**
 * After the replay: the room's read receipts, one per user, batched when there are several. A
 * receipt store that fails or hangs leaves them out (logged): the join itself succeeded, and
 * receipts relayed from now on still come.
 */
async function sendReceipts(
  connection: ClientConnection,
  room: string,
  context: ServerContext,
): Promise<void> {
  let known: Awaited<ReturnType<ServerContext['receipts']['of']>>
  try {
    known = await withinTimeout(
      () => context.receipts.of(room),
      context.options.historyStoreTimeoutMs,
      `read receipt store read of ${room}`,
    )
  } catch (error) {
    context.options.logger.error(
      `redux-realtime server: could not read the receipts of ${room}`,
      error,
    )
    return
  }
  if (connection.closed) return
  const receipts: Frame[] = known.map(({ userId, receipt }) =>
    makeFrame(MessageType.READ_RECEIPT, { room, userId, data: receipt }),
  )
  if (receipts.length === 1) return connection.send(receipts[0] as Frame)
  for (const message of replayBatches(room, receipts, connection.maxFrameBytes))
    connection.send(message)
}

/**
 * `join`: checks permission, sends `joined` and the replay, then the room's read receipts and
 * the connection's grown presence snapshot. A user's own private stream is joined like a room.
 *
 * @example
 * await handleJoin(frame, session, connection, context)
 */
export async function handleJoin(
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
  const joined = await storeJoin(connection, room, frame.id, () =>
    context.rooms.join(connection, room, frame.data, frame.id),
  )
  if (!joined || connection.closed) return
  await sendReceipts(connection, room, context)
  context.presence.joined(connection, session.userId, room)
}

/**
 * `leave`: stops broadcasting the room to this connection and answers `left`; then presence
 * says who stopped seeing whom (`presence.ts`).
 */
export function handleLeave(
  frame: LeaveFrame,
  session: Session,
  connection: ClientConnection,
  context: ServerContext,
): void {
  const wasMember = context.rooms.isMember(connection, frame.room)
  context.rooms.leave(connection, frame.room)
  connection.send(makeFrame(MessageType.LEFT, { room: frame.room, data: {} }))
  if (wasMember) context.presence.left(connection, session.userId, frame.room)
}

/**
 * `chat_message`: stored with the room's next seq, broadcast to its members, then acked. The
 * same author's repeated id is acked again with its seq; another author's is refused with
 * `DUPLICATE_ID`. Private streams take no chat: they carry only what the server writes to them.
 *
 * @example
 * await handleChat(frame, session, connection, context) // members get it, the sender an ack
 */
export async function handleChat(
  frame: ChatMessageFrame,
  session: Session,
  connection: ClientConnection,
  context: ServerContext,
): Promise<void> {
  const { room, id } = frame
  if (isPrivateStream(room)) {
    return connection.sendError({
      code: WebSocketErrorCode.FORBIDDEN,
      message: `${room} is a private stream; send a direct_message instead`,
      refId: id,
      room,
    })
  }
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
  const refusal = storedTooLarge(unsequenced, context.options.maxPayload)
  if (refusal) return connection.sendError({ ...refusal, room })
  const result = await storeWrite(connection, room, id, room, () =>
    context.rooms.publish(room, unsequenced, `${session.userId}\u0000${id}`),
  )
  if (!result) return
  if (result.conflict) return connection.sendError(duplicateIdError(id, room, room))
  connection.send(makeFrame(MessageType.ACK, { room, data: { refId: id, seq: result.seq } }))
}
