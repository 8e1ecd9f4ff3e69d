/**
 * The reference server's options as users write them (`RealtimeServerOptions`) and as the
 * server reads them once checked (`ResolvedServerOptions`); `options.ts` checks and resolves
 * one into the other.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { JsonValue, RoomAcl } from '../protocol'
import type { StreamBroker } from './broker'
import type { EngineImplementation, RealtimeEngine } from './engine'
import type { PresenceEngine } from './presenceEngine'
import type { HistoryStore } from './historyStore'
import type { EventBoardFactory } from './events'
import type { RateLimitOptions } from './rateLimit'
import type { ConnectionCap } from './connectionCap'
import type { ReadReceipts } from './readReceipts'
import type { ServerWritesOptions } from './serverWrites'
import type { DocumentStore } from './collab/documentStore'
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
   * once a client opens a document. Not together with `engine` (the Redis engine keeps the
   * documents, shared by its processes).
   */
  documents?: DocumentStore
  /**
   * @internal Issue 12 (the engine's part, for tests of it alone): how what other processes
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
