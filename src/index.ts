/**
 * redux-realtime: a Redux Toolkit middleware that owns one WebSocket, with slices and
 * selectors for connection, rooms and chat, and exactly-once delivery across reconnects.
 */
import { createSelectors, type RealtimeSelectors } from '../slices/selectors'

export { createRealtime, realtimeActions } from './createRealtime'
export {
  connect,
  disconnect,
  reconnect,
  authenticate,
  joinRoom,
  leaveRoom,
  sendMessage,
  sendChatMessage,
  sendDirectMessage,
  startTyping,
  stopTyping,
  markAsRead,
  setStatus,
  setCustomStatus,
  subscribeToUser,
  unsubscribeFromUser,
  setRoomPresence,
  markNotificationRead,
  markAllNotificationsRead,
  dismissNotification,
  clearNotifications,
  subscribeToEvents,
  unsubscribeFromEvents,
  publish,
  connection,
  inbound,
  rooms,
  chat,
  presence,
  roomPresence,
  notifications,
  events,
  outbox,
  custom,
} from '../slices/actions'
export { createSelectors } from '../slices/selectors'
export { WebSocketState } from '../slices/types'
export { MessageType, PROTOCOL_VERSION } from './protocol/messageTypes'
export { MAX_ROOM_PRESENCE_BYTES } from './protocol/frames'
export { generatePrivateRoomId, privateStreamOf } from './protocol/streams'
export { hasRoomPermission } from './protocol/acl'
export { WebSocketErrorCode, CloseCode } from './protocol/codes'
export { decodeFrame, encodeFrame } from './protocol/codec'
export { WebSocketError } from './errors'
export { createDefaultConfig, resolveUrl } from './config'
export { calculateHealthScore } from './health'
export {
  createMemoryStorage,
  createLocalStorage,
  createIndexedDbStorage,
} from '../middleware/storage'
export { WebSocketClient } from './client/WebSocketClient'
export { configFromEnv } from './utils/configFromEnv'
export { WebSocketUtils } from './utils/WebSocketUtils'
export {
  validateMessage,
  validateMessageDetailed,
  MAX_MESSAGE_LENGTH,
} from './utils/validateMessage'
export { DevHelpers } from './utils/DevHelpers'

/** Selectors for the default `reducerPath` ('realtime'); use `createRealtime().selectors` for another. */
const defaultSelectors = /* @__PURE__ */ createSelectors('realtime')
// One annotated call per selector, so a bundle keeps only the selectors it imports (and none,
// nor createSelectors('realtime') itself, when it imports only createRealtime).
const pick = <K extends keyof RealtimeSelectors>(name: K): RealtimeSelectors[K] =>
  defaultSelectors[name]
export const selectConnectionState = /* @__PURE__ */ pick('selectConnectionState')
export const selectIsConnected = /* @__PURE__ */ pick('selectIsConnected')
export const selectConnectionInfo = /* @__PURE__ */ pick('selectConnectionInfo')
export const selectPerformanceMetrics = /* @__PURE__ */ pick('selectPerformanceMetrics')
export const selectHealthScore = /* @__PURE__ */ pick('selectHealthScore')
export const selectLastError = /* @__PURE__ */ pick('selectLastError')
export const selectTransition = /* @__PURE__ */ pick('selectTransition')
export const selectRooms = /* @__PURE__ */ pick('selectRooms')
export const selectRoomStatus = /* @__PURE__ */ pick('selectRoomStatus')
export const selectRoomChat = /* @__PURE__ */ pick('selectRoomChat')
export const selectMessagesByRoom = /* @__PURE__ */ pick('selectMessagesByRoom')
export const selectPendingMessages = /* @__PURE__ */ pick('selectPendingMessages')
export const selectPendingCount = /* @__PURE__ */ pick('selectPendingCount')
export const selectDirectMessages = /* @__PURE__ */ pick('selectDirectMessages')
export const selectConversations = /* @__PURE__ */ pick('selectConversations')
export const selectTypingUsers = /* @__PURE__ */ pick('selectTypingUsers')
export const selectReadReceipts = /* @__PURE__ */ pick('selectReadReceipts')
export const selectRoomUnreadCount = /* @__PURE__ */ pick('selectRoomUnreadCount')
export const selectOnlineUsers = /* @__PURE__ */ pick('selectOnlineUsers')
export const selectUserStatus = /* @__PURE__ */ pick('selectUserStatus')
export const selectPresenceSubscriptions = /* @__PURE__ */ pick('selectPresenceSubscriptions')
export const selectRoomMembers = /* @__PURE__ */ pick('selectRoomMembers')
export const selectNotifications = /* @__PURE__ */ pick('selectNotifications')
export const selectUnreadCount = /* @__PURE__ */ pick('selectUnreadCount')
export const selectUpcomingEvents = /* @__PURE__ */ pick('selectUpcomingEvents')
export const selectEventById = /* @__PURE__ */ pick('selectEventById')
export const selectIsSubscribedToEvents = /* @__PURE__ */ pick('selectIsSubscribedToEvents')

export type {
  Realtime,
  AnyRealtime,
  RealtimeActions,
  RealtimeEvents,
  PublishActionCreator,
  CustomEvents,
  RealtimeWith,
} from './createRealtime'
export type { RealtimePlugin, AnyRealtimePlugin, PluginContext, PluginHandler } from './plugins'
export type { RealtimeDevToolsOptions } from './devToolsOptions'
export type {
  AppMessage,
  AppMessageMap,
  AppMessageType,
  DefaultAppMessages,
  JsonCompatible,
  PublishInput,
  PublishPayload,
} from '../slices/appMessages'
export type {
  RealtimeConfig,
  WebSocketConfig,
  WebSocketConstructor,
  WebSocketLike,
  NetworkEventTarget,
} from './config'
export type { WebSocketErrorInfo } from './errors'
export type {
  OutboxStorage,
  StoredCursor,
  StoredDocument,
  LocalStorageOptions,
  IndexedDbStorageOptions,
  StorageLike,
  LockManagerLike,
  StorageTimers,
} from '../middleware/storage'
export type { InspectedFrame, FrameListener } from '../middleware/inspector'
export type {
  BaseMessage,
  ChatMessage,
  DirectMessage,
  Notification,
  MessageStatus,
  OutboxEntry,
  ConnectionInfo,
  PerformanceMetrics,
  Transition,
} from '../slices/types'
export type { RealtimeState } from '../slices/realtimeReducer'
export type { RealtimeSelectors } from '../slices/selectors'
export type { ConnectionSliceState } from '../slices/connectionSlice'
export type { ChatSliceState, RoomChat } from '../slices/chatSlice'
export type { RoomsSliceState, RoomMembership } from '../slices/roomsSlice'
export type { OutboxSliceState } from '../slices/outboxSlice'
export type {
  SendMessageInput,
  SendChatMessageInput,
  SendDirectMessageInput,
  SetRoomPresenceInput,
  ReadReceipt,
  OutgoingMessage,
  ClosedPayload,
  AckInfo,
  FrameRejection,
} from '../slices/actions'
export type {
  Frame,
  FrameEnvelope,
  ChatMessageData,
  DirectMessageData,
  PresenceEntry,
  PresenceStatus,
  NotificationData,
  NotificationSeverity,
  SystemAlertData,
  EventData,
  Attachment,
  ErrorData,
  JoinedData,
  AppMessageData,
  JsonValue,
  JsonPrimitive,
  RoomMemberEntry,
  RoomPresenceData,
} from './protocol/frames'
export type { RejectReason, DecodeResult } from './protocol/codec'
export type { RoomAcl, RoomAccess, RoomPermission } from './protocol/acl'
export type { UserPresence } from '../slices/presenceSlice'
export type { RoomPresenceMember } from '../slices/roomMembers'
export type { RoomPresenceSliceState, RoomMemberState } from '../slices/roomPresenceSlice'
export type { ReadPosition } from '../slices/receiptsSlice'
export type { WebSocketClientStore } from './client/clientStore'
export type {
  RealtimeMessage,
  AnyRealtimeMessage,
  MessageDataMap,
  SubscribableMessageType,
  TypingData,
  ErrorMessageData,
} from './client/messageEvents'
export type { MessageHandler } from './client/subscriptions'
export type { EnvSource } from './utils/configFromEnv'
export type { MessageValidation, MessageRejectReason } from './utils/validateMessage'
export type { DebugLogger, DebugLoggerOptions, DebugLoggerTarget } from './utils/DevHelpers'
