import type { StreamFrame } from '../protocol'

type WithoutSeq<F> = F extends unknown ? Omit<F, 'seq'> : never

/** A stream frame (chat, direct message, notification, event update) before it gets its `seq`. */
export type UnsequencedStreamFrame = WithoutSeq<StreamFrame>

/** What `append` did: the frame as stored (with `seq`), or the earlier one when `duplicate`. */
export interface AppendResult {
  seq: number
  duplicate: boolean
  frame: StreamFrame
}

/** The retained frames after a cursor, and where the stream's retention starts and ends. */
export interface HistoryView {
  /** Retained frames with `seq` greater than the cursor, oldest first. */
  frames: StreamFrame[]
  /** The oldest retained seq; `headSeq + 1` when nothing is retained. */
  firstSeq: number
  /** The newest assigned seq; 0 when the room has none. */
  headSeq: number
}

/**
 * Where the server keeps each stream's seq counter and recent frames: rooms and the users'
 * private streams (`user:<id>`) alike. Methods may return values or promises; the server awaits
 * them and never calls two of them for one stream at once.
 *
 * @example
 * const server = await createRealtimeServer({ jwt, history: createMemoryHistory(5000) })
 */
export interface HistoryStore {
  /**
   * Assigns the room's next seq to `frame` and retains it. When `dedupeKey` was accepted before,
   * stores nothing and returns the originally stored frame with `duplicate: true`.
   */
  append(
    room: string,
    frame: UnsequencedStreamFrame,
    dedupeKey: string,
  ): AppendResult | Promise<AppendResult>
  /** Retained frames with `seq > afterSeq`. */
  since(room: string, afterSeq: number): HistoryView | Promise<HistoryView>
}

interface RoomHistory {
  headSeq: number
  /** Holds between `historySize` and `2 * historySize` frames; only the newest are retained. */
  frames: StreamFrame[]
  /** Accepted dedupe keys in insertion order, so the oldest is evicted first. */
  accepted: Map<string, StreamFrame>
}

/** How many dedupe keys a room remembers, relative to what it retains. */
const DEDUPE_FACTOR = 10

/**
 * The in-memory `HistoryStore`: the last `historySize` frames of each room and a bounded
 * dedupe index (10 × `historySize` keys per room, oldest evicted).
 *
 * @example
 * const history = createMemoryHistory(1000)
 * await history.append('general', frame, `${userId}\u0000${frame.id}`)
 * const { frames, headSeq } = await history.since('general', 0)
 */
export function createMemoryHistory(historySize: number): HistoryStore {
  if (!Number.isSafeInteger(historySize) || historySize < 0) {
    throw new RangeError(
      `createMemoryHistory(historySize): expected a non-negative integer, got ${historySize}`,
    )
  }
  const rooms = new Map<string, RoomHistory>()
  const dedupeLimit = Math.max(DEDUPE_FACTOR * historySize, DEDUPE_FACTOR)

  const roomHistory = (room: string): RoomHistory => {
    let history = rooms.get(room)
    if (!history) {
      history = { headSeq: 0, frames: [], accepted: new Map() }
      rooms.set(room, history)
    }
    return history
  }

  const retain = (history: RoomHistory, frame: StreamFrame): void => {
    if (historySize === 0) return
    history.frames.push(frame)
    // Trim in bulk so appends stay O(1) amortized.
    if (history.frames.length >= 2 * historySize)
      history.frames = history.frames.slice(-historySize)
  }

  return {
    append(room, frame, dedupeKey) {
      const history = roomHistory(room)
      const earlier = history.accepted.get(dedupeKey)
      if (earlier) return { seq: earlier.seq ?? 0, duplicate: true, frame: earlier }
      const seq = ++history.headSeq
      const stored: StreamFrame = { ...frame, seq }
      retain(history, stored)
      history.accepted.set(dedupeKey, stored)
      if (history.accepted.size > dedupeLimit) {
        const oldest = history.accepted.keys().next().value
        if (oldest !== undefined) history.accepted.delete(oldest)
      }
      return { seq, duplicate: false, frame: stored }
    },

    since(room, afterSeq) {
      const history = rooms.get(room)
      if (!history) return { frames: [], firstSeq: 1, headSeq: 0 }
      const { frames, headSeq } = history
      const retained = Math.min(frames.length, historySize)
      const newer = Math.max(0, headSeq - afterSeq)
      const start = frames.length - Math.min(retained, newer)
      return { frames: frames.slice(start), firstSeq: headSeq - retained + 1, headSeq }
    },
  }
}
