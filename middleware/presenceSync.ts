import type { UnknownAction } from '@reduxjs/toolkit'

/**
 * Presence diffs that arrive before the connection's first snapshot wait for it and are
 * applied after it, as Phoenix's presence does: applying them first would let the snapshot
 * overwrite newer news.
 */
export interface PresenceSync {
  /** Returns the actions to reduce now for a snapshot: the snapshot, then the waiting diffs. */
  snapshot(action: UnknownAction): UnknownAction[]
  /** Returns the diff to reduce now, or nothing when it must wait for the snapshot. */
  diff(action: UnknownAction): UnknownAction[]
  /** A new connection: wait for its snapshot again. */
  reset(): void
}

export function createPresenceSync(): PresenceSync {
  let synced = false
  let waiting: UnknownAction[] = []
  return {
    snapshot(action) {
      synced = true
      const actions = [action, ...waiting]
      waiting = []
      return actions
    },
    diff(action) {
      if (synced) return [action]
      waiting.push(action)
      return []
    },
    reset() {
      synced = false
      waiting = []
    },
  }
}
