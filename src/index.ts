/**
 * redux-realtime: a Redux Toolkit middleware that owns one WebSocket, with slices and
 * selectors for connection, rooms and chat, and exactly-once delivery across reconnects.
 */
import { createSelectors } from '../slices/selectors'

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
  connection,
  inbound,
  rooms,
  chat,
  outbox,
} from '../slices/actions'
export { createSelectors } from '../slices/selectors'
export { WebSocketState } from '../slices/types'
export { MessageType, PROTOCOL_VERSION } from './protocol/messageTypes'
export { WebSocketErrorCode, CloseCode } from './protocol/codes'
export { decodeFrame, encodeFrame } from './protocol/codec'
export { WebSocketError } from './errors'
export { createDefaultConfig, resolveUrl } from './config'
export { calculateHealthScore } from './health'
export { createMemoryStorage } from '../middleware/storage'

/** Selectors for the default `reducerPath` ('realtime'); use `createRealtime().selectors` for another. */
export const {
  selectConnectionState,
  selectIsConnected,
  selectConnectionInfo,
  selectPerformanceMetrics,
  selectHealthScore,
  selectLastError,
  selectTransition,
  selectRooms,
  selectRoomStatus,
  selectMessagesByRoom,
  selectPendingMessages,
} = createSelectors('realtime')

export type { Realtime } from './createRealtime'
export type {
  RealtimeConfig,
  WebSocketConfig,
  WebSocketConstructor,
  WebSocketLike,
  NetworkEventTarget,
} from './config'
export type { WebSocketErrorInfo } from './errors'
export type { OutboxStorage } from '../middleware/storage'
export type {
  ChatMessage,
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
  OutgoingMessage,
  ClosedPayload,
  AckInfo,
  FrameRejection,
} from '../slices/actions'
export type {
  Frame,
  FrameEnvelope,
  ChatMessageData,
  Attachment,
  ErrorData,
  JoinedData,
} from './protocol/frames'
export type { RejectReason, DecodeResult } from './protocol/codec'
