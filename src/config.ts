import type { OutboxStorage } from '../middleware/storage'
import { devText } from './dev'

/** What the middleware needs of a WebSocket class: the browser's, `ws`'s, React Native's. */
export interface WebSocketLike {
  readonly readyState: number
  send(data: string): void
  close(code?: number, reason?: string): void
}
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike

/** Where `online`/`offline` events come from (the browser's `window` by default). */
export interface NetworkEventTarget {
  addEventListener(type: 'online' | 'offline', listener: () => void): void
  removeEventListener(type: 'online' | 'offline', listener: () => void): void
}

/** The seed's `WebSocketConfig`. */
export interface WebSocketConfig {
  /**
   * `'localhost'`, `'ws://host:port/path'` or `'wss://…'`; a bare host means `ws://`. Several
   * (servers sharing one Redis): each reconnect tries the next, round robin, with the backoff.
   */
  url: string | readonly string[]
  /** Added to `url` when it has no port of its own. */
  port?: number
  protocols?: string[]
  /** Base delay of the exponential backoff, ms. */
  reconnectInterval?: number
  /** Failed attempts in a row before giving up (state says why). */
  maxReconnectAttempts?: number
  heartbeatInterval?: number
  connectionTimeout?: number
  /** Most messages the outbox holds while offline; more is a `QUEUE_FULL` error, never a drop. */
  messageQueueSize?: number
  enableLogging?: boolean
  authToken?: string
  autoReconnect?: boolean
}

/** Everything `createRealtime` accepts: the seed's config plus what a Redux middleware needs. */
export interface RealtimeConfig extends WebSocketConfig {
  /** Called on every (re)connect and once more when the server refuses the token. */
  getToken?: () => string | undefined | Promise<string | undefined>
  /** WebSocket class to use; Node passes `ws`. Defaults to the global one. */
  WebSocket?: WebSocketConstructor
  /** Outbox persistence; in memory by default. */
  storage?: OutboxStorage
  /** Where the state lives in the root state. Default `'realtime'`. */
  reducerPath?: string
  /** Oldest messages of a room (and of a direct conversation) are dropped past this. Default 1000. */
  maxMessagesPerRoom?: number
  /** Oldest notifications are dropped past this. Default 100. */
  maxNotifications?: number
  /** Someone else's typing indicator expires after this without a stop. Default 3000 ms. */
  typingTimeout?: number
  /** Cap of the reconnect backoff, ms. Default 30000. */
  maxReconnectDelay?: number
  /** A connection open this long resets the backoff. Default 5000 ms. */
  stableConnectionMs?: number
  /**
   * How long after connecting a message restored from `storage` may wait for its room to be
   * joined again (dispatch `joinRoom`) before it fails with `NOT_JOINED`. Default 10000 ms.
   */
  rejoinGraceMs?: number
  /** How long a ping may go unanswered by any frame before the socket counts as dead. */
  heartbeatTimeout?: number
  /** Largest accepted incoming frame, bytes. Default 1 MiB. */
  maxFrameBytes?: number
  /** Frames arriving within this window after a flushed one are reduced in one dispatch. */
  batchWindowMs?: number
  /** Source of `online` events for immediate retry; `globalThis` when it has listeners. */
  networkEvents?: NetworkEventTarget | null
  /** Receives log lines when `enableLogging` is on. Default `console`. */
  logger?: Pick<Console, 'debug' | 'warn' | 'error'>
}

export type ResolvedConfig = Required<
  Omit<RealtimeConfig, 'authToken' | 'getToken' | 'WebSocket' | 'storage' | 'protocols' | 'port'>
> &
  Pick<RealtimeConfig, 'authToken' | 'getToken' | 'WebSocket' | 'storage' | 'protocols' | 'port'>

const DEFAULT_PORT = 3000

const DEFAULTS = {
  reconnectInterval: 5000,
  maxReconnectAttempts: 10,
  heartbeatInterval: 30000,
  connectionTimeout: 10000,
  messageQueueSize: 1000,
  enableLogging: false,
  autoReconnect: true,
} as const

/**
 * The seed's defaults with your overrides.
 *
 * @example
 * const config = createDefaultConfig({ url: 'localhost', port: 3000, authToken: token })
 */
export function createDefaultConfig<T extends Partial<RealtimeConfig> = Record<never, never>>(
  overrides: T = {} as T,
): typeof DEFAULTS & { url: UrlOf<T>; port: number } & Omit<T, 'url'> {
  return {
    url: 'localhost',
    port: DEFAULT_PORT,
    ...DEFAULTS,
    ...overrides,
  } as unknown as typeof DEFAULTS & {
    url: UrlOf<T>
    port: number
  } & Omit<T, 'url'>
}

/** The `url` a config built from `T` has: `T`'s own, or the default string. */
type UrlOf<T> = 'url' extends keyof T
  ? T extends { url: infer U }
    ? U
    : Exclude<T['url' & keyof T], undefined> | string
  : string

const POSITIVE_FIELDS = [
  'reconnectInterval',
  'heartbeatInterval',
  'connectionTimeout',
  'messageQueueSize',
  'maxMessagesPerRoom',
  'maxNotifications',
  'typingTimeout',
  'maxReconnectDelay',
  'heartbeatTimeout',
  'maxFrameBytes',
  'rejoinGraceMs',
] as const

/** Fills defaults and throws, with the fix, on values that cannot work. */
export function resolveConfig(config: RealtimeConfig): ResolvedConfig {
  if (typeof config !== 'object' || config === null) {
    throw new TypeError(
      `createRealtime(config): pass a config object${devText(() => (process.env.NODE_ENV !== 'production' ? ' such as { url: "ws://localhost:3000" }' : ''))}`,
    )
  }
  const urls: readonly unknown[] = Array.isArray(config.url) ? config.url : [config.url]
  if (urls.length === 0) {
    throw new TypeError(
      `createRealtime: config.url is an empty array${devText(() => (process.env.NODE_ENV !== 'production' ? '; pass at least one URL, e.g. ["ws://a.example.com", "ws://b.example.com"]' : ''))}`,
    )
  }
  for (const [i, url] of urls.entries()) {
    if (typeof url !== 'string' || url.trim() === '') {
      const which = Array.isArray(config.url) ? `config.url[${i}]` : 'config.url'
      throw new TypeError(
        `createRealtime: ${which} is required${devText(() => (process.env.NODE_ENV !== 'production' ? ', e.g. "ws://localhost:3000" or "localhost"' : ''))}`,
      )
    }
  }
  for (const field of POSITIVE_FIELDS) {
    const value = config[field]
    if (
      value !== undefined &&
      !(typeof value === 'number' && Number.isFinite(value) && value > 0)
    ) {
      throw new TypeError(
        `createRealtime: config.${field} must be a positive number${devText(() => (process.env.NODE_ENV !== 'production' ? ' of ms (or items)' : ''))}, got ${String(value)}`,
      )
    }
  }
  const attempts = config.maxReconnectAttempts
  if (attempts !== undefined && !(typeof attempts === 'number' && attempts >= 0)) {
    throw new TypeError(
      `createRealtime: config.maxReconnectAttempts must be 0 or more${devText(() => (process.env.NODE_ENV !== 'production' ? ' (Infinity for no limit)' : ''))}`,
    )
  }
  if (config.getToken !== undefined && typeof config.getToken !== 'function') {
    throw new TypeError(
      `createRealtime: config.getToken must be a function${devText(() => (process.env.NODE_ENV !== 'production' ? ' returning the token (or a Promise of it)' : ''))}`,
    )
  }
  const heartbeatInterval = config.heartbeatInterval ?? DEFAULTS.heartbeatInterval
  const resolved: ResolvedConfig = {
    ...DEFAULTS,
    reducerPath: 'realtime',
    maxMessagesPerRoom: 1000,
    maxNotifications: 100,
    typingTimeout: 3000,
    maxReconnectDelay: 30000,
    stableConnectionMs: 5000,
    rejoinGraceMs: 10000,
    heartbeatTimeout: Math.min(heartbeatInterval, 10000),
    maxFrameBytes: 1024 * 1024,
    batchWindowMs: 16,
    networkEvents: defaultNetworkEvents(),
    logger: console,
    ...stripUndefined(config),
    url: Array.isArray(config.url) ? [...(config.url as readonly string[])] : config.url,
  }
  if (typeof resolved.reducerPath !== 'string' || resolved.reducerPath === '') {
    throw new TypeError(
      `createRealtime: config.reducerPath must be a non-empty string${devText(() => (process.env.NODE_ENV !== 'production' ? ' such as "realtime"' : ''))}`,
    )
  }
  resolveUrls(resolved)
  return resolved
}

/**
 * Every socket URL of `url` (one or several) with `port`, in order, as `resolveUrl` makes them;
 * throws naming the entry that is not a ws(s) URL.
 *
 * @example
 * resolveUrls({ url: ['ws://a:3000', 'b'], port: 3001 }) // ['ws://a:3000', 'ws://b:3001']
 */
export function resolveUrls(config: Pick<WebSocketConfig, 'url' | 'port'>): string[] {
  if (typeof config.url === 'string') return [resolveOne(config.url, config, 'config.url')]
  return config.url.map((url, i) => resolveOne(url, config, `config.url[${i}]`))
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>
}

function defaultNetworkEvents(): NetworkEventTarget | null {
  const target = globalThis as Partial<NetworkEventTarget>
  return typeof target.addEventListener === 'function' &&
    typeof target.removeEventListener === 'function'
    ? (target as NetworkEventTarget)
    : null
}

/**
 * The socket URL from `url` and `port`: `'localhost'` + 3000 → `'ws://localhost:3000'`;
 * `http(s)` becomes `ws(s)`; a URL with its own port keeps it. For several URLs, the first
 * (`resolveUrls` gives them all).
 */
export function resolveUrl(config: Pick<WebSocketConfig, 'url' | 'port'>): string {
  return resolveOne(
    typeof config.url === 'string' ? config.url : (config.url[0] ?? ''),
    config,
    'config.url',
  )
}

function resolveOne(given: string, config: Pick<WebSocketConfig, 'port'>, name: string): string {
  const raw = given.trim()
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `ws://${raw}`
  let url: URL
  try {
    url = new URL(withScheme.replace(/^http(s?):/i, 'ws$1:'))
  } catch {
    throw new TypeError(
      `createRealtime: ${name} "${given}" is not a valid URL${devText(() => (process.env.NODE_ENV !== 'production' ? '; use e.g. "ws://localhost:3000"' : ''))}`,
    )
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new TypeError(`createRealtime: ${name} must use ws:// or wss://, got "${url.protocol}"`)
  }
  const explicitPort = /^[a-z]+:\/\/[^/]*:\d+/i.test(withScheme)
  // A bare host gets the seed's default port; a full URL keeps its scheme's default.
  const port = config.port ?? (withScheme === raw ? undefined : DEFAULT_PORT)
  if (!explicitPort && port !== undefined) url.port = String(port)
  const text = url.toString()
  // URL adds a trailing slash to bare origins; servers do not care, people reading logs do.
  return url.pathname === '/' && !raw.endsWith('/') ? text.replace(/\/$/, '') : text
}
