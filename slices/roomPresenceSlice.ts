import { createReducer, type Reducer } from '@reduxjs/toolkit'
import type { JsonValue, RoomMemberEntry } from '../src/protocol/frames'
import { rooms, roomPresence } from './actions'
import { own } from './records'

/** One member of a room as the server listed them: `data` is what they set there, if anything. */
export interface RoomMemberState {
  data?: JsonValue
}

/**
 * Room → user id → member. Only rooms joined on this socket get lists; a room's list is
 * replaced by the server's on every join (so a reconnect leaves no ghosts) and dropped on leave.
 * Room names and user ids are validated keys (`slices/records.ts`).
 */
export type RoomPresenceSliceState = Record<string, Record<string, RoomMemberState>>

function member({ userId: _userId, ...rest }: RoomMemberEntry): RoomMemberState {
  return rest
}

export const roomPresenceReducer: Reducer<RoomPresenceSliceState> =
  createReducer<RoomPresenceSliceState>({}, (builder) => {
    builder
      .addCase(roomPresence.synced, (draft, { payload }) => {
        draft[payload.room] = Object.fromEntries(payload.members.map((m) => [m.userId, member(m)]))
      })
      .addCase(roomPresence.changed, (draft, { payload }) => {
        const list = own(draft, payload.room) ?? (draft[payload.room] = {})
        for (const m of payload.members) list[m.userId] = member(m)
        for (const userId of payload.left) delete list[userId]
      })
      .addCase(rooms.leaveRequested, (draft, { payload }) => {
        delete draft[payload.room]
      })
      .addCase(rooms.left, (draft, { payload }) => {
        delete draft[payload.room]
      })
      .addCase(rooms.joinFailed, (draft, { payload }) => {
        delete draft[payload.room]
      })
  })
