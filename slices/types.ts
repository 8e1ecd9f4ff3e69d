import type {
  AppMessageData,
  ChatMessageData,
  DirectMessageData,
  DirectMessageFrame,
  JoinedData,
  NotificationData,
  NotificationUpdateData,
} from '../src/protocol/frames'
import type { WebSocketErrorInfo } from '../src/errors'
import type { MessageType } from '../src/protocol/messageTypes'

/** Connection states; every transition into one carries `{ code, reason }`. */
export const WebSocketState = {
  IDLE: 'idle',
  CONNECTING: 'connecting',
  AUTHENTICATING: 'authenticating',
  OPEN: 'open',
  RECONNECTING: 'reconnecting',
  CLOSED: 'closed',
} as const
export type WebSocketState = (typeof WebSocketState)[keyof typeof WebSocketState]

/** Status of a message this client sent. */
export type MessageStatus = 'pending' | 'sent' | 'failed'

/**
 * The seed's `BaseMessage`: what every message has. `data` is `unknown` (the seed's `any`):
 * narrow by `type`, or use `ChatMessage` and the other message types.
 *
 * @example
 * const describe = (message: BaseMessage) => `${message.type} from ${message.userId ?? 'the server'}`
 */
export interface BaseMessage {
  id: string
  type: MessageType
  /** Epoch ms. */
  timestamp: number
  userId?: string
  room?: string
  data?: unknown
}

/**
 * The seed's `ChatMessage`, and what chat state holds: the wire frame's shape
 * (`msg.data.content`) plus the server's `seq` and, for this client's own messages, `status`.
 * Messages in state always have their `room`; the type keeps it optional, as the seed does, so
 * a message you build yourself needs none.
 *
 * @example
 * const draft: ChatMessage = { id: 'm1', type: MessageType.CHAT_MESSAGE, timestamp: Date.now(), data: { content: 'hi' } }
 */
export interface ChatMessage extends BaseMessage {
  type: typeof MessageType.CHAT_MESSAGE
  data: ChatMessageData
  /** The room stream's position, set by the server; own messages have none until acked. */
  seq?: number
  status?: MessageStatus
  error?: WebSocketErrorInfo
}

/** A direct message in state, in its conversation; `data.to` is the addressee. */
export interface DirectMessage extends Omit<DirectMessageFrame, 'v'> {
  status?: MessageStatus
  error?: WebSocketErrorInfo
}

/** A notification in state (newest first); system alerts have `kind: 'system_alert'`. */
export interface Notification extends NotificationData {
  id: string
  createdAt: number
  read: boolean
}

interface OutboxEntryBase {
  id: string
  createdAt: number
  /** The sender, when known at enqueue time. */
  userId?: string
}

/** A message waiting in the outbox until the server acknowledges it. */
export type OutboxEntry = OutboxEntryBase &
  (
    | { type: 'chat_message'; room: string; data: ChatMessageData }
    | { type: 'direct_message'; data: DirectMessageData }
    | { type: 'notification_update'; data: NotificationUpdateData }
    /** A durable `publish`: `data.type` is the app's type name, `data.data` its JSON. */
    | { type: 'app_message'; room: string; data: AppMessageData }
  )

/** The seed's `ConnectionInfo`, times as epoch ms. */
export interface ConnectionInfo {
  state: WebSocketState
  connectedAt?: number
  lastPingTime?: number
  lastPongTime?: number
  reconnectAttempts: number
  latency?: number
  isAuthenticated: boolean
  userId?: string
  sessionId?: string
  /** The server's epoch (random per server start). */
  serverEpoch?: string
  /** When the next reconnect attempt is due, while reconnecting. */
  nextReconnectAt?: number
  /** The server URL of the current (or latest) socket: one of `config.url`. */
  url?: string
}

/** The seed's `PerformanceMetrics`, `lastUpdate` as epoch ms. */
export interface PerformanceMetrics {
  /** Room messages received in seq order (duplicates by seq not counted; history replayed after a server restart is). */
  messagesReceived: number
  /** Messages the server acknowledged. */
  messagesSent: number
  averageLatency: number
  /** How long the current connection has been open, as of `lastUpdate`. */
  connectionUptime: number
  reconnectionCount: number
  errorCount: number
  lastUpdate: number
}

/** A state change with its cause, as centrifuge and WebSocket close events report them. */
export interface Transition {
  from: WebSocketState
  to: WebSocketState
  code: number
  reason: string
  at: number
}

export type RoomCursor = Pick<JoinedData, 'epoch'> & { seq: number }

export type { WebSocketErrorInfo }
