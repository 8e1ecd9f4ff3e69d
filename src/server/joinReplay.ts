import { encodeFrame, makeFrame } from '../protocol'
import type { Frame, JoinData, JoinedData, StreamFrame } from '../protocol'
import { isStreamFrame, tooLargeError } from './frameLimit'
import type { HistoryStore } from './historyStore'

/** What a join answers: the `joined` data and the frames to replay after it. */
export interface JoinPlan {
  joined: JoinedData
  frames: StreamFrame[]
}

/** Most frames in one replay batch. */
export const REPLAY_BATCH_FRAMES = 200

/**
 * Decides between resuming from the client's cursor and a full replay of what is retained.
 * A cursor is honoured only when it is from the stream's epoch and within
 * `[firstSeq - 1, headSeq]`. The stream's epoch is the store's, or `serverEpoch` when the
 * store names none.
 *
 * @example
 * const { joined, frames } = await planJoin(history, 'general', { epoch, seq: 41 }, server.epoch)
 * // joined.resumed === true, frames hold seq 42 onwards
 */
export async function planJoin(
  history: HistoryStore,
  room: string,
  cursor: JoinData,
  serverEpoch: string,
): Promise<JoinPlan> {
  const afterSeq = cursor.seq ?? 0
  const view = await history.since(room, afterSeq)
  const { firstSeq, headSeq } = view
  const epoch = view.epoch ?? serverEpoch
  const resumable =
    cursor.epoch === epoch &&
    cursor.seq !== undefined &&
    afterSeq >= firstSeq - 1 &&
    afterSeq <= headSeq
  if (resumable) {
    return {
      joined: { epoch, fromSeq: afterSeq, headSeq, resumed: true, gap: false },
      frames: view.frames,
    }
  }
  // A cursor before the retention already selected everything retained.
  const full = afterSeq < firstSeq ? view : await history.since(room, 0)
  return {
    joined: {
      epoch: full.epoch ?? epoch,
      fromSeq: full.firstSeq - 1,
      headSeq: full.headSeq,
      resumed: false,
      gap: cursor.epoch !== undefined,
    },
    frames: full.frames,
  }
}

/** Covers the batch envelope's id and timestamp varying in length from the one measured. */
const ENVELOPE_SLACK = 32

/**
 * Splits a replay (or any run of frames for one room) into the WebSocket messages that carry it
 * to a connection whose limit is `maxBytes`: `batch` frames of at most 200 frames and
 * `maxBytes` each. A frame that fits alone but not in a batch travels alone; a stream frame
 * above `maxBytes` is replaced, in its place, by a `MESSAGE_TOO_LARGE` error naming its seq.
 *
 * @example
 * for (const frame of replayBatches('general', frames, 64 * 1024)) socket.send(encodeFrame(frame))
 */
export function replayBatches(room: string, frames: readonly Frame[], maxBytes: number): Frame[] {
  const messages: Frame[] = []
  const envelope =
    Buffer.byteLength(encodeFrame(makeFrame('batch', { room, data: { frames: [] } }))) +
    ENVELOPE_SLACK
  let current: Frame[] = []
  let bytes = envelope
  const flush = (): void => {
    if (current.length > 0) messages.push(makeFrame('batch', { room, data: { frames: current } }))
    current = []
    bytes = envelope
  }
  for (const frame of frames) {
    const size = Buffer.byteLength(encodeFrame(frame))
    if (envelope + size > maxBytes) {
      flush()
      // Any other frame above the limit is left to the connection's send path to drop.
      messages.push(
        size > maxBytes && isStreamFrame(frame)
          ? tooLargeError(room, frame, size, maxBytes)
          : frame,
      )
      continue
    }
    // Each frame after the first adds a comma.
    if (current.length >= REPLAY_BATCH_FRAMES || bytes + size + 1 > maxBytes) flush()
    bytes += size + (current.length > 0 ? 1 : 0)
    current.push(frame)
  }
  flush()
  return messages
}
