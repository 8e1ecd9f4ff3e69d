import type { Reducer, UnknownAction } from '@reduxjs/toolkit'
import { outbox } from './actions'
import { copyOf } from './copy'
import type { OutboxEntry } from './types'

/**
 * Messages not yet acknowledged by the server, oldest first, in chunks of at most `CHUNK`: an
 * enqueue copies the last chunk and the list of chunks, not every entry, so queueing 20,000
 * messages costs O(n / CHUNK) per message instead of O(n) (a flat array made it quadratic).
 * Read it with `selectPendingMessages` (flat) or `selectPendingCount`.
 */
export interface OutboxSliceState {
  chunks: OutboxEntry[][]
  /** How many entries the chunks hold. */
  count: number
}

const CHUNK = 128

const EMPTY: OutboxSliceState = { chunks: [], count: 0 }

function append(state: OutboxSliceState, entries: readonly OutboxEntry[]): OutboxSliceState {
  if (entries.length === 0) return state
  const chunks = copyOf(state.chunks)
  let last = chunks.length > 0 ? (chunks[chunks.length - 1] as OutboxEntry[]) : null
  let copied = false
  for (const entry of entries) {
    if (!last || last.length >= CHUNK) {
      last = [entry]
      copied = true
      chunks.push(last)
    } else {
      if (!copied) {
        last = copyOf(last)
        chunks[chunks.length - 1] = last
        copied = true
      }
      last.push(entry)
    }
  }
  return { chunks, count: state.count + entries.length }
}

/**
 * Without the entries named: acks come in order, so the walk starts at the oldest chunk and
 * stops once every id was found; chunks without one keep their identity.
 */
function without(state: OutboxSliceState, ids: readonly string[]): OutboxSliceState {
  if (ids.length === 0 || state.count === 0) return state
  const left = new Set(ids)
  let chunks: OutboxEntry[][] | null = null
  let removed = 0
  for (let i = 0; i < state.chunks.length && left.size > 0; i++) {
    const chunk = state.chunks[i] as OutboxEntry[]
    // Index loops: `some`/`filter` on a frozen chunk take a slow path (see `copy.ts`).
    let first = -1
    for (let j = 0; j < chunk.length && first < 0; j++)
      if (left.has((chunk[j] as OutboxEntry).id)) first = j
    if (first < 0) continue
    const kept: OutboxEntry[] = []
    for (let j = 0; j < chunk.length; j++) {
      const entry = chunk[j] as OutboxEntry
      if (j < first || !left.delete(entry.id)) kept.push(entry)
    }
    removed += chunk.length - kept.length
    chunks ??= copyOf(state.chunks)
    chunks[i] = kept
  }
  if (!chunks) return state
  return { chunks: chunks.filter((c) => c.length > 0), count: state.count - removed }
}

/** A plain reducer (no Immer): a chunk and the chunk list are copied per action, cheaply. */
export const outboxReducer: Reducer<OutboxSliceState> = (
  state: OutboxSliceState = EMPTY,
  action: UnknownAction,
): OutboxSliceState => {
  if (outbox.enqueued.match(action)) return append(state, [action.payload.entry])
  if (outbox.restored.match(action)) {
    const known = new Set(state.chunks.flatMap((c) => c.map((e) => e.id)))
    return append(
      state,
      action.payload.entries.filter((e) => !known.has(e.id)),
    )
  }
  if (outbox.acked.match(action))
    return without(
      state,
      action.payload.acks.map((a) => a.refId),
    )
  if (outbox.failed.match(action))
    return without(
      state,
      action.payload.failures.map((f) => f.id),
    )
  return state
}
