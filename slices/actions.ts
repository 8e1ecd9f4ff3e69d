import { createAction } from '@reduxjs/toolkit'
import { MessageType } from '../src/protocol/messageTypes'
import { validateFrame } from '../src/protocol/codec'
import { createId } from '../src/protocol/ids'
import { isValidId, isValidRoom } from '../src/protocol/validate'
import {
  PRESENCE_STATUSES,
  type Attachment,
  type ChatMessageData,
  type DirectMessageData,
  type ErrorData,
  type EventData,
  type JoinedData,
  type NotificationUpdateData,
  type PresenceEntry,
  type PresenceStatus,
  type SystemAlertData,
} from '../src/protocol/frames'
import type { WebSocketErrorInfo } from '../src/errors'
import type { ChatMessage, DirectMessage, Notification, OutboxEntry } from './types'

// ---- Commands: imperatives the middleware acts on. No reducer answers them. ----

function requireRoom(command: string, room: unknown): string {
  if (!isValidRoom(room)) {
    throw new TypeError(
      `${command}(room): room must be a 1-300 character name without spaces (e.g. 'general'), got ${JSON.stringify(room)}`,
    )
  }
  return room
}

/** What `sendMessage` accepts: the seed's `{ type, room, data }`. */
export type SendMessageInput =
  | { type: typeof MessageType.CHAT_MESSAGE; room: string; data: ChatMessageData; id?: string }
  | { type: typeof MessageType.DIRECT_MESSAGE; data: DirectMessageData; id?: string }

export interface SendChatMessageInput {
  room: string
  content: string
  replyTo?: string
  mentions?: string[]
  attachments?: Attachment[]
}

export interface SendDirectMessageInput {
  to: string
  content: string
  replyTo?: string
  mentions?: string[]
  attachments?: Attachment[]
}

interface OutgoingBase {
  /** Client-generated: the idempotency key the server acks. */
  id: string
  timestamp: number
}

/** The payload of a send command: the message as it will travel, validated. */
export type OutgoingMessage = OutgoingBase &
  (
    | { type: typeof MessageType.CHAT_MESSAGE; room: string; data: ChatMessageData }
    | { type: typeof MessageType.DIRECT_MESSAGE; data: DirectMessageData }
    | { type: typeof MessageType.NOTIFICATION_UPDATE; data: NotificationUpdateData }
  )

const SENDABLE = new Set<string>([MessageType.CHAT_MESSAGE, MessageType.DIRECT_MESSAGE])

/** Validates a would-be frame with the codec, so nothing invalid ever enters the outbox. */
function prepareOutgoing(
  command: string,
  input: { type: OutgoingMessage['type']; room?: string; data: unknown; id?: string },
): { payload: OutgoingMessage } {
  if (typeof input !== 'object' || input === null) throw new TypeError(`${command}: pass an object`)
  if (input.type === MessageType.CHAT_MESSAGE) requireRoom(command, input.room)
  const candidate = {
    v: 1,
    id: input.id ?? createId(),
    type: input.type,
    timestamp: Date.now(),
    ...(input.type === MessageType.CHAT_MESSAGE ? { room: input.room } : {}),
    data: input.data,
  }
  const result = validateFrame(candidate)
  if (!result.ok) throw new TypeError(`${command}: ${result.message}`)
  const frame = result.frame
  switch (frame.type) {
    case MessageType.CHAT_MESSAGE:
      return {
        payload: {
          id: frame.id,
          timestamp: frame.timestamp,
          type: frame.type,
          room: frame.room,
          data: frame.data,
        },
      }
    case MessageType.DIRECT_MESSAGE:
    case MessageType.NOTIFICATION_UPDATE:
      return {
        payload: {
          id: frame.id,
          timestamp: frame.timestamp,
          type: frame.type,
          data: frame.data,
        } as OutgoingMessage,
      }
    default:
      throw new TypeError(`${command}: ${frame.type} cannot be sent this way`)
  }
}

function requireUser(command: string, userId: unknown): string {
  if (!isValidId(userId)) {
    throw new TypeError(
      `${command}: userId must be a 1-128 character printable id, got ${JSON.stringify(userId)}`,
    )
  }
  return userId
}

export const connect = createAction('realtime/connect')
export const disconnect = createAction('realtime/disconnect')
export const reconnect = createAction('realtime/reconnect')
export const authenticate = createAction('realtime/authenticate', (token: string) => {
  if (typeof token !== 'string' || token === '') {
    throw new TypeError('authenticate(token): pass the JWT as a non-empty string')
  }
  return { payload: { token } }
})
export const joinRoom = createAction('realtime/joinRoom', (room: string) => ({
  payload: { room: requireRoom('joinRoom', room) },
}))
export const leaveRoom = createAction('realtime/leaveRoom', (room: string) => ({
  payload: { room: requireRoom('leaveRoom', room) },
}))
export const sendMessage = createAction('realtime/sendMessage', (input: SendMessageInput) => {
  if (typeof input !== 'object' || input === null || !SENDABLE.has(input.type)) {
    throw new TypeError(
      `sendMessage: type must be '${MessageType.CHAT_MESSAGE}' (with room) or '${MessageType.DIRECT_MESSAGE}' (with data.to); got ${JSON.stringify((input as { type?: unknown } | null)?.type)}`,
    )
  }
  return prepareOutgoing('sendMessage', input)
})
export const sendChatMessage = createAction(
  'realtime/sendChatMessage',
  ({ room, content, ...rest }: SendChatMessageInput) =>
    prepareOutgoing('sendChatMessage', {
      type: MessageType.CHAT_MESSAGE,
      room,
      data: { content, ...rest },
    }),
)
export const sendDirectMessage = createAction(
  'realtime/sendDirectMessage',
  ({ to, content, ...rest }: SendDirectMessageInput) =>
    prepareOutgoing('sendDirectMessage', {
      type: MessageType.DIRECT_MESSAGE,
      data: { to, content, ...rest },
    }),
)
export const startTyping = createAction('realtime/startTyping', (room: string) => ({
  payload: { room: requireRoom('startTyping', room) },
}))
export const stopTyping = createAction('realtime/stopTyping', (room: string) => ({
  payload: { room: requireRoom('stopTyping', room) },
}))
export const markAsRead = createAction(
  'realtime/markAsRead',
  ({ room, messageId }: { room: string; messageId: string }) => ({
    payload: {
      room: requireRoom('markAsRead', room),
      messageId: requireUser('markAsRead (messageId)', messageId),
    },
  }),
)
export const setStatus = createAction('realtime/setStatus', (status: PresenceStatus) => {
  if (!(PRESENCE_STATUSES as readonly string[]).includes(status) || status === 'offline') {
    throw new TypeError(
      `setStatus: status must be 'online', 'away' or 'busy', got ${JSON.stringify(status)}`,
    )
  }
  return { payload: { status } }
})
export const setCustomStatus = createAction('realtime/setCustomStatus', (customStatus: string) => {
  if (typeof customStatus !== 'string' || customStatus.length > 128) {
    throw new TypeError("setCustomStatus: pass a string of at most 128 characters ('' clears it)")
  }
  return { payload: { customStatus } }
})
export const subscribeToUser = createAction('realtime/subscribeToUser', (userId: string) => ({
  payload: { userId: requireUser('subscribeToUser', userId) },
}))
export const unsubscribeFromUser = createAction(
  'realtime/unsubscribeFromUser',
  (userId: string) => ({
    payload: { userId: requireUser('unsubscribeFromUser', userId) },
  }),
)
const notificationCommand = (command: string, op: NotificationUpdateData['op'], id?: string) =>
  prepareOutgoing(command, {
    type: MessageType.NOTIFICATION_UPDATE,
    data: { op, ...(id !== undefined ? { id: requireUser(`${command} (id)`, id) } : {}) },
  })
export const markNotificationRead = createAction('realtime/markNotificationRead', (id: string) =>
  notificationCommand('markNotificationRead', 'read', id),
)
export const markAllNotificationsRead = createAction('realtime/markAllNotificationsRead', () =>
  notificationCommand('markAllNotificationsRead', 'read_all'),
)
export const dismissNotification = createAction('realtime/dismissNotification', (id: string) =>
  notificationCommand('dismissNotification', 'dismiss', id),
)
export const clearNotifications = createAction('realtime/clearNotifications', () =>
  notificationCommand('clearNotifications', 'clear'),
)
export const subscribeToEvents = createAction('realtime/subscribeToEvents')
export const unsubscribeFromEvents = createAction('realtime/unsubscribeFromEvents')

// ---- Events: past tense, what happened. Reducers answer these. ----

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
  socketOpened: createAction<At>('realtime/connection/socketOpened'),
  opened: createAction<
    { userId: string; sessionId: string; epoch: string; maxFrameBytes?: number } & At
  >('realtime/connection/opened'),
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
  changed: createAction<{ users: PresenceEntry[] } & At>('realtime/presence/changed'),
  subscribed: createAction<{ userId: string }>('realtime/presence/subscribed'),
  unsubscribed: createAction<{ userId: string }>('realtime/presence/unsubscribed'),
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
