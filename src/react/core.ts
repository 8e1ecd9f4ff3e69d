/**
 * The React entry's one door to the core. Every runtime import from outside `src/react/` goes
 * through this file, and the build turns `'../index'` into an import of the package's own name (`redux-realtime-kit`), so an
 * app that uses both entries gets one copy of the core (one `WebSocketError` class, one bundle).
 */
export {
  WebSocketError,
  WebSocketErrorCode,
  WebSocketState,
  configFromEnv,
  createDefaultConfig,
  createRealtime,
  MessageType,
} from '../index'
// Types come from where they are declared (erased from the JS; the .d.ts shares them with the core).
// Any instance, whatever its app message map (React never publishes).
export type { AnyRealtime as Realtime } from '../createRealtime'
export type { RealtimeConfig } from '../config'
export type { EnvSource } from '../utils/configFromEnv'
export type { WebSocketErrorInfo } from '../errors'
export type { Attachment, EventData, JsonValue, PresenceStatus } from '../protocol/frames'
export type { InspectedFrame } from '../../middleware/inspector'
export type { SendChatMessageInput, SendMessageInput } from '../../slices/commands'
export type { ReadPosition } from '../../slices/receiptsSlice'
export type { UserPresence } from '../../slices/presenceSlice'
export type { RoomPresenceMember } from '../../slices/roomMembers'
export type {
  ChatMessage,
  ConnectionInfo,
  Notification,
  PerformanceMetrics,
} from '../../slices/types'
