export { createRealtimeServer } from './createServer'
export { defaultAuthorize } from './access'
export { createMemoryHistory } from './historyStore'
export { createRedisEngine } from './redis/engine'
export type { RedisEngineOptions } from './redis/engine'
export type { RealtimeEngine } from './engine'
export { signDevToken } from './tokens'
export { createMemoryDocumentStore } from './collab/documentStore'
export type { DocumentStore } from './collab/documentStore'

export type { RealtimeServer } from './createServer'
export type {
  Authorize,
  AuthorizeRequest,
  CompressionOptions,
  DocumentAuthorizeRequest,
  RoomAuthorizeRequest,
  HttpRequestHandler,
  JwtAlgorithm,
  JwtOptions,
  RealtimeServerLogger,
  RealtimeServerOptions,
  RoomAction,
  ValidateMessage,
} from './serverOptions'
export type {
  AppendResult,
  HistoryStore,
  HistoryView,
  UnsequencedStreamFrame,
} from './historyStore'
export type { RateLimitOptions } from './rateLimit'
export type { NotificationInput, SystemAlertInput } from './push'
export type { EventInput } from './events'
export type { EventData, RoomAcl } from '../protocol'
export type { DevTokenOptions } from './tokens'
