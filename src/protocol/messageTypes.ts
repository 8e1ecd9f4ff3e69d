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

  // Collaborative documents (Yjs): `data.doc` names the document; not part of any stream
  DOC_SYNC: 'doc_sync',
  DOC_UPDATE: 'doc_update',
  DOC_AWARENESS: 'doc_awareness',
  DOC_CLOSE: 'doc_close',

  // System
  SYSTEM_ALERT: 'system_alert',
  ERROR: 'error',
} as const

export type MessageType = (typeof MessageType)[keyof typeof MessageType]

/**
 * The members as types too, as the seed's `enum MessageType` had them, so the seed's
 * `interface ChatMessage extends BaseMessage { type: MessageType.CHAT_MESSAGE }` compiles.
 * Types only: nothing of it reaches the JavaScript.
 */
// eslint-disable-next-line @typescript-eslint/no-namespace -- a type-only namespace is the one way to merge member types into the const
export declare namespace MessageType {
  type PING = (typeof MessageType)['PING']
  type PONG = (typeof MessageType)['PONG']
  type AUTH = (typeof MessageType)['AUTH']
  type AUTH_OK = (typeof MessageType)['AUTH_OK']
  type ACK = (typeof MessageType)['ACK']
  type BATCH = (typeof MessageType)['BATCH']
  type JOIN = (typeof MessageType)['JOIN']
  type JOINED = (typeof MessageType)['JOINED']
  type LEAVE = (typeof MessageType)['LEAVE']
  type LEFT = (typeof MessageType)['LEFT']
  type CHAT_MESSAGE = (typeof MessageType)['CHAT_MESSAGE']
  type DIRECT_MESSAGE = (typeof MessageType)['DIRECT_MESSAGE']
  type TYPING_START = (typeof MessageType)['TYPING_START']
  type TYPING_STOP = (typeof MessageType)['TYPING_STOP']
  type READ_RECEIPT = (typeof MessageType)['READ_RECEIPT']
  type EVENT_UPDATE = (typeof MessageType)['EVENT_UPDATE']
  type NOTIFICATION = (typeof MessageType)['NOTIFICATION']
  type NOTIFICATION_UPDATE = (typeof MessageType)['NOTIFICATION_UPDATE']
  type SUBSCRIBE = (typeof MessageType)['SUBSCRIBE']
  type UNSUBSCRIBE = (typeof MessageType)['UNSUBSCRIBE']
  type USER_ONLINE = (typeof MessageType)['USER_ONLINE']
  type USER_OFFLINE = (typeof MessageType)['USER_OFFLINE']
  type PRESENCE_UPDATE = (typeof MessageType)['PRESENCE_UPDATE']
  type DOC_SYNC = (typeof MessageType)['DOC_SYNC']
  type DOC_UPDATE = (typeof MessageType)['DOC_UPDATE']
  type DOC_AWARENESS = (typeof MessageType)['DOC_AWARENESS']
  type DOC_CLOSE = (typeof MessageType)['DOC_CLOSE']
  type SYSTEM_ALERT = (typeof MessageType)['SYSTEM_ALERT']
  type ERROR = (typeof MessageType)['ERROR']
}

/** Protocol version carried in every frame's `v`. */
export const PROTOCOL_VERSION = 1 as const
