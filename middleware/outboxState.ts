import type { RealtimeContext } from './context'
import { createOutboxQueue, type OutboxQueue } from './outboxQueue'
import { createVolatileSlots, type VolatileSlots } from './volatile'

/**
 * What the outbox knows between actions, in one object: the queue, what of it is in flight on
 * the current socket, and why the rest waits. The sending pass (`outboxSend.ts`), the reactions
 * to the server's errors (`outboxServerErrors.ts`) and the handler (`outbox.ts`) share it.
 */
export interface OutboxState {
  /** The entries in send order, and their storage. */
  readonly queue: OutboxQueue
  /** Volatile `publish`es waiting for the budget the queue leaves. */
  readonly volatile: VolatileSlots
  /** Written on the current socket and not yet acked. */
  readonly inFlight: Set<string>
  /** Entries whose room is not joined, and since when (while authenticated). */
  readonly orphanedAt: Map<string, number>
  /** Takes an acked or failed entry out of the queue, storage and the sending state. */
  readonly settled: (id: string) => boolean
  /**
   * The entries not in flight, in send order: what the sending pass walks, so a full window of
   * entries in flight costs nothing per pass. Every entry is in exactly one of the two; when
   * that does not hold (entries restored first, in-flight ones to resend) it is rebuilt.
   */
  unsent: Set<string>
  /** `unsent` must be rebuilt before the next pass (entries went back to unsent out of order). */
  unsentStale: boolean
  /** Nothing goes before this time (RATE_LIMITED, SERVER_ERROR), Infinity until the next auth_ok. */
  pausedUntil: number
  /** `SERVER_ERROR` pauses in a row with no ack in between: the backoff's attempt. */
  serverFailures: number
  /** `unsent`, rebuilt first if entries went back to unsent (in-flight ones not acked, restored ones). */
  readonly unsentEntries: () => Set<string>
  /** `id` was written but not processed: it goes again, in its place, with a later pass. */
  readonly unsend: (id: string) => void
  /** The socket closed: nothing is in flight or orphaned on the next one, nothing paused. */
  readonly socketClosed: () => void
}

/** @param changed runs whenever something may now be sent: a save finished, entries restored. */
export function createOutboxState(ctx: RealtimeContext, changed: () => void): OutboxState {
  const queue = createOutboxQueue(ctx, changed)
  const inFlight = new Set<string>()
  const orphanedAt = new Map<string, number>()
  // The operations close over the collections (never replaced), so they read them directly.
  const state: OutboxState = {
    queue,
    volatile: createVolatileSlots(),
    inFlight,
    orphanedAt,
    settled: (id) => {
      if (!queue.remove(id)) return false
      inFlight.delete(id)
      state.unsent.delete(id)
      orphanedAt.delete(id)
      return true
    },
    unsentEntries: () => {
      if (state.unsentStale || state.unsent.size + inFlight.size !== queue.size) {
        state.unsent = new Set<string>()
        for (const entry of queue.values()) if (!inFlight.has(entry.id)) state.unsent.add(entry.id)
        state.unsentStale = false
      }
      return state.unsent
    },
    unsend: (id) => {
      inFlight.delete(id)
      state.unsentStale = true
    },
    socketClosed: () => {
      inFlight.clear()
      state.unsentStale = true
      orphanedAt.clear()
      state.pausedUntil = 0
      state.serverFailures = 0
    },
    unsent: new Set<string>(),
    unsentStale: false,
    pausedUntil: 0,
    serverFailures: 0,
  }
  return state
}
