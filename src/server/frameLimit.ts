import { encodeFrame, makeFrame, MessageType, WebSocketErrorCode } from '../protocol'
import type { ErrorFrame, Frame, StreamFrame } from '../protocol'
import type { ErrorReply } from './context'
import type { UnsequencedStreamFrame } from './historyStore'

/** The smallest `auth.data.maxFrameBytes` accepted: below it the server's own replies do not fit. */
export const MIN_CLIENT_FRAME_BYTES = 1024

/** A frame encoded once, with its UTF-8 size, for sending to many connections. */
export interface EncodedFrame {
  text: string
  bytes: number
}

/**
 * Encodes and measures a frame once per broadcast.
 *
 * @example
 * const encoded = encodeOnce(frame)
 * for (const member of members) member.sendText(encoded.text, encoded.bytes)
 */
export function encodeOnce(frame: Frame): EncodedFrame {
  const text = encodeFrame(frame)
  return { text, bytes: Buffer.byteLength(text) }
}

/** Frames that carry a stream's `seq`, so a skipped one can be named for the client's cursor. */
export function isStreamFrame(frame: Frame): frame is StreamFrame {
  return (
    frame.seq !== undefined &&
    (frame.type === MessageType.CHAT_MESSAGE ||
      frame.type === MessageType.DIRECT_MESSAGE ||
      frame.type === MessageType.NOTIFICATION ||
      frame.type === MessageType.NOTIFICATION_UPDATE ||
      frame.type === MessageType.EVENT_UPDATE ||
      frame.type === MessageType.APP_MESSAGE)
  )
}

/**
 * What a connection gets instead of a stream frame above its limit: an `error` in the frame's
 * stream naming its seq, so the client's cursor moves past it. No `refId`: the write itself was
 * accepted (its sender is still acked).
 *
 * @example
 * member.sendText(encodeFrame(tooLargeError('general', frame, 70_000, 16_384)))
 */
export function tooLargeError(
  room: string,
  frame: StreamFrame,
  bytes: number,
  limit: number,
): ErrorFrame {
  return makeFrame(MessageType.ERROR, {
    room,
    data: {
      code: WebSocketErrorCode.MESSAGE_TOO_LARGE,
      message: `skipped ${frame.type} seq ${frame.seq} in ${room}: ${bytes} bytes is above this connection's maxFrameBytes of ${limit}`,
      seq: frame.seq,
    },
  })
}

/**
 * The refusal of a client's write that, with the fields the server adds (`userId`, `seq`), would
 * be stored larger than `maxPayload`, so no client could be sent it; undefined when it fits.
 *
 * @example
 * const refusal = storedTooLarge(unsequenced, options.maxPayload)
 * if (refusal) return connection.sendError({ ...refusal, room })
 */
export function storedTooLarge(
  frame: UnsequencedStreamFrame,
  maxPayload: number,
): ErrorReply | undefined {
  // The widest seq the frame could get.
  const bytes = Buffer.byteLength(encodeFrame({ ...frame, seq: Number.MAX_SAFE_INTEGER }))
  if (bytes <= maxPayload) return undefined
  return {
    code: WebSocketErrorCode.MESSAGE_TOO_LARGE,
    message: `${frame.type} ${frame.id} would be stored as ${bytes} bytes, above the server's maxPayload of ${maxPayload}`,
    refId: frame.id,
  }
}

/**
 * Splits the items of a list frame into chunks of at most `maxItems` whose JSON together takes
 * at most `budget` bytes (the frame's limit less its envelope); an item too big for the budget
 * gets a chunk of its own (callers make every item fit first).
 *
 * @example
 * sizedChunks(entries, member.maxFrameBytes - 256, 1000) // [[…], […]]: one frame each
 */
export function sizedChunks<T>(items: readonly T[], budget: number, maxItems: number): T[][] {
  const chunks: T[][] = [[]]
  let bytes = 0
  for (const item of items) {
    const size = Buffer.byteLength(JSON.stringify(item)) + 1
    const current = chunks[chunks.length - 1] as T[]
    if (current.length >= maxItems || (current.length > 0 && bytes + size > budget)) {
      chunks.push([item])
      bytes = size
    } else {
      current.push(item)
      bytes += size
    }
  }
  return chunks
}
