import { combineReducers, type Reducer } from '@reduxjs/toolkit'
import { connectionReducer, type ConnectionSliceState } from './connectionSlice'
import { createChatReducer, type ChatSliceOptions, type ChatSliceState } from './chatSlice'
import { roomsReducer, type RoomsSliceState } from './roomsSlice'
import { outboxReducer, type OutboxSliceState } from './outboxSlice'

/** Everything redux-realtime keeps under its `reducerPath`. Plain data only. */
export interface RealtimeState {
  connection: ConnectionSliceState
  rooms: RoomsSliceState
  chat: ChatSliceState
  outbox: OutboxSliceState
}

export function createRealtimeReducer(options: ChatSliceOptions): Reducer<RealtimeState> {
  return combineReducers({
    connection: connectionReducer,
    rooms: roomsReducer,
    chat: createChatReducer(options),
    outbox: outboxReducer,
  })
}
