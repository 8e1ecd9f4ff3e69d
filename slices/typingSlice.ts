import { createReducer, type Reducer } from '@reduxjs/toolkit'
import { chat, connection, rooms } from './actions'
import { own } from './records'

/** Room → users typing there now (never this client's own user). Expiry is timed in the middleware. */
export type TypingSliceState = Record<string, string[]>

export const typingReducer: Reducer<TypingSliceState> = createReducer<TypingSliceState>(
  {},
  (builder) => {
    builder
      .addCase(chat.typingStarted, (draft, { payload }) => {
        const list = own(draft, payload.room) ?? (draft[payload.room] = [])
        if (!list.includes(payload.userId)) list.push(payload.userId)
      })
      .addCase(chat.typingStopped, (draft, { payload }) => {
        const list = own(draft, payload.room)
        if (!list) return
        const remaining = list.filter((u) => u !== payload.userId)
        if (remaining.length === 0) delete draft[payload.room]
        else draft[payload.room] = remaining
      })
      .addCase(rooms.leaveRequested, (draft, { payload }) => {
        delete draft[payload.room]
      })
      // Nobody is known to be typing on a connection that is gone.
      .addCase(connection.closed, () => ({}))
  },
)
