import { encodeBatch, makeFrame } from '../protocol'
import { REPLAY_BATCH_FRAMES } from './joinReplay'

/** An encoded frame and its UTF-8 size. */
export interface EncodedText {
  text: string
  bytes: number
}

/** Covers the batch envelope's id and timestamp varying in length from the one measured. */
const ENVELOPE_SLACK = 32

/** A `batch` frame (its own id) around frames already encoded. */
const batchAround = (texts: readonly string[]): string =>
  encodeBatch(makeFrame('batch', { data: { frames: [] } }), texts)

/**
 * Packs frames already encoded (the answers one connection is owed after a turn: acks, its own
 * messages echoed, errors) into as few WebSocket messages as fit `maxBytes`, in order: `batch`
 * frames of at most `REPLAY_BATCH_FRAMES` frames, spliced from the encoded texts without
 * encoding them again. A frame that does not fit in a batch with others travels alone, and a
 * lone frame is never wrapped.
 *
 * @example
 * for (const text of packAnswers(owed, connection.maxFrameBytes)) socket.send(text)
 */
export function packAnswers(frames: readonly EncodedText[], maxBytes: number): string[] {
  if (frames.length === 1) return [(frames[0] as EncodedText).text]
  const overhead = Buffer.byteLength(batchAround([])) + ENVELOPE_SLACK
  const messages: string[] = []
  let current: string[] = []
  let bytes = overhead
  const flush = (): void => {
    if (current.length === 1) messages.push(current[0] as string)
    else if (current.length > 1) messages.push(batchAround(current))
    current = []
    bytes = overhead
  }
  for (const { text, bytes: size } of frames) {
    if (overhead + size > maxBytes) {
      flush()
      messages.push(text)
      continue
    }
    if (current.length >= REPLAY_BATCH_FRAMES || bytes + size + 1 > maxBytes) flush()
    current.push(text)
    bytes += size + 1
  }
  flush()
  return messages
}
