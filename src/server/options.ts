import type { IncomingMessage, ServerResponse } from 'node:http'
import type { JsonValue, RoomAcl } from '../protocol'
import { defaultAuthorize } from './access'
import type { StreamBroker } from './broker'
import { engineImplementation, memoryEngine } from './engine'
import type { EngineImplementation, RealtimeEngine } from './engine'
import type { PresenceEngine } from './presenceEngine'
import { createMemoryHistory } from './historyStore'
import type { HistoryStore } from './historyStore'
import type { EventBoardFactory } from './events'
import type { RateLimitOptions } from './rateLimit'
import type { ConnectionCap } from './connectionCap'
import type { ReadReceipts } from './readReceipts'
import type { ServerWritesOptions } from './serverWrites'
import { createMemoryDocumentStore } from './collab/documentStore'
import type { DocumentStore } from './collab/documentStore'
import { localDocumentBroker } from './collab/documentBroker'
import type { DocumentBroker } from './collab/documentBroker'

/** HMAC algorithms usable with a shared secret. */
export type JwtAlgorithm = 'HS256' | 'HS384' | 'HS512'

/** How tokens in `auth` frames are verified. The user id is the token's `sub`. */
export interface JwtOptions {
  secret: string | Uint8Array
  /** Accepted algorithms; default ['HS256']. */
  algorithms?: JwtAlgorithm[]
  /** When set, the token's `iss` must match. */
  issuer?: string | string[]
  /** When set, the token's `aud` must match. */
  audience?: string | string[]
  /**
   * Longest a token may be used, counted from its `iat` (a token without `iat` counts from the
   * auth that brought it): the session expires at min(`exp`, `iat` + this), which is what
   * `auth_ok.expiresAt` states; a token already older is refused at auth. Default: no maximum.
   */
  maxTokenAgeSec?: number
}

/**
 * A room permission check: `join` to receive a room, `write` to send chat to it, `publish` to
 * send it an app-defined message (with its `type`).
 */
export type RoomAction = 'join' | 'write' | 'publish'

/** A room permission request (see `RoomAction`). */
export type RoomAuthorizeRequest =
  | { userId: string; room: string; action: 'join' | 'write' }
  | { userId: string; room: string; action: 'publish'; type: string }

/**
 * A collaborative document permission request: `view` when a connection opens `doc` (to read
 * and follow it), `edit` to change it. No `room`: documents are not rooms.
 */
export interface DocumentAuthorizeRequest {
  userId: string
  doc: string
  action: 'view' | 'edit'
  room?: undefined
}

export type AuthorizeRequest = RoomAuthorizeRequest | DocumentAuthorizeRequest

/**
 * Checks an app-defined message's data before it is relayed or stored: `true` accepts it; a
 * string refuses it with that reason (`INVALID_MESSAGE` naming the message's id). May be async;
 * a throw or any other answer refuses it.
 */
export type ValidateMessage = (
  type: string,
  data: JsonValue,
  context: { userId: string; room: string },
) => true | string | Promise<true | string>

/** Returns (or resolves to) whether the action is allowed. A throw counts as a denial. */
export type Authorize = (request: AuthorizeRequest) => boolean | Promise<boolean>

/**
 * Answers a plain HTTP request on the server's port; returns true when it took the request
 * (it may respond later), false to leave it to the server (which answers 426).
 */
export type HttpRequestHandler = (request: IncomingMessage, response: ServerResponse) => boolean

export interface RealtimeServerLogger {
  warn(message: string, ...details: unknown[]): void
  error(message: string, ...details: unknown[]): void
}

/**
 * permessage-deflate (RFC 7692) as the server offers it. Each message is compressed on its own
 * (no context takeover either way), so a connection keeps no compression window between
 * messages.
 */
export interface CompressionOptions {
  /** Messages shorter than this many bytes (UTF-8) are sent uncompressed. Default 1024. */
  threshold?: number
  /**
   * zlib jobs (deflate and inflate) running at once; the others wait their turn. Default 10.
   * `ws` keeps one such limit per process, set by the first server that compresses.
   */
  concurrencyLimit?: number
  /** zlib compression level, 0 (none) to 9 (smallest). Default 1 (fastest). */
  level?: number
  /** zlib memLevel, 1 to 9: memory of each deflate stream against its speed. Default 8. */
  memLevel?: number
  /**
   * The server's deflate window, 2^windowBits bytes (9 to 15; sent to clients as
   * `server_max_window_bits`). Default 13: as small on the wire as 15 for frames up to 64 KiB
   * of JSON, with less memory per connection.
   */
  windowBits?: number
}

/**
 * Options of `createRealtimeServer`; only `jwt` is required. `engine` and `history` exclude
 * each other (the engine provides the history): giving both is a type error, and at run time
 * an error naming both.
 */
export type RealtimeServerOptions = ServerOptionFields & EngineOrHistory

/** `engine` or `history` (or neither), not both. */
export type EngineOrHistory =
  { engine?: undefined; history?: HistoryStore } | { engine: RealtimeEngine; history?: undefined }

/**
 * The options of `createRealtimeServer`: `RealtimeServerOptions` without the rule that
 * `engine` and `history` exclude each other.
 */
export interface ServerOptionFields {
  /** Default 3000; 0 picks any free port. */
  port?: number
  /** Default '127.0.0.1'. */
  host?: string
  jwt: JwtOptions
  /** When set, the upgrade's `Origin` must be listed (else HTTP 403). */
  allowedOrigins?: readonly string[]
  /** Largest accepted frame in bytes; default 64 KiB. */
  maxPayload?: number
  /**
   * permessage-deflate for clients that offer it (browsers and `ws` do): `true` or options to
   * turn it on, `false` to turn it off. Default off (see the README's "Compression"). A
   * compressed frame is held to `maxPayload` once inflated.
   */
  compression?: boolean | CompressionOptions
  /**
   * Frames retained per stream for replay; default 1000. Used by the memory history and by an
   * `engine` not given a `historySize` of its own (not by a `history` store of yours).
   */
  historySize?: number
  /**
   * Per-connection token bucket: `messages` frames at once, refilled at `messages` per `perMs`;
   * default 100 per 10 s; `false` disables it. `ping`, `pong` and `auth` are not counted here but
   * against fixed budgets of their own that stay on either way: ping and pong a burst of 20 then
   * 10 per second, auth a burst of 10 then 1 per second.
   */
  rateLimit?: RateLimitOptions | false
  /**
   * Most frames of one connection queued for handling and not yet answered; the extra ones are
   * refused with `RATE_LIMITED` (`retryAfterMs` 50). Default 256.
   */
  maxInFlight?: number
  /**
   * Who may read and write which room, checked by the default `authorize` with
   * `hasRoomPermission` (the same rules the client's UI helper uses). Rooms not listed are open.
   * Read on every check, so it may be changed at run time.
   */
  rooms?: Readonly<Record<string, RoomAcl>>
  /**
   * Replaces the default check (`hasRoomPermission` with `rooms`; without `rooms` everything is
   * allowed except other users' `dm:` rooms). Private streams (`user:<id>`) are not asked about:
   * only their user may join them and nobody may write to them.
   */
  authorize?: Authorize
  /**
   * Optional check of every app-defined message (`publish`), after `authorize`. Without it any
   * valid type name with JSON data is accepted.
   */
  validateMessage?: ValidateMessage
  /** Time to send a valid `auth` frame; default 10 s. */
  authTimeoutMs?: number
  /**
   * After a session's token expires, only `auth` is accepted (others get `TOKEN_EXPIRED`); with
   * no fresh token within this grace the socket is closed with 4002. Default 5000 ms.
   */
  tokenExpiryGraceMs?: number
  /**
   * Bytes queued for one connection and not yet taken by its network (`bufferedAmount`) beyond
   * which it is dropped as a slow consumer: close 4009. Default 4 MiB.
   */
  maxBufferedBytes?: number
  /** Authenticated connections one user may hold; the next is closed with 4029. Default 20. */
  maxConnectionsPerUser?: number
  /** WebSocket ping interval; a connection that missed the previous pong is dropped. Default 30 s, 0 disables. */
  heartbeatIntervalMs?: number
  /**
   * What the server keeps outside its process, shared by every process on it: history,
   * idempotency keys, epochs, live fan-out and presence, e.g.
   * `createRedisEngine({ url: 'redis://127.0.0.1:6379' })`. The server starts it (rejecting
   * when it cannot) and closes it on `close()`. Default: all of it in memory (one process).
   * Not together with `history`: the engine provides the history.
   */
  engine?: RealtimeEngine
  /** Default: `createMemoryHistory(historySize)`. Not together with `engine`. */
  history?: HistoryStore
  /**
   * @internal Issue 12 (the engine's part, for tests of it alone): how frames other processes
   * append to the shared `history` reach this one's members. Default: none (one process).
   */
  broker?: StreamBroker
  /**
   * @internal Issue 12 (the engine's part, for tests of it alone): how per-user presence is
   * shared with other processes; the server closes it on `close()`. Default: none.
   */
  presenceEngine?: PresenceEngine
  /**
   * @internal Issue 12: makes what holds each user to `maxConnectionsPerUser` (called once,
   * with it); the server closes it on `close()`. Default: `createConnectionCap` (per process).
   */
  connectionCap?: (maxPerUser: number) => ConnectionCap
  /**
   * @internal Issue 12: where read receipts are kept (`createRedisReceipts`: shared by
   * processes). Default: in memory, per process.
   */
  receipts?: ReadReceipts
  /**
   * @internal Issue 12: makes the event board behind `publishEvent` and `subscribe_events`
   * (`createRedisEvents(...)`: events, subscribers and reminders shared by processes). Default:
   * `createEventBoard`, in memory, per process.
   */
  eventBoard?: EventBoardFactory
  /** Default: `console`. */
  logger?: RealtimeServerLogger
  /** Plain HTTP requests on the same port (the CLI's `--dev` tokens and `--static` files). */
  httpHandler?: HttpRequestHandler
  /**
   * Where collaborative documents (`doc_*` frames, Yjs) are kept. Default:
   * `createMemoryDocumentStore()`. The server needs `yjs` and `y-protocols` installed only
   * once a client opens a document.
   */
  documents?: DocumentStore
  /**
   * @internal Issue 12 (until the Redis engine has its public name): how what other processes
   * store in the shared `documents` (and their connections' awareness) reaches this one's
   * loaded documents, e.g. `createRedisDocumentBroker` with `createRedisDocumentStore`. The
   * caller closes it. Default: none (one process).
   */
  documentBroker?: DocumentBroker
  /** A document with no connection left is compacted and unloaded after this. Default 30 s. */
  documentGraceMs?: number
  /** Largest document state (bytes of Yjs updates) accepted; past it updates get `MESSAGE_TOO_LARGE`. Default 16 MiB. */
  maxDocumentBytes?: number
  /** A loaded document is compacted (`DocumentStore.compact`) after this many appends. Default 500. */
  documentCompactEvery?: number
  /**
   * A `DocumentStore` call not settled after this has failed: an append is not acked
   * (`SERVER_ERROR`, the document reloaded from the store), a load fails the open, a compaction
   * on unload is given up and the document unloaded anyway. Each is retried once as any failure
   * is, appends excepted. Default 10 s.
   */
  documentStoreTimeoutMs?: number
  /**
   * A `HistoryStore` call not settled after this has failed, as a rejected one has: a write is
   * refused with a retryable `SERVER_ERROR` (`retryAfterMs`; the client's outbox resends it), a
   * join gets one naming its room (the client joins again); the connection stays open and the
   * room's queue moves on. The same holds for a read receipt's store call (the receipt gets the
   * error; a join's receipts are left out) and an events `subscribe` / `unsubscribe`. Default 10 s.
   */
  historyStoreTimeoutMs?: number
  /**
   * @internal Issue 12 (tests): how the server's own appends (`notify`, event updates,
   * reminders) wait for a failed store — `maxPending` (10,000), the retry's `retryBaseMs` (250)
   * and `retryCapMs` (10 s), and `closeGraceMs` (5 s) on `close()`.
   */
  serverWrites?: ServerWritesOptions
}

/** Options with every default applied. */
export interface ResolvedServerOptions {
  port: number
  host: string
  jwt: Required<Pick<JwtOptions, 'secret' | 'algorithms'>> &
    Pick<JwtOptions, 'issuer' | 'audience' | 'maxTokenAgeSec'>
  allowedOrigins: ReadonlySet<string> | undefined
  maxPayload: number
  compression: Required<CompressionOptions> | false
  rateLimit: RateLimitOptions | false
  maxInFlight: number
  authorize: Authorize
  validateMessage: ValidateMessage | undefined
  authTimeoutMs: number
  tokenExpiryGraceMs: number
  maxBufferedBytes: number
  maxConnectionsPerUser: number
  heartbeatIntervalMs: number
  historySize: number
  /** The given engine, or the memory one built of the internal parts given (`history`, `broker`, …). */
  engine: EngineImplementation
  logger: RealtimeServerLogger
  httpHandler: HttpRequestHandler | undefined
  documents: DocumentStore
  documentBroker: DocumentBroker
  documentGraceMs: number
  maxDocumentBytes: number
  documentCompactEvery: number
  documentStoreTimeoutMs: number
  historyStoreTimeoutMs: number
  serverWrites: ServerWritesOptions
}

const HMAC_ALGORITHMS: readonly string[] = ['HS256', 'HS384', 'HS512']

function check(condition: boolean, message: string, who = 'createRealtimeServer'): void {
  if (!condition) throw new TypeError(`${who}: ${message}`)
}

function isCount(value: number, min: number): boolean {
  return Number.isSafeInteger(value) && value >= min
}

/**
 * `value` (the option's or its default), checked to be an integer of at least `min`; `who`
 * names the function in the message (default `createRealtimeServer`).
 */
export function integerOption(
  name: string,
  value: number,
  min: 0 | 1,
  unit?: string,
  who?: string,
): number {
  const kind = min === 0 ? 'non-negative' : 'positive'
  check(
    isCount(value, min),
    `${name} must be a ${kind} integer${unit ? ` (${unit})` : ''}, got ${value}`,
    who,
  )
  return value
}

/**
 * Options an engine provides, so none may come with `engine`. An internal option of a seam
 * the engine takes over (see `EngineParts` in engine.ts) is listed here too.
 */
/** The options an engine provides, each with what it is, for the error naming both. */
const ENGINE_PARTS = {
  history: 'history',
  broker: 'fan-out',
  presenceEngine: 'presence',
  connectionCap: 'connection cap',
  receipts: 'read receipts',
  eventBoard: 'event board',
  documents: 'collaborative documents',
  documentBroker: 'document fan-out',
} as const

/** The server's engine: the one given (alone) or the memory one of the parts given. */
function resolveEngine(options: RealtimeServerOptions, historySize: number): EngineImplementation {
  if (options.engine === undefined) {
    return memoryEngine({
      history: options.history ?? createMemoryHistory(historySize),
      ...(options.broker ? { broker: options.broker } : {}),
      ...(options.presenceEngine ? { presence: options.presenceEngine } : {}),
      ...(options.connectionCap ? { connectionCap: options.connectionCap } : {}),
      ...(options.receipts ? { receipts: options.receipts } : {}),
      ...(options.eventBoard ? { eventBoard: options.eventBoard } : {}),
    })
  }
  const engine = engineImplementation(options.engine)
  check(
    engine !== undefined,
    'engine must be an engine made by createRedisEngine({ url }) (leave it out to keep everything in memory)',
  )
  for (const [part, what] of Object.entries(ENGINE_PARTS)) {
    check(
      options[part as keyof typeof ENGINE_PARTS] === undefined,
      `engine and ${part} cannot be given together: the engine provides the ${what}; drop ${part} (or the engine)`,
    )
  }
  return engine as EngineImplementation
}

function isInRange(value: number, min: number, max: number): boolean {
  return Number.isSafeInteger(value) && value >= min && value <= max
}

export const DEFAULT_COMPRESSION: Required<CompressionOptions> = {
  threshold: 1024,
  concurrencyLimit: 10,
  level: 1,
  memLevel: 8,
  windowBits: 13,
}

function resolveCompression(
  option: boolean | CompressionOptions | undefined,
): Required<CompressionOptions> | false {
  if (option === undefined || option === false) return false
  check(
    option === true || (typeof option === 'object' && option !== null),
    'compression must be true, false or { threshold, concurrencyLimit, level, memLevel, windowBits }',
  )
  const given: CompressionOptions = option === true ? {} : option
  const resolved = {
    threshold: given.threshold ?? DEFAULT_COMPRESSION.threshold,
    concurrencyLimit: given.concurrencyLimit ?? DEFAULT_COMPRESSION.concurrencyLimit,
    level: given.level ?? DEFAULT_COMPRESSION.level,
    memLevel: given.memLevel ?? DEFAULT_COMPRESSION.memLevel,
    windowBits: given.windowBits ?? DEFAULT_COMPRESSION.windowBits,
  }
  check(
    isCount(resolved.threshold, 0),
    `compression.threshold must be a non-negative integer (bytes), got ${resolved.threshold}`,
  )
  check(
    isCount(resolved.concurrencyLimit, 1),
    `compression.concurrencyLimit must be a positive integer, got ${resolved.concurrencyLimit}`,
  )
  check(
    isInRange(resolved.level, 0, 9),
    `compression.level must be an integer from 0 to 9, got ${resolved.level}`,
  )
  check(
    isInRange(resolved.memLevel, 1, 9),
    `compression.memLevel must be an integer from 1 to 9, got ${resolved.memLevel}`,
  )
  check(
    isInRange(resolved.windowBits, 9, 15),
    `compression.windowBits must be an integer from 9 to 15, got ${resolved.windowBits}`,
  )
  return resolved
}

/** Applies defaults and throws at once, with the fix, on options that cannot work. */
export function resolveServerOptions(options: RealtimeServerOptions): ResolvedServerOptions {
  const jwt = options.jwt as JwtOptions | undefined
  check(
    jwt !== undefined &&
      (typeof jwt.secret === 'string' ? jwt.secret.length > 0 : jwt.secret instanceof Uint8Array),
    'jwt.secret is required, e.g. { jwt: { secret: process.env.REALTIME_JWT_SECRET } }',
  )
  const algorithms = jwt?.algorithms ?? ['HS256']
  check(
    algorithms.length > 0 && algorithms.every((alg) => HMAC_ALGORITHMS.includes(alg)),
    `jwt.algorithms must list some of ${HMAC_ALGORITHMS.join(', ')} (a shared secret only verifies HMAC tokens)`,
  )
  const port = options.port ?? 3000
  check(isCount(port, 0) && port <= 65535, `port must be an integer from 0 to 65535, got ${port}`)
  const maxPayload = integerOption('maxPayload', options.maxPayload ?? 64 * 1024, 1, 'bytes')
  const compression = resolveCompression(options.compression)
  const historySize = integerOption('historySize', options.historySize ?? 1000, 0)
  const rateLimit = options.rateLimit ?? { messages: 100, perMs: 10_000 }
  check(
    rateLimit === false || (isCount(rateLimit.messages, 1) && isCount(rateLimit.perMs, 1)),
    'rateLimit must be false or { messages, perMs } with positive integers',
  )
  const maxInFlight = integerOption('maxInFlight', options.maxInFlight ?? 256, 1)
  const authTimeoutMs = integerOption('authTimeoutMs', options.authTimeoutMs ?? 10_000, 1)
  check(
    options.rooms === undefined || (typeof options.rooms === 'object' && options.rooms !== null),
    "rooms must be an object of room ACLs, e.g. { staff: { public: false, members: ['alice'] } }",
  )
  check(
    options.validateMessage === undefined || typeof options.validateMessage === 'function',
    "validateMessage must be a function (type, data, { userId, room }) => true | 'reason'",
  )
  const maxTokenAgeSec = jwt?.maxTokenAgeSec
  check(
    maxTokenAgeSec === undefined || isCount(maxTokenAgeSec, 1),
    `jwt.maxTokenAgeSec must be a positive integer (seconds), got ${maxTokenAgeSec}`,
  )
  const tokenExpiryGraceMs = integerOption(
    'tokenExpiryGraceMs',
    options.tokenExpiryGraceMs ?? 5000,
    0,
  )
  const maxBufferedBytes = integerOption(
    'maxBufferedBytes',
    options.maxBufferedBytes ?? 4 * 1024 * 1024,
    1,
    'bytes',
  )
  const maxConnectionsPerUser = integerOption(
    'maxConnectionsPerUser',
    options.maxConnectionsPerUser ?? 20,
    1,
  )
  const heartbeatIntervalMs = integerOption(
    'heartbeatIntervalMs',
    options.heartbeatIntervalMs ?? 30_000,
    0,
  )
  const documents = options.documents ?? createMemoryDocumentStore()
  check(
    typeof documents === 'object' &&
      documents !== null &&
      typeof documents.load === 'function' &&
      typeof documents.append === 'function' &&
      (documents.compact === undefined || typeof documents.compact === 'function'),
    'documents must be a DocumentStore { load(doc), append(doc, update), compact?(doc, state) }, e.g. createMemoryDocumentStore()',
  )
  const documentGraceMs = integerOption('documentGraceMs', options.documentGraceMs ?? 30_000, 0)
  const maxDocumentBytes = integerOption(
    'maxDocumentBytes',
    options.maxDocumentBytes ?? 16 * 1024 * 1024,
    1,
    'bytes',
  )
  const documentCompactEvery = integerOption(
    'documentCompactEvery',
    options.documentCompactEvery ?? 500,
    1,
    'appends',
  )
  const documentStoreTimeoutMs = integerOption(
    'documentStoreTimeoutMs',
    options.documentStoreTimeoutMs ?? 10_000,
    1,
    'ms',
  )
  const historyStoreTimeoutMs = integerOption(
    'historyStoreTimeoutMs',
    options.historyStoreTimeoutMs ?? 10_000,
    1,
    'ms',
  )

  return {
    port,
    host: options.host ?? '127.0.0.1',
    jwt: {
      secret: (jwt as JwtOptions).secret,
      algorithms,
      ...(jwt?.issuer !== undefined ? { issuer: jwt.issuer } : {}),
      ...(jwt?.audience !== undefined ? { audience: jwt.audience } : {}),
      ...(maxTokenAgeSec !== undefined ? { maxTokenAgeSec } : {}),
    },
    allowedOrigins: options.allowedOrigins ? new Set(options.allowedOrigins) : undefined,
    maxPayload,
    compression,
    rateLimit,
    maxInFlight,
    authorize: options.authorize ?? defaultAuthorize(options.rooms),
    validateMessage: options.validateMessage,
    authTimeoutMs,
    tokenExpiryGraceMs,
    maxBufferedBytes,
    maxConnectionsPerUser,
    heartbeatIntervalMs,
    historySize,
    engine: resolveEngine(options, historySize),
    logger: options.logger ?? console,
    httpHandler: options.httpHandler,
    documents,
    documentBroker: options.documentBroker ?? localDocumentBroker,
    documentGraceMs,
    maxDocumentBytes,
    documentCompactEvery,
    documentStoreTimeoutMs,
    historyStoreTimeoutMs,
    serverWrites: serverWritesOptions(options.serverWrites),
  }
}

/** `serverWrites` with each given field checked (the defaults are `createServerWrites`'). */
function serverWritesOptions(options: ServerWritesOptions | undefined): ServerWritesOptions {
  const { maxPending, retryBaseMs, retryCapMs, closeGraceMs } = options ?? {}
  if (maxPending !== undefined) integerOption('serverWrites.maxPending', maxPending, 1)
  if (retryBaseMs !== undefined) integerOption('serverWrites.retryBaseMs', retryBaseMs, 1, 'ms')
  if (retryCapMs !== undefined) integerOption('serverWrites.retryCapMs', retryCapMs, 1, 'ms')
  if (closeGraceMs !== undefined) integerOption('serverWrites.closeGraceMs', closeGraceMs, 0, 'ms')
  return { ...options }
}
