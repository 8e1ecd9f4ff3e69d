import {
  generatePrivateRoomId,
  makeFrame,
  MessageType,
  privateStreamOf,
  WebSocketErrorCode,
} from '../protocol'
import type { DirectMessageFrame, NotificationUpdateFrame } from '../protocol'
import { isAllowed } from './access'
import type { ClientConnection, ServerContext, Session } from './context'
import { storedTooLarge } from './frameLimit'
import { duplicateIdError } from './roomFrames'
import { storeWrite } from './storeCalls'

const clientKey = (userId: string, id: string) => `${userId}\u0000${id}`

/**
 * `direct_message`: stored on the sender's and on the addressee's private stream (each copy
 * with that stream's seq and `room`), broadcast to each stream's connections, then acked with
 * the seq on the sender's stream. A repeated id stores nothing new and is acked again; an id
 * another author already used in either stream is refused with `DUPLICATE_ID`, stored nowhere.
 *
 * @example
 * await handleDirectMessage(frame, session, connection, context) // both users' devices get it
 */
export async function handleDirectMessage(
  frame: DirectMessageFrame,
  session: Session,
  connection: ClientConnection,
  context: ServerContext,
): Promise<void> {
  const { id, data } = frame
  const sender = session.userId
  if (data.to === sender) {
    return connection.sendError({
      code: WebSocketErrorCode.INVALID_FRAME,
      message: 'a direct message cannot be sent to yourself',
      refId: id,
    })
  }
  const room = generatePrivateRoomId(sender, data.to)
  if (!(await isAllowed(context, { userId: sender, room, action: 'write' }))) {
    return connection.sendError({
      code: WebSocketErrorCode.FORBIDDEN,
      message: `not allowed to send direct messages to ${data.to}`,
      refId: id,
    })
  }
  const key = clientKey(sender, id)
  const own = privateStreamOf(sender)
  const addressee = privateStreamOf(data.to)
  const copyOn = (stream: string, source: Pick<DirectMessageFrame, 'timestamp' | 'data'>) =>
    makeFrame(MessageType.DIRECT_MESSAGE, {
      id,
      room: stream,
      userId: sender,
      timestamp: source.timestamp,
      data: source.data,
    })
  const first = copyOn(own, { timestamp: Date.now(), data })
  // The copy on the longer stream name is the larger one.
  const longer = addressee.length > own.length ? copyOn(addressee, first) : first
  const refusal = storedTooLarge(longer, context.options.maxPayload)
  if (refusal) return connection.sendError(refusal)
  const refused = await storeWrite(connection, own, id, undefined, async () => {
    // Asked before the first copy is written, so a refused message is on neither stream.
    if (await context.rooms.idTaken(addressee, id, key)) return duplicateIdError(id, addressee)
    const mine = await context.rooms.publish(own, first, key)
    if (mine.conflict) return duplicateIdError(id, own)
    // A repeat may follow a failure between the two appends: finish the original's second copy.
    const original = mine.frame.type === MessageType.DIRECT_MESSAGE ? mine.frame : first
    const theirs = privateStreamOf(original.data.to)
    const copy = await context.rooms.publish(theirs, copyOn(theirs, original), key)
    // Only a write racing in between lands here; the sender's copy then stays on its stream.
    if (copy.conflict) return duplicateIdError(id, theirs)
    connection.send(makeFrame(MessageType.ACK, { room: own, data: { refId: id, seq: mine.seq } }))
    return null
  })
  if (refused) connection.sendError(refused)
}

/**
 * `notification_update` (read, read all, dismiss, clear): appended to the user's own private
 * stream under a server id, so every device applies it in the same order; acked with the
 * client's id. A repeated client id appends nothing new.
 *
 * @example
 * await handleNotificationUpdate(frame, session, connection, context)
 */
export async function handleNotificationUpdate(
  frame: NotificationUpdateFrame,
  session: Session,
  connection: ClientConnection,
  context: ServerContext,
): Promise<void> {
  const { userId } = session
  const stream = privateStreamOf(userId)
  const update = makeFrame(MessageType.NOTIFICATION_UPDATE, {
    room: stream,
    userId,
    data: frame.data,
  })
  const result = await storeWrite(connection, stream, frame.id, undefined, () =>
    context.rooms.publish(stream, update, clientKey(userId, frame.id)),
  )
  if (!result) return
  const { seq } = result
  connection.send(makeFrame(MessageType.ACK, { room: stream, data: { refId: frame.id, seq } }))
}
