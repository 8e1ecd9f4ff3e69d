import {
  isPrivateStream,
  makeFrame,
  MAX_ROOM_PRESENCE_BYTES,
  MessageType,
  WebSocketErrorCode,
} from '../protocol'
import type {
  ReadReceiptFrame,
  RoomPresenceFrame,
  TypingStartFrame,
  TypingStopFrame,
} from '../protocol'
import type { ClientConnection, ServerContext, Session } from './context'
import { storeFailedReply, withinTimeout } from './storeCalls'

/** Typing, read receipts and room presence reach only members; true when the sender is one. */
function requireMember(
  connection: ClientConnection,
  context: ServerContext,
  frame: { id: string; room: string },
): boolean {
  if (context.rooms.isMember(connection, frame.room)) return true
  connection.sendError({
    code: WebSocketErrorCode.NOT_JOINED,
    message: `join ${frame.room} before sending to it`,
    refId: frame.id,
    room: frame.room,
  })
  return false
}

/**
 * `typing_start` / `typing_stop`: relayed to the room's other connections as from the sender,
 * on every process (`rooms.signal`). Not stored, not sequenced, not acked: a typing hint is
 * worthless a few seconds later.
 *
 * @example
 * handleTyping(frame, session, connection, context) // every other member gets it
 */
export function handleTyping(
  frame: TypingStartFrame | TypingStopFrame,
  session: Session,
  connection: ClientConnection,
  context: ServerContext,
): void {
  if (!requireMember(connection, context, frame)) return
  const { room } = frame
  const relay: TypingStartFrame | TypingStopFrame =
    frame.type === MessageType.TYPING_START
      ? makeFrame(MessageType.TYPING_START, { room, userId: session.userId, data: {} })
      : makeFrame(MessageType.TYPING_STOP, { room, userId: session.userId, data: {} })
  context.rooms.signal(room, relay, connection)
}

/**
 * `read_receipt`: keeps the user's highest position in the room and relays it to every member
 * on every process (the sender's other devices included). A lower seq than already known
 * changes nothing. A receipt store that fails or hangs (`historyStoreTimeoutMs`) refuses it with
 * a retryable `SERVER_ERROR`.
 *
 * @example
 * handleReadReceipt(frame, session, connection, context) // members see bob read up to seq 9
 */
export async function handleReadReceipt(
  frame: ReadReceiptFrame,
  session: Session,
  connection: ClientConnection,
  context: ServerContext,
): Promise<void> {
  if (!requireMember(connection, context, frame)) return
  const { room, data } = frame
  let recorded: boolean
  try {
    recorded = await withinTimeout(
      () => context.receipts.record(room, session.userId, data),
      context.options.historyStoreTimeoutMs,
      `read receipt store record of ${room}`,
    )
  } catch (error) {
    context.options.logger.error(`redux-realtime server: could not record a read receipt`, error)
    return connection.sendError(
      storeFailedReply(`read receipt ${frame.id} not recorded in ${room}`, frame.id, room),
    )
  }
  if (!recorded) return
  context.rooms.signal(
    room,
    makeFrame(MessageType.READ_RECEIPT, { room, userId: session.userId, data }),
  )
}

/**
 * `room_presence { data }`: sets the sender's user's data in the room (JSON of at most 1 KiB,
 * checked by the codec), sends every member the change, and acks the sender. Not stored, not
 * sequenced: the member list is state, rebuilt on every join.
 *
 * @example
 * handleRoomPresence(frame, session, connection, context) // members see alice's new data
 */
export function handleRoomPresence(
  frame: RoomPresenceFrame,
  session: Session,
  connection: ClientConnection,
  context: ServerContext,
): void {
  const { room, id, data } = frame
  if (isPrivateStream(room)) {
    return connection.sendError({
      code: WebSocketErrorCode.FORBIDDEN,
      message: `${room} is a private stream: it has no room presence`,
      refId: id,
      room,
    })
  }
  if (!requireMember(connection, context, frame)) return
  if (data.data === undefined) {
    return connection.sendError({
      code: WebSocketErrorCode.INVALID_FRAME,
      message: `room_presence needs data.data: your data in the room, JSON of at most ${MAX_ROOM_PRESENCE_BYTES} bytes`,
      refId: id,
      room,
    })
  }
  context.presence.setRoomData(session.userId, room, data.data)
  connection.send(makeFrame(MessageType.ACK, { room, data: { refId: id } }))
}
