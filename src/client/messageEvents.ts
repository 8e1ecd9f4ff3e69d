import type { PayloadAction, UnknownAction } from '@reduxjs/toolkit'
import { errorInfo, type WebSocketErrorInfo } from '../errors'
import { WebSocketErrorCode } from '../protocol/codes'
import { createId } from '../protocol/ids'
import { MessageType } from '../protocol/messageTypes'
import type {
  ChatMessageData,
  DirectMessageData,
  EventData,
  PresenceEntry,
  ReadReceiptData,
  SystemAlertData,
} from '../protocol/frames'
import {
  chat,
  connection,
  custom,
  events,
  inbound,
  notifications,
  presence,
} from '../../slices/actions'
import type { AppMessage } from '../../slices/appMessages'
import type { Notification } from '../../slices/types'

/**
 * `{ room, userId }` of a typing indicator.
 *
 * @example
 * client.subscribe(MessageType.TYPING_START, ({ data }: { data: TypingData }) => showTyping(data.userId))
 */
export interface TypingData {
  room: string
  userId: string
}

/**
 * An error as subscribers see it; `retryAfterMs` comes with `RATE_LIMITED`.
 *
 * @example
 * client.subscribe(MessageType.ERROR, ({ data }: { data: ErrorMessageData }) => {
 *   if (data.code === WebSocketErrorCode.RATE_LIMITED) backOff(data.retryAfterMs ?? 1000)
 * })
 */
export type ErrorMessageData = WebSocketErrorInfo & { retryAfterMs?: number }

/**
 * The `data` a subscriber receives for each message type it can subscribe to.
 *
 * @example
 * type Typing = MessageDataMap[typeof MessageType.TYPING_START] // { room: string; userId: string }
 */
export interface MessageDataMap {
  [MessageType.CHAT_MESSAGE]: ChatMessageData
  [MessageType.DIRECT_MESSAGE]: DirectMessageData
  [MessageType.TYPING_START]: TypingData
  [MessageType.TYPING_STOP]: TypingData
  [MessageType.READ_RECEIPT]: ReadReceiptData
  [MessageType.USER_ONLINE]: PresenceEntry
  [MessageType.USER_OFFLINE]: PresenceEntry
  [MessageType.PRESENCE_UPDATE]: PresenceEntry
  [MessageType.NOTIFICATION]: Notification
  [MessageType.SYSTEM_ALERT]: SystemAlertData
  [MessageType.EVENT_UPDATE]: EventData
  [MessageType.PONG]: { latency: number }
  [MessageType.ERROR]: ErrorMessageData
}

/**
 * The message types `WebSocketClient.subscribe` delivers.
 *
 * @example
 * const watched: SubscribableMessageType[] = [MessageType.CHAT_MESSAGE, MessageType.USER_ONLINE]
 */
export type SubscribableMessageType = keyof MessageDataMap

/**
 * The seed's `BaseMessage`, as handed to `WebSocketClient.subscribe` handlers.
 *
 * @example
 * const show = (message: RealtimeMessage<typeof MessageType.CHAT_MESSAGE>) =>
 *   `${message.userId ?? 'someone'}: ${message.data.content}`
 */
export interface RealtimeMessage<T extends SubscribableMessageType = SubscribableMessageType> {
  id: string
  type: T
  /** Epoch ms. */
  timestamp: number
  userId?: string
  room?: string
  data: MessageDataMap[T]
}

/**
 * Any deliverable message, discriminated by `type`.
 *
 * @example
 * function describe(message: AnyRealtimeMessage): string {
 *   return message.type === MessageType.ERROR ? message.data.code : message.type
 * }
 */
export type AnyRealtimeMessage = {
  [T in SubscribableMessageType]: RealtimeMessage<T>
}[SubscribableMessageType]

function message<T extends SubscribableMessageType>(
  type: T,
  fields: { id?: string; timestamp: number; userId?: string; room?: string | undefined },
  data: MessageDataMap[T],
): AnyRealtimeMessage {
  return {
    id: fields.id ?? createId(),
    type,
    timestamp: fields.timestamp,
    ...(fields.userId !== undefined ? { userId: fields.userId } : {}),
    ...(fields.room !== undefined ? { room: fields.room } : {}),
    data,
  } as AnyRealtimeMessage
}

/**
 * What subscribers can be handed: a protocol message, or an app-defined one (`publish`), whose
 * `type` is the app's type name.
 */
export type DeliveredMessage = AnyRealtimeMessage | AppMessage

type ToMessages = (action: UnknownAction) => DeliveredMessage[]

/** One row: an event action and the messages it stands for. */
function on<P>(
  creator: { type: string; match: (action: unknown) => action is PayloadAction<P> },
  toMessages: (payload: P) => DeliveredMessage[],
): [string, ToMessages] {
  return [creator.type, (action) => (creator.match(action) ? toMessages(action.payload) : [])]
}

function presenceEntry({ userId, status, customStatus, lastSeen }: PresenceEntry): PresenceEntry {
  return {
    userId,
    status,
    ...(customStatus !== undefined ? { customStatus } : {}),
    ...(lastSeen !== undefined ? { lastSeen } : {}),
  }
}

const presenceUpdates = ({ users, at }: { users: PresenceEntry[]; at: number }) =>
  users.map((u) =>
    message(MessageType.PRESENCE_UPDATE, { timestamp: at, userId: u.userId }, presenceEntry(u)),
  )

/**
 * Which event actions become which subscriber messages: the one place the client's
 * `subscribe` is defined. Batched actions (`messagesReceived`, …) give one message per item.
 */
// Built in an annotated IIFE so bundles that never use the client (createRealtime alone) drop it.
const MESSAGE_EVENTS = /* @__PURE__ */ (() =>
  new Map<string, ToMessages>([
    on(chat.messagesReceived, ({ messages }) =>
      messages.map((m) => message(MessageType.CHAT_MESSAGE, m, m.data)),
    ),
    on(chat.directMessagesReceived, ({ messages }) =>
      messages.map((m) => message(MessageType.DIRECT_MESSAGE, m, m.data)),
    ),
    // Already the seed's shape (id, type, timestamp, userId, room, data), plus seq when durable.
    on(custom.messagesReceived, ({ messages }) => messages),
    on(chat.typingStarted, ({ room, userId, at }) => [
      message(MessageType.TYPING_START, { timestamp: at, room, userId }, { room, userId }),
    ]),
    on(chat.typingStopped, ({ room, userId }) => [
      // typingStopped may come from a local timeout and carries no time of its own.
      message(MessageType.TYPING_STOP, { timestamp: Date.now(), room, userId }, { room, userId }),
    ]),
    on(chat.readReceiptsReceived, ({ receipts, at }) =>
      receipts.map((r) =>
        message(
          MessageType.READ_RECEIPT,
          { timestamp: at, room: r.room, userId: r.userId },
          { messageId: r.messageId, seq: r.seq },
        ),
      ),
    ),
    on(presence.userOnline, ({ at, ...entry }) => [
      message(
        MessageType.USER_ONLINE,
        { timestamp: at, userId: entry.userId },
        presenceEntry(entry),
      ),
    ]),
    on(presence.userOffline, ({ at, ...entry }) => [
      message(
        MessageType.USER_OFFLINE,
        { timestamp: at, userId: entry.userId },
        presenceEntry(entry),
      ),
    ]),
    on(presence.changed, presenceUpdates),
    on(presence.synced, presenceUpdates),
    on(notifications.received, ({ notifications: list }) =>
      list.map((n) => message(MessageType.NOTIFICATION, { id: n.id, timestamp: n.createdAt }, n)),
    ),
    on(notifications.systemAlertReceived, ({ id, message: text, severity, at }) => [
      message(MessageType.SYSTEM_ALERT, { id, timestamp: at }, { message: text, severity }),
    ]),
    on(events.received, ({ events: list, at }) =>
      list.map((e) => message(MessageType.EVENT_UPDATE, { timestamp: at }, e)),
    ),
    on(connection.pongReceived, ({ latency, at }) => [
      message(MessageType.PONG, { timestamp: at }, { latency }),
    ]),
    on(connection.errorsReceived, ({ errors, at }) =>
      errors.map((e) =>
        message(
          MessageType.ERROR,
          { timestamp: at },
          {
            ...errorInfo(e.code, e.message, {
              context: 'server',
              timestamp: at,
              ...(e.refId !== undefined ? { refId: e.refId } : {}),
            }),
            ...(e.retryAfterMs !== undefined ? { retryAfterMs: e.retryAfterMs } : {}),
          },
        ),
      ),
    ),
    on(connection.errorOccurred, ({ error }) => [
      message(MessageType.ERROR, { timestamp: error.timestamp }, error),
    ]),
    on(inbound.framesRejected, ({ rejections, at }) =>
      rejections.map((r) =>
        message(
          MessageType.ERROR,
          { timestamp: at },
          errorInfo(WebSocketErrorCode.INVALID_FRAME, `${r.reason}: ${r.message}`, {
            context: 'inbound',
            timestamp: at,
            ...(r.id !== undefined ? { refId: r.id } : {}),
          }),
        ),
      ),
    ),
  ]))()

/**
 * The action types that produce subscriber messages.
 *
 * @example
 * MESSAGE_EVENT_TYPES.includes('realtime/chat/messagesReceived') // true
 */
export const MESSAGE_EVENT_TYPES: readonly string[] = /* @__PURE__ */ (() => [
  ...MESSAGE_EVENTS.keys(),
])()

/**
 * The seed-shaped messages an action stands for (none for most actions).
 *
 * @example
 * messagesFromAction(chat.typingStarted({ room: 'general', userId: 'bob', at: Date.now() }))
 * // [{ id, type: 'typing_start', timestamp, room: 'general', userId: 'bob', data: { room: 'general', userId: 'bob' } }]
 */
export function messagesFromAction(action: UnknownAction): DeliveredMessage[] {
  return MESSAGE_EVENTS.get(action.type)?.(action) ?? []
}

// A record, so adding a type to MessageDataMap without listing it here is a type error.
const SUBSCRIBABLE: Record<SubscribableMessageType, true> = /* @__PURE__ */ (() => ({
  [MessageType.CHAT_MESSAGE]: true,
  [MessageType.DIRECT_MESSAGE]: true,
  [MessageType.TYPING_START]: true,
  [MessageType.TYPING_STOP]: true,
  [MessageType.READ_RECEIPT]: true,
  [MessageType.USER_ONLINE]: true,
  [MessageType.USER_OFFLINE]: true,
  [MessageType.PRESENCE_UPDATE]: true,
  [MessageType.NOTIFICATION]: true,
  [MessageType.SYSTEM_ALERT]: true,
  [MessageType.EVENT_UPDATE]: true,
  [MessageType.PONG]: true,
  [MessageType.ERROR]: true,
}))()

/**
 * The message types `subscribe` can deliver.
 *
 * @example
 * for (const type of SUBSCRIBABLE_MESSAGE_TYPES) client.subscribe(type, (m) => console.debug(m))
 */
export const SUBSCRIBABLE_MESSAGE_TYPES = /* @__PURE__ */ Object.keys(
  SUBSCRIBABLE,
) as SubscribableMessageType[]

/**
 * Whether `type` is one `subscribe` can deliver.
 *
 * @example
 * isSubscribableType('chat_message') // true
 * isSubscribableType('ack')          // false
 */
export function isSubscribableType(type: unknown): type is SubscribableMessageType {
  return typeof type === 'string' && Object.hasOwn(SUBSCRIBABLE, type)
}
