import { createReducer, type Reducer } from '@reduxjs/toolkit'
import type { EventData } from '../src/protocol/frames'
import { events } from './actions'

export interface EventsSliceState {
  /** Event id → the latest version (by `updatedAt`). */
  byId: Record<string, EventData>
  /** Whether this client asked for event updates (kept across reconnects). */
  subscribed: boolean
}

export const eventsReducer: Reducer<EventsSliceState> = createReducer<EventsSliceState>(
  { byId: {}, subscribed: false },
  (builder) => {
    builder
      .addCase(events.received, (draft, { payload }) => {
        for (const event of payload.events) {
          const current = Object.hasOwn(draft.byId, event.id) ? draft.byId[event.id] : undefined
          if (!current || event.updatedAt >= current.updatedAt) draft.byId[event.id] = event
        }
      })
      .addCase(events.subscriptionChanged, (draft, { payload }) => {
        draft.subscribed = payload.subscribed
      })
  },
)
