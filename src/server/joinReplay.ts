import { encodeFrame, makeFrame } from '../protocol'
import type { BatchFrame, Frame, JoinData, JoinedData, StreamFrame } from '../protocol'
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
 * A cursor is honoured only when it is from this epoch and within `[firstSeq - 1, headSeq]`.
 *
 * @example
 * const { joined, frames } = await planJoin(history, 'general', { epoch, seq: 41 }, epoch)
 * // joined.resumed === true, frames hold seq 42 onwards
 */
export async function planJoin(
  history: HistoryStore,
  room: string,
  cursor: JoinData,
  epoch: string,
): Promise<JoinPlan> {
  const afterSeq = cursor.seq ?? 0
  const view = await history.since(room, afterSeq)
  const { firstSeq, headSeq } = view
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
      epoch,
      fromSeq: full.firstSeq - 1,
      headSeq: full.headSeq,
      resumed: false,
      gap: cursor.epoch !== undefined,
    },
    frames: full.frames,
  }
}

/**
 * Splits a replay (or any run of frames for one room) into `batch` frames of at most 200 frames
 * and about `maxBytes` each (a single larger frame still travels, alone), so a client's frame
 * size limit is respected.
 *
 * @example
 * for (const batch of replayBatches('general', frames, 64 * 1024)) socket.send(encodeFrame(batch))
 */
export function replayBatches(
  room: string,
  frames: readonly Frame[],
  maxBytes: number,
): BatchFrame[] {
  const batches: BatchFrame[] = []
  // Room for the batch envelope around the inner frames.
  const budget = maxBytes - 256
  let current: Frame[] = []
  let bytes = 0
  const flush = (): void => {
    if (current.length > 0) batches.push(makeFrame('batch', { room, data: { frames: current } }))
    current = []
    bytes = 0
  }
  for (const frame of frames) {
    const size = Buffer.byteLength(encodeFrame(frame)) + 1
    if (current.length >= REPLAY_BATCH_FRAMES || (current.length > 0 && bytes + size > budget))
      flush()
    current.push(frame)
    bytes += size
  }
  flush()
  return batches
}
