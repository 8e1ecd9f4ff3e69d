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
}

export interface StreamCursors {
  track(room: string): void
  forget(room: string): void
  isTracked(room: string): boolean
  rooms(): string[]
  cursor(room: string): { epoch?: string; seq?: number }
  /** A `joined` frame: a new epoch restarts the cursor at `fromSeq`. Returns false if untracked. */
  joined(room: string, epoch: string, fromSeq: number): boolean
  /** Decides what to do with a room frame carrying `seq`, and advances the cursor when applied. */
  accept(room: string, seq: number): Verdict
}

export function createStreamCursors(): StreamCursors {
  const cursors = new Map<string, Cursor>()
  return {
    track(room) {
      if (!cursors.has(room)) cursors.set(room, { epoch: null, seq: 0, resyncing: false })
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
    joined(room, epoch, fromSeq) {
      const c = cursors.get(room)
      if (!c) return false
      if (c.epoch !== epoch) {
        c.epoch = epoch
        c.seq = fromSeq
      }
      c.resyncing = false
      return true
    },
    accept(room, seq) {
      const c = cursors.get(room)
      if (!c || c.epoch === null) return 'untracked'
      if (seq <= c.seq) return 'duplicate'
      if (seq > c.seq + 1) {
        if (c.resyncing) return 'resyncing'
        c.resyncing = true
        return 'gap'
      }
      c.seq = seq
      return 'apply'
    },
  }
}
