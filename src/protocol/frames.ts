import type { MessageType, PROTOCOL_VERSION } from './messageTypes'
import type { WebSocketErrorCode } from './codes'

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
}

export interface AuthOkData {
  userId: string
  sessionId: string
  /** Random per server start; a cursor from another epoch cannot be resumed. */
  epoch: string
  /** The largest frame the server accepts, so the client fails a too-big message itself. */
  maxFrameBytes?: number
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
}

export type EmptyData = Record<string, never>

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
export type BatchFrame = FrameEnvelope<typeof MessageType.BATCH, { frames: Frame[] }>

/** Every frame the codec accepts. Frames of other `MessageType`s are rejected until supported. */
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

export type FrameOfType<T extends Frame['type']> = Extract<Frame, { type: T }>
