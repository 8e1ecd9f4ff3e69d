import { createReducer, type Reducer } from '@reduxjs/toolkit'
import { chat, rooms } from './actions'
import { own } from './records'

export interface ReadPosition {
  messageId: string
  seq: number
}

/** Room → user → how far they have read. Ids are validated, so no key touches the prototype. */
export type ReceiptsSliceState = Record<string, Record<string, ReadPosition>>

export const receiptsReducer: Reducer<ReceiptsSliceState> = createReducer<ReceiptsSliceState>(
  {},
  (builder) => {
    builder
      .addCase(chat.readReceiptsReceived, (draft, { payload }) => {
        for (const { room, userId, messageId, seq } of payload.receipts) {
          const byUser = own(draft, room) ?? (draft[room] = {})
          const current = own(byUser, userId)
          if (!current || seq > current.seq) byUser[userId] = { messageId, seq }
        }
      })
      .addCase(rooms.leaveRequested, (draft, { payload }) => {
        delete draft[payload.room]
      })
  },
)
