import { createAction } from '@reduxjs/toolkit'
import { MessageType } from '../src/protocol/messageTypes'
import { validateFrame } from '../src/protocol/codec'
import { createId } from '../src/protocol/ids'
import { isValidRoom } from '../src/protocol/validate'
import type { Attachment, ChatMessageData, ErrorData, JoinedData } from '../src/protocol/frames'
import type { WebSocketErrorInfo } from '../src/errors'
import type { ChatMessage, OutboxEntry } from './types'

// ---- Commands: imperatives the middleware acts on. No reducer answers them. ----

function requireRoom(command: string, room: unknown): string {
  if (!isValidRoom(room)) {
    throw new TypeError(
      `${command}(room): room must be a 1-128 character name without spaces (e.g. 'general'), got ${JSON.stringify(room)}`,
    )
  }
  return room
}

/** What `sendMessage` accepts: the seed's `{ type, room, data }`. */
export interface SendMessageInput {
  type: typeof MessageType.CHAT_MESSAGE
  room: string
  data: ChatMessageData
  /** Your own idempotency key; generated when omitted. */
  id?: string
}

export interface SendChatMessageInput {
  room: string
  content: string
  replyTo?: string
  mentions?: string[]
  attachments?: Attachment[]
}

/** The payload of a send command: the message as it will travel, validated. */
export interface OutgoingMessage {
  id: string
  type: typeof MessageType.CHAT_MESSAGE
  room: string
  data: ChatMessageData
  timestamp: number
}

function prepareOutgoing(command: string, input: SendMessageInput): { payload: OutgoingMessage } {
  if (typeof input !== 'object' || input === null) {
    throw new TypeError(`${command}: pass { room, ... }`)
  }
  if (input.type !== MessageType.CHAT_MESSAGE) {
    throw new TypeError(
      `${command}: type ${JSON.stringify((input as { type: unknown }).type)} cannot be sent yet; use type 'chat_message'`,
    )
  }
  const room = requireRoom(command, input.room)
  const candidate = {
    v: 1,
    id: input.id ?? createId(),
    type: input.type,
    timestamp: Date.now(),
    room,
    data: input.data,
  }
  const result = validateFrame(candidate)
  if (!result.ok || result.frame.type !== MessageType.CHAT_MESSAGE) {
    throw new TypeError(`${command}: ${result.ok ? 'not a chat message' : result.message}`)
  }
  const { id, type, timestamp, data } = result.frame
  return { payload: { id, type, room, data, timestamp } }
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
export const sendMessage = createAction('realtime/sendMessage', (input: SendMessageInput) =>
  prepareOutgoing('sendMessage', input),
)
export const sendChatMessage = createAction(
  'realtime/sendChatMessage',
  ({ room, content, ...rest }: SendChatMessageInput) =>
    prepareOutgoing('sendChatMessage', {
      type: MessageType.CHAT_MESSAGE,
      room,
      data: { content, ...rest },
    }),
)

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

export const chat = {
  messagesReceived: createAction<{ messages: ChatMessage[] } & At>(
    'realtime/chat/messagesReceived',
  ),
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
