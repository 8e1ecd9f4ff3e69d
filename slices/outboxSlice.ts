import { createReducer, type Reducer } from '@reduxjs/toolkit'
import { outbox } from './actions'
import type { OutboxEntry } from './types'

/** Messages not yet acknowledged by the server, oldest first. */
export interface OutboxSliceState {
  entries: OutboxEntry[]
}

export const outboxReducer: Reducer<OutboxSliceState> = createReducer<OutboxSliceState>(
  { entries: [] },
  (builder) => {
    builder
      .addCase(outbox.enqueued, (draft, { payload }) => {
        draft.entries.push(payload.entry)
      })
      .addCase(outbox.restored, (draft, { payload }) => {
        const known = new Set(draft.entries.map((e) => e.id))
        for (const entry of payload.entries) if (!known.has(entry.id)) draft.entries.push(entry)
      })
      .addCase(outbox.acked, (draft, { payload }) => {
        const done = new Set(payload.acks.map((a) => a.refId))
        draft.entries = draft.entries.filter((e) => !done.has(e.id))
      })
      .addCase(outbox.failed, (draft, { payload }) => {
        const done = new Set(payload.failures.map((f) => f.id))
        draft.entries = draft.entries.filter((e) => !done.has(e.id))
      })
  },
)
