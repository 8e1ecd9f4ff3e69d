import { createAction } from '@reduxjs/toolkit'
import type {
  AuthOkData,
  ErrorData,
  EventData,
  JoinedData,
  NotificationUpdateData,
  PresenceEntry,
  RoomMemberEntry,
  SystemAlertData,
} from '../src/protocol/frames'
import type { WebSocketErrorInfo } from '../src/errors'
import type { ChatMessage, DirectMessage, Notification, OutboxEntry } from './types'
import type { AppMessage } from './appMessages'

/** Events: past tense, what happened. Reducers answer these. */

export interface At {
  at: number
}

export interface ClosedPayload extends At {
  code: number
  reason: string
  willReconnect: boolean
  /** Failed attempts in a row so far (the one about to be made, when reconnecting). */
  attempt: number
  retryInMs?: number
  error?: WebSocketErrorInfo
}

export interface AckInfo {
  refId: string
  seq?: number
  room?: string
}

export interface FrameRejection {
  reason: string
  message: string
  id?: string
}

export const connection = {
  connecting: createAction<{ url: string } & At>('realtime/connection/connecting'),
  /** `url`: the server URL this socket reached (one of `config.url`). */
  socketOpened: createAction<{ url?: string } & At>('realtime/connection/socketOpened'),
  /** `serverTime`: the server's clock when it sent `auth_ok`, so lifetimes need no synced clocks. */
  opened: createAction<AuthOkData & { serverTime?: number } & At>('realtime/connection/opened'),
  closed: createAction<ClosedPayload>('realtime/connection/closed'),
  pingSent: createAction<At>('realtime/connection/pingSent'),
  pongReceived: createAction<{ latency: number } & At>('realtime/connection/pongReceived'),
  errorOccurred: createAction<{ error: WebSocketErrorInfo }>('realtime/connection/errorOccurred'),
  errorsReceived: createAction<{ errors: ErrorData[] } & At>('realtime/connection/errorsReceived'),
}

export const inbound = {
  framesRejected: createAction<{ rejections: FrameRejection[] } & At>(
    'realtime/inbound/framesRejected',
  ),
}

export const rooms = {
  joinRequested: createAction<{ room: string }>('realtime/rooms/joinRequested'),
  joined: createAction<{ room: string } & JoinedData & At>('realtime/rooms/joined'),
  joinFailed: createAction<{ room: string; error: WebSocketErrorInfo }>(
    'realtime/rooms/joinFailed',
  ),
  leaveRequested: createAction<{ room: string }>('realtime/rooms/leaveRequested'),
  left: createAction<{ room: string }>('realtime/rooms/left'),
  gapDetected: createAction<{ room: string; expectedSeq: number; receivedSeq: number }>(
    'realtime/rooms/gapDetected',
  ),
}

export interface ReadReceipt {
  room: string
  userId: string
  messageId: string
  seq: number
}

export const chat = {
  messagesReceived: createAction<{ messages: ChatMessage[] } & At>(
    'realtime/chat/messagesReceived',
  ),
  directMessagesReceived: createAction<{ messages: DirectMessage[] } & At>(
    'realtime/chat/directMessagesReceived',
  ),
  typingStarted: createAction<{ room: string; userId: string } & At>('realtime/chat/typingStarted'),
  typingStopped: createAction<{ room: string; userId: string }>('realtime/chat/typingStopped'),
  readReceiptsReceived: createAction<{ receipts: ReadReceipt[] } & At>(
    'realtime/chat/readReceiptsReceived',
  ),
}

export const presence = {
  /** Everyone this connection follows; replaces what was known. */
  synced: createAction<{ users: PresenceEntry[] } & At>('realtime/presence/synced'),
  userOnline: createAction<PresenceEntry & At>('realtime/presence/userOnline'),
  userOffline: createAction<PresenceEntry & At>('realtime/presence/userOffline'),
  /** `removed`: users this connection no longer follows (no shared room, no subscription). */
  changed: createAction<{ users: PresenceEntry[]; removed?: string[] } & At>(
    'realtime/presence/changed',
  ),
  subscribed: createAction<{ userId: string }>('realtime/presence/subscribed'),
  unsubscribed: createAction<{ userId: string }>('realtime/presence/unsubscribed'),
}

export const roomPresence = {
  /** A room's member list as the server sent it on join; replaces what was known. */
  synced: createAction<{ room: string; members: RoomMemberEntry[] } & At>(
    'realtime/roomPresence/synced',
  ),
  /** Members joined or set their data (`members`), or left (`left`). */
  changed: createAction<{ room: string; members: RoomMemberEntry[]; left: string[] } & At>(
    'realtime/roomPresence/changed',
  ),
}

export const notifications = {
  received: createAction<{ notifications: Notification[] } & At>('realtime/notifications/received'),
  /** A read/dismiss/clear from another device, through this user's stream. */
  updated: createAction<NotificationUpdateData & At>('realtime/notifications/updated'),
  systemAlertReceived: createAction<{ id: string } & SystemAlertData & At>(
    'realtime/notifications/systemAlertReceived',
  ),
}

export const events = {
  received: createAction<{ events: EventData[] } & At>('realtime/events/received'),
  subscriptionChanged: createAction<{ subscribed: boolean }>('realtime/events/subscriptionChanged'),
}

export const outbox = {
  enqueued: createAction<{ entry: OutboxEntry }>('realtime/outbox/enqueued'),
  /** The outbox was full: the message is kept in state as failed, never silently dropped. */
  overflowed: createAction<{ entry: OutboxEntry; error: WebSocketErrorInfo }>(
    'realtime/outbox/overflowed',
  ),
  acked: createAction<{ acks: AckInfo[] } & At>('realtime/outbox/acked'),
  failed: createAction<{
    failures: Array<{ id: string; room?: string; error: WebSocketErrorInfo }>
  }>('realtime/outbox/failed'),
  restored: createAction<{ entries: OutboxEntry[] }>('realtime/outbox/restored'),
}

/**
 * App-defined messages (`publish`), one action per inbound burst; the package stores none of
 * them: the app's reducers do. Typed by `createRealtime<AppMessages>().events.custom`.
 */
export const custom = {
  messagesReceived: createAction<{ messages: AppMessage[] } & At>(
    'realtime/custom/messagesReceived',
  ),
}
