export { createRealtimeServer } from './createServer'
export { createMemoryHistory } from './historyStore'
export { signDevToken } from './tokens'

export type { RealtimeServer } from './createServer'
export type {
  Authorize,
  AuthorizeRequest,
  JwtAlgorithm,
  JwtOptions,
  RealtimeServerLogger,
  RealtimeServerOptions,
  RoomAction,
} from './options'
export type { AppendResult, HistoryStore, HistoryView, UnsequencedChatFrame } from './historyStore'
export type { RateLimitOptions } from './rateLimit'
export type { DevTokenOptions } from './tokens'
