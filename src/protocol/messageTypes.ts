/**
 * Every frame `type` on the wire. The seed's values keep their strings; the rest are what the
 * protocol needs for auth, acknowledgement, rooms with resume, and batching.
 *
 * @example
 * store.dispatch(realtime.actions.sendMessage({ type: MessageType.CHAT_MESSAGE, room: 'general', data: { content: 'hi' } }))
 */
export const MessageType = {
  // Connection
  PING: 'ping',
  PONG: 'pong',
  AUTH: 'auth',
  AUTH_OK: 'auth_ok',
  ACK: 'ack',
  BATCH: 'batch',

  // Rooms
  JOIN: 'join',
  JOINED: 'joined',
  LEAVE: 'leave',
  LEFT: 'left',

  // Chat
  CHAT_MESSAGE: 'chat_message',
  DIRECT_MESSAGE: 'direct_message',
  TYPING_START: 'typing_start',
  TYPING_STOP: 'typing_stop',
  READ_RECEIPT: 'read_receipt',

  // Events
  EVENT_UPDATE: 'event_update',
  NOTIFICATION: 'notification',
  /** Read / read all / dismiss / clear, synced to the user's other devices. */
  NOTIFICATION_UPDATE: 'notification_update',
  /** Follow a user's presence, or event updates. */
  SUBSCRIBE: 'subscribe',
  UNSUBSCRIBE: 'unsubscribe',

  // Presence
  USER_ONLINE: 'user_online',
  USER_OFFLINE: 'user_offline',
  PRESENCE_UPDATE: 'presence_update',
  /** A room's members and the data each set there (state, not history: no seq). */
  ROOM_PRESENCE: 'room_presence',

  // App-defined messages: `data.type` is the app's type name, `data.data` its JSON payload
  APP_MESSAGE: 'app_message',

  // System
  SYSTEM_ALERT: 'system_alert',
  ERROR: 'error',
} as const

export type MessageType = (typeof MessageType)[keyof typeof MessageType]

/** Protocol version carried in every frame's `v`. */
export const PROTOCOL_VERSION = 1 as const
