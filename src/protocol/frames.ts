import type { MessageType, PROTOCOL_VERSION } from './messageTypes'
import type { WebSocketErrorCode } from './codes'
import type { DocFrame } from './docFrames'

/**
 * The envelope every frame shares: the seed's `BaseMessage` plus `v` and `seq`.
 * `seq` is set by the server on frames of a stream (a room) and increases by one.
 */
export interface FrameEnvelope<T extends MessageType, D> {
  v: typeof PROTOCOL_VERSION
  id: string
  type: T
  timestamp: number
  userId?: string
  room?: string
  seq?: number
  data: D
}

/** File metadata attached to a chat message (no upload: the file lives at `url`). */
export interface Attachment {
  name: string
  url: string
  mimeType: string
  size: number
}

export interface ChatMessageData {
  content: string
  replyTo?: string
  mentions?: string[]
  attachments?: Attachment[]
}

export interface AuthData {
  token: string
  /** The largest frame this client accepts: the server never sends it a larger one. */
  maxFrameBytes?: number
}

/** A rate limit as the server states it: at most `messages` frames per `perMs`. */
export interface RateLimitData {
  messages: number
  perMs: number
}

export interface AuthOkData {
  userId: string
  sessionId: string
  /**
   * The server instance's id, random per start. Cursors use each stream's epoch from `joined`
   * (this same id unless the server's history store keeps one per stream).
   */
  epoch: string
  /** The largest frame the server accepts, so the client fails a too-big message itself. */
  maxFrameBytes?: number
  /** When the token expires (epoch ms, from its `exp`). */
  expiresAt?: number
  /** The server's per-connection rate limit, when it has one: the client paces itself under it. */
  rateLimit?: RateLimitData
  /** The most unacknowledged messages the server holds for one connection. */
  maxInFlight?: number
}

export interface AckData {
  /** The id of the client frame this acknowledges. */
  refId: string
  /** The seq the server assigned to it in its room. */
  seq?: number
}

/** A join carries the client's cursor for the room so the server can replay what it missed. */
export interface JoinData {
  epoch?: string
  seq?: number
}

export interface JoinedData {
  /** The id of the `join` this answers: a `joined` nobody asked for moves no cursor. */
  refId?: string
  epoch: string
  /** Replay starts after this seq: the client's cursor when resumed, else before the oldest retained. */
  fromSeq: number
  /** The room's newest seq at join time. */
  headSeq: number
  /** True when the client's cursor was honoured and nothing was skipped. */
  resumed: boolean
  /** True when messages may have been missed (unknown epoch or cursor older than retention). */
  gap: boolean
}

export interface PongData {
  /** The `timestamp` of the ping this answers, for latency. */
  echo: number
}

export interface ErrorData {
  code: WebSocketErrorCode
  message: string
  /** The id of the frame this error refers to, when known. */
  refId?: string
  /** For `RATE_LIMITED`: when to try again. */
  retryAfterMs?: number
  /**
   * For a stream frame the server could not deliver (`MESSAGE_TOO_LARGE`: above the client's
   * `maxFrameBytes`): its seq in the error frame's `room`, so the client's cursor moves past it.
   */
  seq?: number
  /** The document this error is about (for `doc_*` frames). */
  doc?: string
}

export type EmptyData = Record<string, never>

/** A direct message: chat content plus the addressee. */
export interface DirectMessageData extends ChatMessageData {
  to: string
}

/** "I have read up to here" in a room. */
export interface ReadReceiptData {
  messageId: string
  seq: number
}

export const PRESENCE_STATUSES = ['online', 'away', 'busy', 'offline'] as const
export type PresenceStatus = (typeof PRESENCE_STATUSES)[number]

/** One user's presence. `lastSeen` (epoch ms) is set when their last connection closed. */
export interface PresenceEntry {
  userId: string
  status: PresenceStatus
  customStatus?: string
  lastSeen?: number
}

/**
 * Client → server: set your own `status` and/or `customStatus` ('' clears it).
 * Server → client: `users` changed; `snapshot: true` means "this is everyone you follow";
 * `removed`: users this connection no longer follows (it stopped sharing a room with them).
 */
export interface PresenceUpdateData {
  status?: PresenceStatus
  customStatus?: string
  snapshot?: boolean
  users?: PresenceEntry[]
  removed?: string[]
}

/** The most bytes one member's room presence data may take as JSON. */
export const MAX_ROOM_PRESENCE_BYTES = 1024

/** One member of a room: a user with a connection joined to it, and the data they set there. */
export interface RoomMemberEntry {
  userId: string
  data?: JsonValue
}

/**
 * Client → server: `data` is your data in the frame's room (JSON, at most 1 KiB), answered
 * with an `ack`. Server → client: `snapshot: true` with `members` is the room's member list
 * (a long one continues in diffs); a diff upserts `members` and removes the users in `left`.
 */
export interface RoomPresenceData {
  data?: JsonValue
  snapshot?: boolean
  members?: RoomMemberEntry[]
  left?: string[]
}

export type SubscribeData = { topic: 'user'; userId: string } | { topic: 'events' }

export const NOTIFICATION_SEVERITIES = ['info', 'warning', 'error', 'critical'] as const
export type NotificationSeverity = (typeof NOTIFICATION_SEVERITIES)[number]

/** A notification on the user's private stream; its id is the frame's id. */
export interface NotificationData {
  title: string
  body?: string
  /** 'info', 'event_reminder', 'system_alert' or your own. */
  kind: string
  severity: NotificationSeverity
  /** For reminders: the event it is about. */
  eventId?: string
  link?: string
}

export type NotificationOp = 'read' | 'read_all' | 'dismiss' | 'clear'

/** A change to the user's notifications, synced across their devices. */
export interface NotificationUpdateData {
  op: NotificationOp
  /** The notification, for `read` and `dismiss`. */
  id?: string
}

/** Sent to every connected user; not stored. */
export interface SystemAlertData {
  message: string
  severity: NotificationSeverity
}

/** A calendar-style event; `status: 'cancelled'` cancels it. Times are epoch ms. */
export interface EventData {
  id: string
  title: string
  startsAt: number
  endsAt?: number
  location?: string
  status: string
  /** When the server sends subscribers a reminder notification. */
  remindAt?: number[]
  updatedAt: number
}

/** A value that survives `JSON.stringify` / `JSON.parse` unchanged. */
export type JsonPrimitive = string | number | boolean | null
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue }

/**
 * An app-defined message: `type` is the app's name for it (`^[a-z][a-z0-9_.:-]{0,63}$`, never a
 * `MessageType` value nor an `Object.prototype` member name), `data` its JSON payload. Durable
 * ones are acked and get the room's `seq`; `volatile: true` ones are relayed to the room's other
 * connections only, with no ack, no `seq` and no history.
 */
export interface AppMessageData {
  type: string
  data: JsonValue
  volatile?: true
}

export type AuthFrame = FrameEnvelope<typeof MessageType.AUTH, AuthData>
export type AuthOkFrame = FrameEnvelope<typeof MessageType.AUTH_OK, AuthOkData>
export type AckFrame = FrameEnvelope<typeof MessageType.ACK, AckData>
export type PingFrame = FrameEnvelope<typeof MessageType.PING, EmptyData>
export type PongFrame = FrameEnvelope<typeof MessageType.PONG, PongData>
export type JoinFrame = FrameEnvelope<typeof MessageType.JOIN, JoinData> & { room: string }
export type JoinedFrame = FrameEnvelope<typeof MessageType.JOINED, JoinedData> & { room: string }
export type LeaveFrame = FrameEnvelope<typeof MessageType.LEAVE, EmptyData> & { room: string }
export type LeftFrame = FrameEnvelope<typeof MessageType.LEFT, EmptyData> & { room: string }
export type ChatMessageFrame = FrameEnvelope<typeof MessageType.CHAT_MESSAGE, ChatMessageData> & {
  room: string
}
export type ErrorFrame = FrameEnvelope<typeof MessageType.ERROR, ErrorData>
export type DirectMessageFrame = FrameEnvelope<typeof MessageType.DIRECT_MESSAGE, DirectMessageData>
export type TypingStartFrame = FrameEnvelope<typeof MessageType.TYPING_START, EmptyData> & {
  room: string
}
export type TypingStopFrame = FrameEnvelope<typeof MessageType.TYPING_STOP, EmptyData> & {
  room: string
}
export type ReadReceiptFrame = FrameEnvelope<typeof MessageType.READ_RECEIPT, ReadReceiptData> & {
  room: string
}
export type PresenceUpdateFrame = FrameEnvelope<
  typeof MessageType.PRESENCE_UPDATE,
  PresenceUpdateData
>
export type RoomPresenceFrame = FrameEnvelope<
  typeof MessageType.ROOM_PRESENCE,
  RoomPresenceData
> & {
  room: string
}
export type UserOnlineFrame = FrameEnvelope<typeof MessageType.USER_ONLINE, PresenceEntry>
export type UserOfflineFrame = FrameEnvelope<typeof MessageType.USER_OFFLINE, PresenceEntry>
export type SubscribeFrame = FrameEnvelope<typeof MessageType.SUBSCRIBE, SubscribeData>
export type UnsubscribeFrame = FrameEnvelope<typeof MessageType.UNSUBSCRIBE, SubscribeData>
export type NotificationFrame = FrameEnvelope<typeof MessageType.NOTIFICATION, NotificationData>
export type NotificationUpdateFrame = FrameEnvelope<
  typeof MessageType.NOTIFICATION_UPDATE,
  NotificationUpdateData
>
export type SystemAlertFrame = FrameEnvelope<typeof MessageType.SYSTEM_ALERT, SystemAlertData>
export type EventUpdateFrame = FrameEnvelope<typeof MessageType.EVENT_UPDATE, EventData>
export type AppMessageFrame = FrameEnvelope<typeof MessageType.APP_MESSAGE, AppMessageData> & {
  room: string
}
export type BatchFrame = FrameEnvelope<typeof MessageType.BATCH, { frames: Frame[] }>

/** Every frame the codec accepts. */
export type Frame =
  | AuthFrame
  | AuthOkFrame
  | AckFrame
  | PingFrame
  | PongFrame
  | JoinFrame
  | JoinedFrame
  | LeaveFrame
  | LeftFrame
  | ChatMessageFrame
  | ErrorFrame
  | BatchFrame
  | DirectMessageFrame
  | TypingStartFrame
  | TypingStopFrame
  | ReadReceiptFrame
  | PresenceUpdateFrame
  | RoomPresenceFrame
  | UserOnlineFrame
  | UserOfflineFrame
  | SubscribeFrame
  | UnsubscribeFrame
  | NotificationFrame
  | NotificationUpdateFrame
  | SystemAlertFrame
  | EventUpdateFrame
  | AppMessageFrame
  | DocFrame

/** Frames that travel on a stream (with seq, retained, resumable). */
export type StreamFrame =
  | ChatMessageFrame
  | DirectMessageFrame
  | NotificationFrame
  | NotificationUpdateFrame
  | EventUpdateFrame
  | AppMessageFrame

export type FrameOfType<T extends Frame['type']> = Extract<Frame, { type: T }>
