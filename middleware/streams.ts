/**
 * Per-stream cursors `{ epoch, seq }` of the rooms (and private stream) this client wants to be
 * in: the middleware's authority on what was applied. State mirrors it, but DevTools time travel
 * rewrites state and must never make the socket re-request or re-apply anything.
 *
 * Cursors only move forward: a cursor changes on the `joined` answering the join this client
 * sent last (matched by its id), or by one seq at a time. A stale or duplicated `joined`, frames
 * of a room not joined on this socket, and frames whose id was already applied in the stream
 * (within the last `window` ids, across epochs; within one, the seq rules a repeat out) change
 * nothing.
 */
import type { JoinData, JoinedData } from '../src/protocol/frames'

export type Verdict = 'apply' | 'duplicate' | 'gap' | 'resyncing' | 'untracked'

interface Cursor {
  epoch: string | null
  seq: number
  /** The id of the `join` sent last on this socket and not answered yet. */
  joinId: string | null
  /** A `joined` for this socket arrived: frames may be applied. */
  live: boolean
  /** A resume was requested after a gap; frames beyond the cursor are dropped until it lands. */
  resyncing: boolean
  /** Author and id of the last `window` frames applied. */
  applied: AppliedIds
}

/** A cursor as persisted (an array entry, never a key of a record). */
export interface SavedCursor {
  room: string
  epoch: string
  seq: number
}

export interface StreamCursors {
  track(room: string): void
  forget(room: string): void
  isTracked(room: string): boolean
  /** Tracked and answered by a `joined` on the current socket. */
  isLive(room: string): boolean
  rooms(): string[]
  /** The cursor a join sends, and the join's id to expect in `joined`. */
  requestJoin(room: string, joinId: string): JoinData
  /** A `joined` frame: true when it answers the pending join (the cursor then follows it). */
  joined(room: string, data: JoinedData): boolean
  /** The socket closed: every room must be joined again before its frames apply. */
  disconnected(): void
  /** Decides what to do with a stream frame, and advances the cursor when it is in order. */
  accept(room: string, seq: number, author: string | undefined, id: string): Verdict
  /** The server skipped `seq` (too large for this client): the cursor moves past it in order. */
  skip(room: string, seq: number): Verdict
  /** Where a room joined on this socket stands; undefined when it is not live. */
  position(room: string): { epoch: string; seq: number } | undefined
  /** The next seq expected in `room` (for reporting gaps). */
  expectedSeq(room: string): number
  /** Cursors worth saving: tracked rooms with a known epoch. */
  saved(): SavedCursor[]
  /** Cursors loaded from storage: used when their room is tracked, unless a newer one exists. */
  restore(cursors: readonly SavedCursor[]): void
  /** Grows with every cursor change, so a saver can tell whether anything moved. */
  readonly version: number
}

/**
 * The (author, id) pairs of the last `window` frames applied in a stream, in a ring, and when
 * they must be looked up, an index of them (ids per author).
 *
 * Within an epoch the seq already rules out a repeat: the server gives every message one seq
 * and drops a repeated id (SPEC §5). An id applied in an earlier epoch can come back with a new
 * seq (a restarted server renumbers its replay; an outbox resends), so when the epoch changes
 * the ring is indexed and every applied frame is looked up, until the ring holds only frames
 * of the new epoch. Kept up per frame, the index was 14 % of ingest's CPU (hash-table growth and
 * cache misses on 5,000 ids per stream); the ring is two array writes.
 */
class AppliedIds {
  private readonly ids: string[] = []
  private readonly authors: string[] = []
  /** Where the oldest pair is, once the ring is full. */
  private oldest = 0
  /** Author → ids of the ring, while pairs of an earlier epoch are in it; else null. */
  private index: Map<string, Set<string>> | null = null
  /** Frames to apply until the ring holds none from before the last epoch change. */
  private untilFresh = 0

  constructor(private readonly window: number) {}

  /** The stream's epoch changed: the ids applied so far must be looked up from now on. */
  epochChanged(): void {
    if (this.ids.length === 0) return
    const index = new Map<string, Set<string>>()
    for (let i = 0; i < this.ids.length; i++) {
      const author = this.authors[i] as string
      const ids = index.get(author)
      if (ids) ids.add(this.ids[i] as string)
      else index.set(author, new Set([this.ids[i] as string]))
    }
    this.index = index
    this.untilFresh = this.window
  }

  /** Remembers the pair; false when it is remembered already (looked up after an epoch change). */
  add(author: string, id: string): boolean {
    const index = this.index
    if (index !== null) {
      const ids = index.get(author)
      if (ids === undefined) index.set(author, new Set([id]))
      else if (ids.has(id)) return false
      else ids.add(id)
    }
    if (this.window <= 0) return true
    if (this.ids.length < this.window) {
      this.ids.push(id)
      this.authors.push(author)
    } else {
      const at = this.oldest
      if (index !== null) {
        const evicted = this.authors[at] as string
        const evictedIds = index.get(evicted) as Set<string>
        evictedIds.delete(this.ids[at] as string)
        if (evictedIds.size === 0) index.delete(evicted)
      }
      this.ids[at] = id
      this.authors[at] = author
      this.oldest = (at + 1) % this.window
    }
    if (index !== null && --this.untilFresh <= 0) this.index = null
    return true
  }
}

/**
 * @param window how many applied ids each stream remembers (at least the retained history).
 *
 * @example
 * const streams = createStreamCursors(5000)
 * streams.track('general')
 * const cursor = streams.requestJoin('general', joinFrame.id)
 */
export function createStreamCursors(window: number): StreamCursors {
  const cursors = new Map<string, Cursor>()
  const loaded = new Map<string, SavedCursor>()
  let version = 0

  const fresh = (saved?: SavedCursor): Cursor => ({
    epoch: saved?.epoch ?? null,
    seq: saved?.seq ?? 0,
    joinId: null,
    live: false,
    resyncing: false,
    applied: new AppliedIds(window),
  })

  function advance(c: Cursor, seq: number): Verdict {
    if (!c.live || c.epoch === null) return 'untracked'
    if (seq <= c.seq) return 'duplicate'
    if (seq > c.seq + 1) {
      if (c.resyncing) return 'resyncing'
      c.resyncing = true
      return 'gap'
    }
    c.seq = seq
    version++
    return 'apply'
  }

  return {
    track(room) {
      if (!cursors.has(room)) cursors.set(room, fresh(loaded.get(room)))
    },
    forget(room) {
      cursors.delete(room)
      loaded.delete(room)
    },
    isTracked: (room) => cursors.has(room),
    isLive: (room) => cursors.get(room)?.live === true,
    rooms: () => [...cursors.keys()],
    requestJoin(room, joinId) {
      const c = cursors.get(room)
      if (!c) return {}
      c.joinId = joinId
      return c.epoch !== null ? { epoch: c.epoch, seq: c.seq } : {}
    },
    joined(room, data) {
      const c = cursors.get(room)
      if (!c || c.joinId === null || data.refId !== c.joinId) return false
      // Follow the server: fromSeq is our cursor when it resumed, else where its replay starts
      // (a new epoch renumbers; the applied ids keep the replay from repeating what we hold).
      c.joinId = null
      c.live = true
      // Same epoch: frames applied while the join was under way stay applied (never back).
      if (c.epoch === data.epoch) c.seq = Math.max(c.seq, data.fromSeq)
      else {
        c.seq = data.fromSeq
        c.applied.epochChanged()
      }
      c.epoch = data.epoch
      c.resyncing = false
      version++
      return true
    },
    disconnected() {
      for (const c of cursors.values()) {
        c.live = false
        c.joinId = null
        c.resyncing = false
      }
    },
    accept(room, seq, author, id) {
      const c = cursors.get(room)
      if (!c) return 'untracked'
      const verdict = advance(c, seq)
      if (verdict !== 'apply') return verdict
      return c.applied.add(author ?? '', id) ? 'apply' : 'duplicate'
    },
    skip(room, seq) {
      const c = cursors.get(room)
      return c ? advance(c, seq) : 'untracked'
    },
    position(room) {
      const c = cursors.get(room)
      return c?.live && c.epoch !== null ? { epoch: c.epoch, seq: c.seq } : undefined
    },
    expectedSeq: (room) => (cursors.get(room)?.seq ?? 0) + 1,
    saved() {
      const list: SavedCursor[] = []
      for (const [room, c] of cursors)
        if (c.epoch !== null) list.push({ room, epoch: c.epoch, seq: c.seq })
      return list
    },
    restore(list) {
      for (const saved of list) {
        loaded.set(saved.room, saved)
        const c = cursors.get(saved.room)
        // A room joined before storage answered already has a live cursor: keep it.
        if (c && c.epoch === null && c.joinId === null) {
          c.epoch = saved.epoch
          c.seq = saved.seq
        }
      }
    },
    get version() {
      return version
    },
  }
}
