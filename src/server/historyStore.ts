import type { StreamFrame } from '../protocol'

type WithoutSeq<F> = F extends unknown ? Omit<F, 'seq'> : never

/** A stream frame (chat, direct message, notification, event update) before it gets its `seq`. */
export type UnsequencedStreamFrame = WithoutSeq<StreamFrame>

/**
 * What `append` did: the frame as stored (with `seq`), or, when nothing was stored, the earlier
 * frame that stopped it (`duplicate` or `conflict`).
 */
export interface AppendResult {
  seq: number
  /** The dedupe key was accepted before: the same author's repeat, acked again with `seq`. */
  duplicate: boolean
  /**
   * The frame's `id` is already used in this stream under another dedupe key (another author):
   * nothing was stored and `frame` is the earlier one. The server refuses the write with
   * `DUPLICATE_ID`. Optional so stores written before it keep working: a store that never sets
   * it lets such a frame in, as the server did before.
   */
  conflict?: boolean
  frame: StreamFrame
  /**
   * The stream's epoch: the id of its numbering, created with the stream and kept as long as
   * its history lives, so a cursor `{ epoch, seq }` names one frame. A store whose history
   * outlives the process (Redis) sets it, so a restarted server resumes its clients. Optional:
   * a store that leaves it out (the memory store, stores written before it) has its streams
   * take the server's epoch (`server.epoch`, random per start: a restart resyncs).
   */
  epoch?: string
}

/** The retained frames after a cursor, and where the stream's retention starts and ends. */
export interface HistoryView {
  /** Retained frames with `seq` greater than the cursor, oldest first. */
  frames: StreamFrame[]
  /** The oldest retained seq; `headSeq + 1` when nothing is retained. */
  firstSeq: number
  /** The newest assigned seq; 0 when the room has none. */
  headSeq: number
  /** The stream's epoch, as in `AppendResult.epoch`; optional the same way. */
  epoch?: string
}

/**
 * Where the server keeps each stream's seq counter and recent frames: rooms and the users'
 * private streams (`user:<id>`) alike. Methods may return values or promises; the server awaits
 * them and never calls two of them for one stream at once (within its process: a store shared
 * by several processes makes each call atomic itself, as the Redis one does with a script) —
 * unless a call outlived `historyStoreTimeoutMs`: the server counts it failed and moves on.
 *
 * @example
 * const server = await createRealtimeServer({ jwt, history: createMemoryHistory(5000) })
 */
export interface HistoryStore {
  /**
   * Assigns the room's next seq to `frame` and retains it. When `dedupeKey` was accepted before,
   * stores nothing and returns the originally stored frame with `duplicate: true`. When another
   * dedupe key already brought a frame with the same `frame.id` into the room, stores nothing
   * and returns that frame with `conflict: true` (ids are unique per stream).
   */
  append(
    room: string,
    frame: UnsequencedStreamFrame,
    dedupeKey: string,
  ): AppendResult | Promise<AppendResult>
  /** Retained frames with `seq > afterSeq`. */
  since(room: string, afterSeq: number): HistoryView | Promise<HistoryView>
  /**
   * Optional: whether `append(room, frame, dedupeKey)` with `frame.id === id` would report a
   * `conflict`, storing nothing. A direct message is written to two streams; the server asks
   * this about the second before writing the first, so a refused message is on neither.
   */
  conflicts?(room: string, id: string, dedupeKey: string): boolean | Promise<boolean>
}

interface RoomHistory {
  headSeq: number
  /** Holds between `historySize` and `2 * historySize` frames; only the newest are retained. */
  frames: StreamFrame[]
  /** Accepted dedupe keys in insertion order, so the oldest is evicted first. */
  accepted: Map<string, StreamFrame>
  /** Frame id → the dedupe key that brought it; evicted with that key. */
  ids: Map<string, string>
}

/** How many dedupe keys (and frame ids) a room remembers, relative to what it retains. */
const DEDUPE_FACTOR = 10

/**
 * The in-memory `HistoryStore`: the last `historySize` frames of each room and a bounded
 * dedupe and id index (10 × `historySize` keys per room, oldest evicted). It names no epoch:
 * its streams take the server's, so a new server resyncs its clients, as it always did.
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
      history = { headSeq: 0, frames: [], accepted: new Map(), ids: new Map() }
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

  const evictOldest = (history: RoomHistory): void => {
    const oldest = history.accepted.entries().next().value
    if (oldest === undefined) return
    const [key, frame] = oldest
    history.accepted.delete(key)
    if (history.ids.get(frame.id) === key) history.ids.delete(frame.id)
  }

  return {
    append(room, frame, dedupeKey) {
      const history = roomHistory(room)
      const earlier = history.accepted.get(dedupeKey)
      if (earlier) return { seq: earlier.seq ?? 0, duplicate: true, frame: earlier }
      const owner = history.ids.get(frame.id)
      const taken = owner === undefined ? undefined : history.accepted.get(owner)
      if (taken) return { seq: taken.seq ?? 0, duplicate: false, conflict: true, frame: taken }
      const seq = ++history.headSeq
      const stored: StreamFrame = { ...frame, seq }
      retain(history, stored)
      history.accepted.set(dedupeKey, stored)
      history.ids.set(stored.id, dedupeKey)
      if (history.accepted.size > dedupeLimit) evictOldest(history)
      return { seq, duplicate: false, frame: stored }
    },

    conflicts(room, id, dedupeKey) {
      const owner = rooms.get(room)?.ids.get(id)
      return owner !== undefined && owner !== dedupeKey
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
