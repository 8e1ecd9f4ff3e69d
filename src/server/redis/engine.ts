/**
 * The Redis engine (issue 12, SPEC §12): several server processes on one Redis serve the same
 * rooms, private streams and presence. One ioredis client per process runs the commands and
 * scripts (`history.ts`); the broker (`broker.ts`) and the presence engine (`presence.ts`)
 * subscribe on duplicates of it, which they own. The keys are listed in those files' doc
 * comments (and the README's "Scaling out").
 *
 * ioredis is an optional peer dependency: it is loaded when a server starts the engine, so
 * `redux-realtime-kit/server` loads without it.
 */
import type { Redis } from 'ioredis'
import { defineEngine } from '../engine'
import type { EngineParts, RealtimeEngine } from '../engine'
import { integerOption } from '../options'
import { isMissing } from '../peers'
import { withinTimeout } from '../storeCalls'
import { createRedisBroker } from './broker'
import { createRedisHistory, DEFAULT_DEDUPE_TTL_MS, DEFAULT_STREAM_TTL_MS } from './history'
import { createRedisConnectionCap } from './connections'
import { createRedisDocumentBroker, createRedisDocumentStore } from './documents'
import { createRedisEvents } from './events'
import { createRedisPresence } from './presence'
import { createRedisReceipts } from './signals'

/** Options of `createRedisEngine`; only `url` is required. */
export interface RedisEngineOptions {
  /**
   * `redis://[[user]:password@]host[:port][/db]`, or `rediss://…` for TLS. One standalone
   * Redis 7 or later (sharded pub/sub); Redis Cluster is not supported yet.
   */
  url: string
  /**
   * Starts every key and channel name; no `{` or `}`. Processes of one deployment use the same
   * prefix, other deployments on the same Redis another one. Default `'rr:'`.
   */
  prefix?: string
  /** Frames kept per stream for replay (Redis trims whole nodes: a few more). Default: the server's `historySize` (1000). */
  historySize?: number
  /**
   * How long an accepted `(stream, user, id)` is remembered, so a resend is acked as the
   * duplicate it is: at least as long as a client may hold a message in its outbox. Default
   * 24 h.
   */
  dedupeTtlMs?: number
  /**
   * A stream no one appended to for this long is deleted (seq, epoch, frames); a client that
   * comes back to it gets a new epoch and `gap: true`. 0 keeps streams for ever. At least
   * `dedupeTtlMs`. Default 7 days.
   */
  streamTtlMs?: number
  /**
   * A process that stops refreshing its presence (it died) has its users shown offline after
   * this, plus a sweep (every half of it). Default 30 s.
   */
  presenceTtlMs?: number
  /** How long the server's start waits for Redis before it rejects. Default 10 s. */
  connectTimeoutMs?: number
}

export const MISSING_IOREDIS_MESSAGE =
  'createRedisEngine needs the package ioredis installed on the server: npm install ioredis'

/**
 * `import('ioredis')`, or an error saying to install it. `load` is for tests.
 *
 * @example
 * const { Redis } = await importIoredis()
 */
export async function importIoredis(
  load: () => Promise<typeof import('ioredis')> = () => import('ioredis'),
): Promise<typeof import('ioredis')> {
  try {
    return await load()
  } catch (error) {
    if (isMissing(error, 'ioredis')) throw new Error(MISSING_IOREDIS_MESSAGE, { cause: error })
    throw error
  }
}

const WHO = 'createRedisEngine'
const DEFAULT_PRESENCE_TTL_MS = 30_000
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000
/** Every connection the engine opens is named this (`CLIENT SETNAME`). */
export const CONNECTION_NAME = 'redux-realtime'
/**
 * How long closing waits for the polite way out (presence withdrawn, subscriptions dropped,
 * QUIT answered) before it disconnects every connection: Redis may be down or paused.
 */
const CLOSE_TIMEOUT_MS = 3000

function check(condition: boolean, message: string): void {
  if (!condition) throw new TypeError(`${WHO}: ${message}`)
}

/** The URL as logs and errors may show it: the password replaced by `***`. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password !== '') parsed.password = '***'
    return parsed.toString()
  } catch {
    return '(unparseable url)'
  }
}

/**
 * Resolves once `redis` is ready; rejects, disconnecting it, after `ms` without that, with the
 * connection's last error (`lastError`).
 */
function ready(redis: Redis, shown: string, ms: number, lastError: () => unknown): Promise<void> {
  return new Promise((resolve, reject) => {
    const onReady = () => {
      clearTimeout(timer)
      resolve()
    }
    const timer = setTimeout(() => {
      redis.off('ready', onReady)
      redis.disconnect()
      const error = lastError()
      const reason = error instanceof Error ? `: ${error.message}` : ''
      reject(
        new Error(
          `createRedisEngine: could not reach Redis at ${shown} within ${ms} ms (connectTimeoutMs)${reason}`,
          { cause: error },
        ),
      )
    }, ms)
    redis.once('ready', onReady)
  })
}

/**
 * Collects every connection duplicated from `client` (the broker's and the presence engine's
 * subscribers), so closing can end them even when their own close is still waiting on Redis.
 */
function trackDuplicates(client: Redis): Redis[] {
  const duplicates: Redis[] = []
  const duplicate = client.duplicate.bind(client)
  client.duplicate = (override?: Parameters<Redis['duplicate']>[0]) => {
    const copy = duplicate(override)
    duplicates.push(copy)
    return copy
  }
  return duplicates
}

/** Resolves when `work` settles or after `ms`, whichever is first; never rejects. */
async function atMost(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))
  await Promise.race([work.catch(() => undefined), late])
  clearTimeout(timer)
}

/**
 * Sharded pub/sub is Redis 7's: without it the fan-out cannot work, so say so at start rather
 * than at the first message. Asks `COMMAND INFO`; where that is not allowed (ACLs, managed
 * Redis), the version `INFO` states; where neither answers, it cannot tell and goes on.
 */
async function checkShardedPubSub(redis: Redis, shown: string): Promise<void> {
  const info: unknown = await redis
    .call('COMMAND', 'INFO', 'SSUBSCRIBE', 'SPUBLISH')
    .catch(() => undefined)
  const server = await redis.info('server').catch(() => '')
  const version = /redis_version:([^\r\n]+)/.exec(server)?.[1]
  if (Array.isArray(info)) {
    if (info.length === 2 && info.every((entry) => Array.isArray(entry))) return
  } else {
    const major = Number(version?.split('.')[0])
    if (!Number.isFinite(major) || major >= 7) return
  }
  throw new Error(
    `createRedisEngine: Redis at ${shown} (version ${version ?? 'unknown'}) has no SSUBSCRIBE/SPUBLISH: the Redis engine needs Redis 7 or later (sharded pub/sub)`,
  )
}

/**
 * Creates the Redis engine for one server: `createRealtimeServer({ engine })` connects it
 * (rejecting within `connectTimeoutMs` when Redis cannot be reached, or is older than 7) and
 * `server.close()` disconnects it. Several processes with the same `url` and `prefix` serve the
 * same rooms, private streams and presence: continuous `seq`, one epoch per stream, idempotency
 * keys that survive a process restart. Throws at once on options that cannot work. Needs
 * `ioredis` installed (`npm install ioredis`), loaded only when the server starts.
 *
 * While the server runs, Redis going away does not close connections: writes and joins are
 * refused with a retryable `SERVER_ERROR` (clients send them again) until it is back.
 *
 * @example
 * const server = await createRealtimeServer({
 *   port: 3000,
 *   jwt: { secret: process.env.REALTIME_JWT_SECRET },
 *   engine: createRedisEngine({ url: 'redis://127.0.0.1:6379' }),
 * })
 */
export function createRedisEngine(options: RedisEngineOptions): RealtimeEngine {
  check(
    typeof options === 'object' && options !== null,
    "options are required, e.g. createRedisEngine({ url: 'redis://127.0.0.1:6379' })",
  )
  const { url } = options
  check(
    typeof url === 'string' && /^rediss?:\/\/[^/?#]/.test(url) && URL.canParse(url),
    `url must be a redis:// or rediss:// URL, e.g. 'redis://127.0.0.1:6379', got ${typeof url === 'string' ? JSON.stringify(redactedUrl(url)) : String(url)}`,
  )
  const prefix = options.prefix ?? 'rr:'
  check(
    typeof prefix === 'string' && !/[{}]/.test(prefix),
    `prefix must be a string with no { or } (each stream's name is its keys' hash tag), got ${JSON.stringify(prefix)}`,
  )
  const historySize =
    options.historySize === undefined
      ? undefined
      : integerOption('historySize', options.historySize, 0, undefined, WHO)
  const dedupeTtlMs = integerOption(
    'dedupeTtlMs',
    options.dedupeTtlMs ?? DEFAULT_DEDUPE_TTL_MS,
    1,
    'ms',
    WHO,
  )
  const streamTtlMs = integerOption(
    'streamTtlMs',
    options.streamTtlMs ?? Math.max(DEFAULT_STREAM_TTL_MS, dedupeTtlMs),
    0,
    'ms; 0 keeps streams for ever',
    WHO,
  )
  check(
    streamTtlMs === 0 || streamTtlMs >= dedupeTtlMs,
    `streamTtlMs (${streamTtlMs}) must be 0 or at least dedupeTtlMs (${dedupeTtlMs}): an idempotency key must not outlive its stream`,
  )
  const presenceTtlMs = integerOption(
    'presenceTtlMs',
    options.presenceTtlMs ?? DEFAULT_PRESENCE_TTL_MS,
    1,
    'ms',
    WHO,
  )
  check(presenceTtlMs >= 3, `presenceTtlMs must be at least 3 (ms), got ${presenceTtlMs}`)
  const connectTimeoutMs = integerOption(
    'connectTimeoutMs',
    options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    1,
    'ms',
    WHO,
  )
  const shown = redactedUrl(url)

  let started = false
  let redis: Redis | undefined
  let duplicates: Redis[] = []
  let parts: EngineParts | undefined
  let closing: Promise<void> | undefined

  return defineEngine({
    name: `redis ${shown} (keys ${prefix}*)`,

    async start({ historySize: serverHistorySize, logger }) {
      if (started)
        throw new Error(
          'createRedisEngine: this engine already serves a server; call createRedisEngine() once per createRealtimeServer()',
        )
      started = true
      let client: Redis | undefined
      try {
        const { Redis } = await importIoredis()
        // Named, so `CLIENT LIST` shows the server's connections (the duplicates inherit it).
        client = new Redis(url, { connectionName: CONNECTION_NAME })
        let connected = false
        let lastError: unknown
        client.on('error', (error: unknown) => {
          // Once connected, an outage is the server's to ride out (SERVER_ERROR, retried): log it.
          if (connected) logger.error(`redux-realtime server: redis connection to ${shown}`, error)
          else lastError = error
        })
        await ready(client, shown, connectTimeoutMs, () => lastError)
        connected = true
        const checked = client
        await withinTimeout(
          () => checkShardedPubSub(checked, shown),
          connectTimeoutMs,
          `createRedisEngine: the version check of Redis at ${shown}`,
        )
      } catch (error) {
        client?.disconnect()
        // Not started: the same engine may be given to a server again.
        started = false
        throw error
      }
      redis = client
      duplicates = trackDuplicates(client)
      const onError = (message: string, error: unknown) => logger.error(message, error)
      parts = {
        history: createRedisHistory({
          redis: client,
          historySize: historySize ?? serverHistorySize,
          prefix,
          dedupeTtlMs,
          streamTtlMs,
        }),
        broker: createRedisBroker({ redis: client, prefix, onError }),
        presence: createRedisPresence({ redis: client, prefix, ttlMs: presenceTtlMs, onError }),
        connectionCap: (maxPerUser) =>
          createRedisConnectionCap({
            redis: client,
            prefix,
            maxPerUser,
            onError: (message, error) => logger.warn(message, error),
          }),
        // A room's receipts live as long as its stream: both go after streamTtlMs without writes.
        receipts: createRedisReceipts({ redis: client, prefix, ttlMs: streamTtlMs }),
        eventBoard: createRedisEvents({ redis: client, prefix, onError }),
        documents: createRedisDocumentStore({ redis: client, prefix }),
        documentBroker: createRedisDocumentBroker({ redis: client, prefix, onError }),
      }
      try {
        // Other processes' presence changes are heard before the server takes a connection.
        await withinTimeout(
          () => parts?.presence?.ready() ?? Promise.resolve(),
          connectTimeoutMs,
          `createRedisEngine: subscribing to presence changes on Redis at ${shown}`,
        )
      } catch (error) {
        await this.close()
        throw error
      }
      return parts
    },

    close() {
      closing ??= (async () => {
        const polite = (async () => {
          // Presence first: it withdraws this process's entries on the command connection.
          await parts?.presence?.close()
          await parts?.broker?.close()
          await parts?.documentBroker?.close()
          if (redis && redis.status !== 'end') await redis.quit()
        })()
        await atMost(polite, CLOSE_TIMEOUT_MS)
        for (const connection of [redis, ...duplicates]) connection?.disconnect()
      })()
      return closing
    },
  })
}
