import { combineReducers, type Reducer } from '@reduxjs/toolkit'
import { freezeNew } from './freeze'
import { connectionReducer, type ConnectionSliceState } from './connectionSlice'
import { createChatReducer, type ChatSliceState } from './chatSlice'
import { createDirectReducer, type DirectSliceState } from './directSlice'
import { eventsReducer, type EventsSliceState } from './eventsSlice'
import { createNotificationsReducer, type NotificationsSliceState } from './notificationsSlice'
import { outboxReducer, type OutboxSliceState } from './outboxSlice'
import { presenceReducer, type PresenceSliceState } from './presenceSlice'
import { receiptsReducer, type ReceiptsSliceState } from './receiptsSlice'
import { roomPresenceReducer, type RoomPresenceSliceState } from './roomPresenceSlice'
import { roomsReducer, type RoomsSliceState } from './roomsSlice'
import { typingReducer, type TypingSliceState } from './typingSlice'

/** Everything redux-realtime keeps under its `reducerPath`. Plain data only. */
export interface RealtimeState {
  connection: ConnectionSliceState
  rooms: RoomsSliceState
  chat: ChatSliceState
  direct: DirectSliceState
  typing: TypingSliceState
  receipts: ReceiptsSliceState
  presence: PresenceSliceState
  roomPresence: RoomPresenceSliceState
  notifications: NotificationsSliceState
  events: EventsSliceState
  outbox: OutboxSliceState
}

export interface RealtimeReducerOptions {
  maxMessagesPerRoom: number
  maxNotifications: number
}

/** `extra`: the plugins' reducers, by their `reducerKey`, next to the core's. */
export function createRealtimeReducer(
  options: RealtimeReducerOptions,
  extra: Readonly<Record<string, Reducer>> = {},
): Reducer<RealtimeState> {
  const reducer = combineReducers({
    ...extra,
    connection: connectionReducer,
    rooms: roomsReducer,
    chat: createChatReducer(options),
    direct: createDirectReducer(options),
    typing: typingReducer,
    receipts: receiptsReducer,
    presence: presenceReducer,
    roomPresence: roomPresenceReducer,
    notifications: createNotificationsReducer(options),
    events: eventsReducer,
    outbox: outboxReducer,
  })
  // Frozen as Immer freezes RTK's slices: RTK's dev checks then skip what did not change.
  return (state, action) => {
    const next = reducer(state, action)
    return next === state ? next : freezeNew(next)
  }
}
