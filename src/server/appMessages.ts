import { isPrivateStream, makeFrame, MessageType, WebSocketErrorCode } from '../protocol'
import type { AppMessageFrame } from '../protocol'
import { isAllowed } from './access'
import type { ClientConnection, ServerContext, Session } from './context'
import { storedTooLarge } from './frameLimit'
import { duplicateIdError } from './roomFrames'
import { storeWrite } from './storeCalls'

/** The longest reason an error frame carries (the codec's limit for `message`). */
const MAX_ERROR_MESSAGE = 1024

/** Asks the app's `validateMessage`; a throw or an answer other than `true` refuses. */
async function refusalOf(
  frame: AppMessageFrame,
  session: Session,
  context: ServerContext,
): Promise<string | undefined> {
  const validate = context.options.validateMessage
  if (!validate) return undefined
  const { type, data } = frame.data
  try {
    const answer = await validate(type, data, { userId: session.userId, room: frame.room })
    if (answer === true) return undefined
    return typeof answer === 'string' && answer !== '' ? answer : 'refused by validateMessage'
  } catch (error) {
    context.options.logger.warn(`redux-realtime server: validateMessage threw for ${type}`, error)
    return 'validateMessage failed'
  }
}

/**
 * `app_message`: an app-defined message to a room. The sender must be a member, `authorize`
 * must allow `{ action: 'publish', type }` and `validateMessage` (when set) must accept the
 * data. A durable one is then stored with the room's next seq (history, replay and
 * idempotency like chat), broadcast to every member, the sender included, and acked; a
 * volatile one is relayed to the room's other connections only (on every process): no seq, no
 * history, no ack.
 *
 * @example
 * await handleAppMessage(frame, session, connection, context)
 */
export async function handleAppMessage(
  frame: AppMessageFrame,
  session: Session,
  connection: ClientConnection,
  context: ServerContext,
): Promise<void> {
  const { room, id } = frame
  const { type, data, volatile } = frame.data
  const refuse = (code: WebSocketErrorCode, message: string) =>
    connection.sendError({ code, message: message.slice(0, MAX_ERROR_MESSAGE), refId: id, room })
  if (isPrivateStream(room)) {
    return refuse(WebSocketErrorCode.FORBIDDEN, `${room} is a private stream; publish to a room`)
  }
  if (!context.rooms.isMember(connection, room)) {
    return refuse(WebSocketErrorCode.NOT_JOINED, `join ${room} before publishing to it`)
  }
  const request = { userId: session.userId, room, action: 'publish', type } as const
  if (!(await isAllowed(context, request))) {
    return refuse(WebSocketErrorCode.FORBIDDEN, `not allowed to publish ${type} to ${room}`)
  }
  const refusal = await refusalOf(frame, session, context)
  if (refusal !== undefined) {
    return refuse(WebSocketErrorCode.INVALID_MESSAGE, `${type} ${id} refused: ${refusal}`)
  }
  if (volatile) {
    const relay = makeFrame(MessageType.APP_MESSAGE, {
      id,
      room,
      userId: session.userId,
      data: { type, data, volatile },
    })
    // Worthless a moment later: a member it does not fit simply does not get it.
    return context.rooms.signal(room, relay, connection)
  }
  const unsequenced = makeFrame(MessageType.APP_MESSAGE, {
    id,
    room,
    userId: session.userId,
    data: { type, data },
  })
  const tooLarge = storedTooLarge(unsequenced, context.options.maxPayload)
  if (tooLarge) return connection.sendError({ ...tooLarge, room })
  const result = await storeWrite(connection, room, id, room, () =>
    context.rooms.publish(room, unsequenced, `${session.userId}\u0000${id}`),
  )
  if (!result) return
  if (result.conflict) return connection.sendError(duplicateIdError(id, room, room))
  connection.send(makeFrame(MessageType.ACK, { room, data: { refId: id, seq: result.seq } }))
}
