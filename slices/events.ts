import { createAction, type PayloadActionCreator } from '@reduxjs/toolkit'
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

/** The words of a space-separated list. */
type Words<S extends string> = S extends `${infer Word} ${infer Rest}` ? Word | Words<Rest> : S

/** One concern's event creators, one per key of `Payloads` (action type `string`, as before). */
type Events<Payloads> = { [Name in keyof Payloads]: PayloadActionCreator<Payloads[Name]> }

/**
 * The event creators of one concern, `realtime/<concern>/<name>` each, from its payload types
 * (`Payloads`) and the same names written once, space-separated (`names`, which must list
 * exactly `Payloads`' keys).
 */
const eventsOf =
  <Payloads>() =>
  <const Names extends string>(
    concern: string,
    names: Names &
      ([Words<Names>] extends [keyof Payloads]
        ? [keyof Payloads] extends [Words<Names>]
          ? unknown
          : never
        : never),
  ): Events<Payloads> =>
    Object.fromEntries(
      names.split(' ').map((name) => [name, createAction(`realtime/${concern}/${name}`)]),
    ) as Events<Payloads>

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

interface ConnectionEvents {
  connecting: { url: string } & At
  /** `url`: the server URL this socket reached (one of `config.url`). */
  socketOpened: { url?: string } & At
  /** `serverTime`: the server's clock when it sent `auth_ok`, so lifetimes need no synced clocks. */
  opened: AuthOkData & { serverTime?: number } & At
  closed: ClosedPayload
  pingSent: At
  pongReceived: { latency: number } & At
  errorOccurred: { error: WebSocketErrorInfo }
  errorsReceived: { errors: ErrorData[] } & At
}

export const connection = eventsOf<ConnectionEvents>()(
  'connection',
  'connecting socketOpened opened closed pingSent pongReceived errorOccurred errorsReceived',
)

export const inbound = eventsOf<{ framesRejected: { rejections: FrameRejection[] } & At }>()(
  'inbound',
  'framesRejected',
)

interface RoomEvents {
  joinRequested: { room: string }
  joined: { room: string } & JoinedData & At
  joinFailed: { room: string; error: WebSocketErrorInfo }
  leaveRequested: { room: string }
  left: { room: string }
  gapDetected: { room: string; expectedSeq: number; receivedSeq: number }
}

export const rooms = eventsOf<RoomEvents>()(
  'rooms',
  'joinRequested joined joinFailed leaveRequested left gapDetected',
)

export interface ReadReceipt {
  room: string
  userId: string
  messageId: string
  seq: number
}

interface ChatEvents {
  messagesReceived: { messages: ChatMessage[] } & At
  directMessagesReceived: { messages: DirectMessage[] } & At
  typingStarted: { room: string; userId: string } & At
  typingStopped: { room: string; userId: string }
  readReceiptsReceived: { receipts: ReadReceipt[] } & At
}

export const chat = eventsOf<ChatEvents>()(
  'chat',
  'messagesReceived directMessagesReceived typingStarted typingStopped readReceiptsReceived',
)

interface PresenceEvents {
  /** Everyone this connection follows; replaces what was known. */
  synced: { users: PresenceEntry[] } & At
  userOnline: PresenceEntry & At
  userOffline: PresenceEntry & At
  /** `removed`: users this connection no longer follows (no shared room, no subscription). */
  changed: { users: PresenceEntry[]; removed?: string[] } & At
  subscribed: { userId: string }
  unsubscribed: { userId: string }
}

export const presence = eventsOf<PresenceEvents>()(
  'presence',
  'synced userOnline userOffline changed subscribed unsubscribed',
)

interface RoomPresenceEvents {
  /** A room's member list as the server sent it on join; replaces what was known. */
  synced: { room: string; members: RoomMemberEntry[] } & At
  /** Members joined or set their data (`members`), or left (`left`). */
  changed: { room: string; members: RoomMemberEntry[]; left: string[] } & At
}

export const roomPresence = eventsOf<RoomPresenceEvents>()('roomPresence', 'synced changed')

interface NotificationEvents {
  received: { notifications: Notification[] } & At
  /** A read/dismiss/clear from another device, through this user's stream. */
  updated: NotificationUpdateData & At
  systemAlertReceived: { id: string } & SystemAlertData & At
}

export const notifications = eventsOf<NotificationEvents>()(
  'notifications',
  'received updated systemAlertReceived',
)

export const events = eventsOf<{
  received: { events: EventData[] } & At
  subscriptionChanged: { subscribed: boolean }
}>()('events', 'received subscriptionChanged')

interface OutboxEvents {
  enqueued: { entry: OutboxEntry }
  /** The outbox was full: the message is kept in state as failed, never silently dropped. */
  overflowed: { entry: OutboxEntry; error: WebSocketErrorInfo }
  acked: { acks: AckInfo[] } & At
  failed: { failures: Array<{ id: string; room?: string; error: WebSocketErrorInfo }> }
  restored: { entries: OutboxEntry[] }
}

export const outbox = eventsOf<OutboxEvents>()(
  'outbox',
  'enqueued overflowed acked failed restored',
)

/**
 * App-defined messages (`publish`), one action per inbound burst; the package stores none of
 * them: the app's reducers do. Typed by `createRealtime<AppMessages>().events.custom`.
 */
export const custom = eventsOf<{ messagesReceived: { messages: AppMessage[] } & At }>()(
  'custom',
  'messagesReceived',
)
