/**
 * Per-room stream cursors `{ epoch, seq }` of the rooms this client wants to be in. The
 * middleware's authority on what was applied: state mirrors it, but DevTools time travel
 * rewrites state, and must never make the socket re-request or re-apply anything.
 */
export type Verdict = 'apply' | 'duplicate' | 'gap' | 'resyncing' | 'untracked'

interface Cursor {
  epoch: string | null
  seq: number
  /** A resume was requested after a gap; frames beyond the cursor are dropped until it lands. */
  resyncing: boolean
  /**
   * After an epoch change the server replays its history with new seqs; messages this client
   * already holds from the old epoch are recognised by id until the replay reaches `replayUntil`.
   */
  known: Set<string> | null
  replayUntil: number
}

export interface StreamCursors {
  track(room: string): void
  forget(room: string): void
  isTracked(room: string): boolean
  rooms(): string[]
  cursor(room: string): { epoch?: string; seq?: number }
  /**
   * A `joined` frame: the cursor continues from `fromSeq`. On a new epoch, `knownIds` names the
   * messages already held, so the replay does not add them twice. False if untracked.
   */
  joined(room: string, epoch: string, fromSeq: number, headSeq: number): boolean
  /** Decides what to do with a room frame, and advances the cursor when it is in order. */
  accept(room: string, seq: number, id: string): Verdict
}

export function createStreamCursors(knownIds: (room: string) => Iterable<string>): StreamCursors {
  const cursors = new Map<string, Cursor>()
  return {
    track(room) {
      if (!cursors.has(room)) {
        cursors.set(room, { epoch: null, seq: 0, resyncing: false, known: null, replayUntil: 0 })
      }
    },
    forget(room) {
      cursors.delete(room)
    },
    isTracked(room) {
      return cursors.has(room)
    },
    rooms() {
      return [...cursors.keys()]
    },
    cursor(room) {
      const c = cursors.get(room)
      return c && c.epoch !== null ? { epoch: c.epoch, seq: c.seq } : {}
    },
    joined(room, epoch, fromSeq, headSeq) {
      const c = cursors.get(room)
      if (!c) return false
      if (c.epoch !== null && c.epoch !== epoch && headSeq > fromSeq) {
        c.known = new Set(knownIds(room))
        c.replayUntil = headSeq
      }
      // Follow the server: fromSeq is our cursor when it resumed, else where its replay starts.
      c.epoch = epoch
      c.seq = fromSeq
      c.resyncing = false
      return true
    },
    accept(room, seq, id) {
      const c = cursors.get(room)
      if (!c || c.epoch === null) return 'untracked'
      if (seq <= c.seq) return 'duplicate'
      if (seq > c.seq + 1) {
        if (c.resyncing) return 'resyncing'
        c.resyncing = true
        return 'gap'
      }
      c.seq = seq
      if (c.known) {
        const held = c.known.has(id)
        if (seq >= c.replayUntil) c.known = null
        if (held) return 'duplicate'
      }
      return 'apply'
    },
  }
}
