import { MessageType } from '../protocol/messageTypes'
import { createId } from '../protocol/ids'
import type { ChatMessage, ConnectionInfo } from '../../slices/types'

/**
 * Where a debug logger writes: `console` or anything with the same methods.
 *
 * @example
 * const lines: unknown[][] = []
 * const target: DebugLoggerTarget = { debug: (...a) => lines.push(a), warn: console.warn, error: console.error }
 */
export interface DebugLoggerTarget {
  debug(...args: unknown[]): void
  info?(...args: unknown[]): void
  warn(...args: unknown[]): void
  error(...args: unknown[]): void
}

/**
 * Options of `DevHelpers.createDebugLogger`.
 *
 * @example
 * const options: DebugLoggerOptions = { enableLogging: false, prefix: '[chat]' }
 */
export interface DebugLoggerOptions {
  /** When false, `debug` and `info` do nothing; `warn` and `error` always log. Default true. */
  enableLogging?: boolean
  /** Put before every line. Default `'[redux-realtime]'`. */
  prefix?: string
  /** Default `console`. */
  logger?: DebugLoggerTarget
}

/**
 * What `DevHelpers.createDebugLogger` returns; usable as the `logger` config option.
 *
 * @example
 * const logger: DebugLogger = DevHelpers.createDebugLogger({ prefix: '[chat]' })
 * createRealtime({ url: 'localhost', enableLogging: true, logger })
 */
export interface DebugLogger {
  debug(...args: unknown[]): void
  info(...args: unknown[]): void
  warn(...args: unknown[]): void
  error(...args: unknown[]): void
}

const MOCK_USER = 'mock-user'

function createMockMessage(overrides: Partial<ChatMessage> = {}): ChatMessage {
  return {
    id: createId(),
    type: MessageType.CHAT_MESSAGE,
    timestamp: Date.now(),
    userId: MOCK_USER,
    room: 'mock-room',
    seq: 1,
    data: { content: 'Hello from DevHelpers' },
    ...overrides,
  }
}

function createMockConnectionInfo(overrides: Partial<ConnectionInfo> = {}): ConnectionInfo {
  const now = Date.now()
  return {
    state: 'open',
    connectedAt: now - 60_000,
    lastPingTime: now - 5_000,
    lastPongTime: now - 4_958,
    reconnectAttempts: 0,
    latency: 42,
    isAuthenticated: true,
    userId: MOCK_USER,
    sessionId: createId(),
    serverEpoch: createId(),
    ...overrides,
  }
}

function createDebugLogger(options: DebugLoggerOptions = {}): DebugLogger {
  const { enableLogging = true, prefix = '[redux-realtime]', logger = console } = options
  // Called as methods of `logger`, so loggers that rely on `this` keep working.
  const line =
    (method: keyof DebugLogger) =>
    (...args: unknown[]): void => {
      if (method === 'info' && logger.info === undefined) logger.debug(prefix, ...args)
      else logger[method]?.(prefix, ...args)
    }
  const silent = (): void => {}
  return {
    debug: enableLogging ? line('debug') : silent,
    info: enableLogging ? line('info') : silent,
    warn: line('warn'),
    error: line('error'),
  }
}

/**
 * Test and debugging helpers from the seed.
 *
 * - `createMockMessage(overrides?)`: a valid chat message in the state's shape
 *   (`msg.data.content`), accepted by the codec once given `v: 1`.
 * - `createMockConnectionInfo(overrides?)`: an open, authenticated `ConnectionInfo` (epoch ms).
 * - `createDebugLogger({ enableLogging, prefix, logger })`: `{ debug, info, warn, error }` with a
 *   prefix; `debug`/`info` are silent when `enableLogging` is false. It fits the `logger` option
 *   of `createRealtime` and `WebSocketClient`.
 *
 * @example
 * const mockMessage = DevHelpers.createMockMessage({ room: 'general' })
 * const mockConnection = DevHelpers.createMockConnectionInfo({ latency: 250 })
 * const logger = DevHelpers.createDebugLogger({ enableLogging: import.meta.env.DEV, prefix: '[chat]' })
 * logger.debug('joined', mockMessage.room)
 */
export const DevHelpers = {
  createMockMessage,
  createMockConnectionInfo,
  createDebugLogger,
} as const
