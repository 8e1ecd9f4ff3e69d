import type { Reducer, UnknownAction } from '@reduxjs/toolkit'
import { outbox } from './actions'
import type { OutboxEntry } from './types'

/** Messages not yet acknowledged by the server, oldest first. */
export interface OutboxSliceState {
  entries: OutboxEntry[]
}

function without(state: OutboxSliceState, ids: readonly string[]): OutboxSliceState {
  const done = new Set(ids)
  const entries = state.entries.filter((e) => !done.has(e.id))
  return entries.length === state.entries.length ? state : { entries }
}

/** A plain reducer (no Immer): an outbox of thousands is copied once per action, cheaply. */
export const outboxReducer: Reducer<OutboxSliceState> = (
  state: OutboxSliceState = { entries: [] },
  action: UnknownAction,
): OutboxSliceState => {
  if (outbox.enqueued.match(action)) return { entries: [...state.entries, action.payload.entry] }
  if (outbox.restored.match(action)) {
    const known = new Set(state.entries.map((e) => e.id))
    const fresh = action.payload.entries.filter((e) => !known.has(e.id))
    return fresh.length === 0 ? state : { entries: state.entries.concat(fresh) }
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
