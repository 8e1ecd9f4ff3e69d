import { createReducer, type Reducer } from '@reduxjs/toolkit'
import { rooms } from './actions'
import type { WebSocketErrorInfo } from './types'

export interface RoomMembership {
  /** `joining` until the server confirms; stays `joined` across reconnects (rejoined with resume). */
  status: 'joining' | 'joined' | 'failed'
  joinedAt?: number
  /** True when the last join could not resume and messages may have been missed. */
  gap: boolean
  error?: WebSocketErrorInfo
}

/** Room name → membership. Names are validated ids, so no key can touch the prototype. */
export type RoomsSliceState = Record<string, RoomMembership>

export const roomsReducer: Reducer<RoomsSliceState> = createReducer<RoomsSliceState>(
  {},
  (builder) => {
    builder
      .addCase(rooms.joinRequested, (draft, { payload }) => {
        const current = Object.hasOwn(draft, payload.room) ? draft[payload.room] : undefined
        if (!current || current.status === 'failed')
          draft[payload.room] = { status: 'joining', gap: false }
      })
      .addCase(rooms.joined, (draft, { payload }) => {
        draft[payload.room] = { status: 'joined', joinedAt: payload.at, gap: payload.gap }
      })
      .addCase(rooms.joinFailed, (draft, { payload }) => {
        draft[payload.room] = { status: 'failed', gap: false, error: payload.error }
      })
      .addCase(rooms.leaveRequested, (draft, { payload }) => {
        delete draft[payload.room]
      })
      .addCase(rooms.left, (draft, { payload }) => {
        delete draft[payload.room]
      })
  },
)
