/** Checks the reference server's options and resolves their defaults (`resolveServerOptions`). */
import { defaultAuthorize } from './access'
import { engineImplementation, memoryEngine } from './engine'
import type { EngineImplementation } from './engine'
import { createMemoryHistory } from './historyStore'
import type { ServerWritesOptions } from './serverWrites'
import { createMemoryDocumentStore } from './collab/documentStore'
import { localDocumentBroker } from './collab/documentBroker'
import type {
  CompressionOptions,
  JwtOptions,
  RealtimeServerOptions,
  ResolvedServerOptions,
} from './serverOptions'

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
