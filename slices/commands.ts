import { createAction, type PayloadActionCreator, type PrepareAction } from '@reduxjs/toolkit'
import { MessageType } from '../src/protocol/messageTypes'
import { DEFAULT_LIMITS, validateFrame } from '../src/protocol/codec'
import { createId } from '../src/protocol/ids'
import { isPrivateStream } from '../src/protocol/streams'
import {
  APP_MESSAGE_TYPE_RULE,
  findJsonProblem,
  isValidAppMessageType,
  isValidId,
  isValidRoom,
} from '../src/protocol/validate'
import {
  MAX_ROOM_PRESENCE_BYTES,
  PRESENCE_STATUSES,
  type AppMessageData,
  type Attachment,
  type ChatMessageData,
  type DirectMessageData,
  type JsonValue,
  type NotificationUpdateData,
  type PresenceStatus,
} from '../src/protocol/frames'
import type { DefaultAppMessages, PublishInput, PublishPayload } from './appMessages'
import { devText } from '../src/dev'

/** Commands: imperatives the middleware acts on. No reducer answers them. */

/** The creator of command `realtime/<name>`, with `prepare` when it takes arguments. */
function command<Name extends string>(name: Name): PayloadActionCreator<void, `realtime/${Name}`>
function command<Name extends string, Prepare extends PrepareAction<unknown>>(
  name: Name,
  prepare: Prepare,
): PayloadActionCreator<ReturnType<Prepare>['payload'], `realtime/${Name}`, Prepare>
function command(name: string, prepare?: PrepareAction<unknown>) {
  // RTK's createAction reads `prepare` only when it is there.
  return createAction(`realtime/${name}`, prepare as PrepareAction<unknown>)
}

/** A command taking a room name, checked: `{ room }`. */
const roomCommand = <Name extends string>(name: Name) =>
  command(name, (room: string) => ({ payload: { room: requireRoom(name, room) } }))

/** A command taking a user id, checked: `{ userId }`. */
const userCommand = <Name extends string>(name: Name) =>
  command(name, (userId: string) => ({ payload: { userId: requireUser(name, userId) } }))

function requireRoom(command: string, room: unknown): string {
  if (!isValidRoom(room)) {
    throw new TypeError(
      `${command}(room): ${devText(() => (process.env.NODE_ENV !== 'production' ? "room must be a 1-300 character name without spaces, not an Object.prototype member name (e.g. 'general'; not 'toString' or '__proto__')" : ''), 'not a room name')}, got ${JSON.stringify(room)}`,
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
    | { type: typeof MessageType.APP_MESSAGE; room: string; data: AppMessageData }
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
  // The frame the codec rebuilt from known fields (a copy: the caller's objects stay theirs),
  // without its version: the message as it will travel.
  const { v, ...payload } = result.frame
  return { payload: payload as OutgoingMessage }
}

function requireUser(command: string, userId: unknown): string {
  if (!isValidId(userId)) {
    throw new TypeError(
      `${command}: ${devText(() => (process.env.NODE_ENV !== 'production' ? "userId must be a 1-128 character printable id, not an Object.prototype member name (not 'toString', '__proto__', …)" : ''), 'not an id')}, got ${JSON.stringify(userId)}`,
    )
  }
  return userId
}

export const connect = command('connect')
export const disconnect = command('disconnect')
export const reconnect = command('reconnect')
export const authenticate = command('authenticate', (token: string) => {
  if (typeof token !== 'string' || token === '') {
    throw new TypeError('authenticate(token): pass the JWT as a non-empty string')
  }
  return { payload: { token } }
})
export const joinRoom = roomCommand('joinRoom')
export const leaveRoom = roomCommand('leaveRoom')
export const sendMessage = command('sendMessage', (input: SendMessageInput) => {
  if (typeof input !== 'object' || input === null || !SENDABLE.has(input.type)) {
    throw new TypeError(
      `sendMessage: type must be '${MessageType.CHAT_MESSAGE}'${devText(() => (process.env.NODE_ENV !== 'production' ? ' (with room)' : ''))} or '${MessageType.DIRECT_MESSAGE}'${devText(() => (process.env.NODE_ENV !== 'production' ? ' (with data.to)' : ''))}; got ${JSON.stringify((input as { type?: unknown } | null)?.type)}`,
    )
  }
  return prepareOutgoing('sendMessage', input)
})
export const sendChatMessage = command(
  'sendChatMessage',
  ({ room, content, ...rest }: SendChatMessageInput) =>
    prepareOutgoing('sendChatMessage', {
      type: MessageType.CHAT_MESSAGE,
      room,
      data: { content, ...rest },
    }),
)
export const sendDirectMessage = command(
  'sendDirectMessage',
  ({ to, content, ...rest }: SendDirectMessageInput) =>
    prepareOutgoing('sendDirectMessage', {
      type: MessageType.DIRECT_MESSAGE,
      data: { to, content, ...rest },
    }),
)
export const startTyping = roomCommand('startTyping')
export const stopTyping = roomCommand('stopTyping')
export const markAsRead = command(
  'markAsRead',
  ({ room, messageId }: { room: string; messageId: string }) => ({
    payload: {
      room: requireRoom('markAsRead', room),
      messageId: requireUser('markAsRead (messageId)', messageId),
    },
  }),
)
export const setStatus = command('setStatus', (status: PresenceStatus) => {
  if (!(PRESENCE_STATUSES as readonly string[]).includes(status) || status === 'offline') {
    throw new TypeError(
      `setStatus: status must be 'online', 'away' or 'busy', got ${JSON.stringify(status)}`,
    )
  }
  return { payload: { status } }
})
export const setCustomStatus = command('setCustomStatus', (customStatus: string) => {
  if (typeof customStatus !== 'string' || customStatus.length > 128) {
    throw new TypeError(
      `setCustomStatus: pass a string of at most 128 characters${devText(() => (process.env.NODE_ENV !== 'production' ? " ('' clears it)" : ''))}`,
    )
  }
  return { payload: { customStatus } }
})
/** What `setRoomPresence` takes: your data in a room you joined. */
export interface SetRoomPresenceInput {
  room: string
  /** JSON (plain objects, arrays, strings, finite numbers, booleans, null), at most 1 KiB. */
  data: JsonValue
}

export const setRoomPresence = command('setRoomPresence', (input: SetRoomPresenceInput) => {
  if (typeof input !== 'object' || input === null)
    throw new TypeError('setRoomPresence: pass { room, data }')
  const room = requireRoom('setRoomPresence', input.room)
  if (isPrivateStream(room)) {
    throw new TypeError(
      `setRoomPresence: ${room} is a private stream${devText(() => (process.env.NODE_ENV !== 'production' ? '; pass a room you joined' : ''))}`,
    )
  }
  // The codec's own check (the server runs the same): JSON, at most 1 KiB, no prototype keys.
  const result =
    input.data === undefined
      ? undefined
      : validateFrame({
          v: 1,
          id: 'setRoomPresence',
          type: MessageType.ROOM_PRESENCE,
          timestamp: 0,
          room,
          data: { data: input.data },
        })
  if (!result?.ok || result.frame.type !== MessageType.ROOM_PRESENCE) {
    const why = result && !result.ok ? result.message : 'data is missing'
    throw new TypeError(
      `setRoomPresence: ${why}${devText(() => (process.env.NODE_ENV !== 'production' ? `. Pass JSON of at most ${MAX_ROOM_PRESENCE_BYTES} bytes (keep larger state elsewhere and put its id here).` : ''))}`,
    )
  }
  // A copy: later changes to the caller's object cannot reach the middleware or the wire.
  const data = JSON.parse(JSON.stringify(result.frame.data.data)) as JsonValue
  return { payload: { room, data } }
})
export const subscribeToUser = userCommand('subscribeToUser')
export const unsubscribeFromUser = userCommand('unsubscribeFromUser')
const notificationCommand = (command: string, op: NotificationUpdateData['op'], id?: string) =>
  prepareOutgoing(command, {
    type: MessageType.NOTIFICATION_UPDATE,
    data: { op, ...(id !== undefined ? { id: requireUser(`${command} (id)`, id) } : {}) },
  })
export const markNotificationRead = command('markNotificationRead', (id: string) =>
  notificationCommand('markNotificationRead', 'read', id),
)
export const markAllNotificationsRead = command('markAllNotificationsRead', () =>
  notificationCommand('markAllNotificationsRead', 'read_all'),
)
export const dismissNotification = command('dismissNotification', (id: string) =>
  notificationCommand('dismissNotification', 'dismiss', id),
)
export const clearNotifications = command('clearNotifications', () =>
  notificationCommand('clearNotifications', 'clear'),
)
export const subscribeToEvents = command('subscribeToEvents')
export const unsubscribeFromEvents = command('unsubscribeFromEvents')

/**
 * Sends an app-defined message to a room. Durable by default: through the outbox like chat
 * (acked, `seq`, exactly once, kept across reconnects and, with a persistent storage, reloads).
 * `volatile: true`: latest-wins per room and type, sent only while the room is joined on a live
 * connection, never queued, not acked. Throws at once on an invalid room, type name or non-JSON
 * data. The typed form is `createRealtime<AppMessages>().actions.publish`.
 *
 * @example
 * store.dispatch(realtime.actions.publish({ room: 'board', type: 'card_moved', data: { id: 'c1', to: 'done' } }))
 */
export const publish = command(
  'publish',
  (input: PublishInput<DefaultAppMessages>): { payload: PublishPayload<DefaultAppMessages> } => {
    if (typeof input !== 'object' || input === null) {
      throw new TypeError('publish: pass { room, type, data, volatile? }')
    }
    const room = requireRoom('publish', input.room)
    const { type, volatile = false } = input
    if (!isValidAppMessageType(type)) {
      throw new TypeError(
        `publish: type must be ${APP_MESSAGE_TYPE_RULE}; got ${JSON.stringify(type)}`,
      )
    }
    if (typeof volatile !== 'boolean') {
      throw new TypeError(
        `publish (${type}): volatile must be a boolean, got ${JSON.stringify(volatile)}`,
      )
    }
    if (input.data === undefined) {
      throw new TypeError(
        `publish (${type}): data is required${devText(() => (process.env.NODE_ENV !== 'production' ? ' (pass null when there is nothing to say)' : ''))}`,
      )
    }
    const problem = findJsonProblem(input.data, DEFAULT_LIMITS.maxDepth)
    if (problem !== undefined) {
      throw new TypeError(
        `publish (${type}): ${problem}${devText(() => (process.env.NODE_ENV !== 'production' ? '; pass plain JSON' : ''))}`,
      )
    }
    // A copy: what travels (and waits in the outbox) cannot change when the caller's object does.
    const data = JSON.parse(JSON.stringify(input.data)) as JsonValue
    const result = validateFrame({
      v: 1,
      id: input.id ?? createId(),
      type: MessageType.APP_MESSAGE,
      timestamp: Date.now(),
      room,
      data: { type, data },
    })
    if (!result.ok) throw new TypeError(`publish (${type}): ${result.message}`)
    const { id, timestamp } = result.frame
    return { payload: { id, timestamp, room, type, data, volatile } }
  },
)
