/**
 * The `ConnectionCap` on Redis (issue 12; internal until the engine is public):
 * `maxConnectionsPerUser` held across every server process on one Redis, not per process.
 *
 * Keys (`<prefix>` as the history's; `<tag>` is `{<userId>}` escaped as the history escapes a
 * stream name, so no user id can build another key, and one user's slots are one cluster slot):
 *
 * | key                     | type       | holds                                                        | ends |
 * | ----------------------- | ---------- | ------------------------------------------------------------ | ---- |
 * | `<prefix>conns:<tag>:`  | sorted set | `<process id>:<connection id>` per connection, scored by when the slot expires (ms, Redis' clock) | `ttlMs` after its last admission or refresh |
 *
 * One script admits (drops expired slots, counts, adds below the cap — atomic, so two processes
 * admitting at once cannot both take the last slot); each process refreshes the scores of its
 * live connections every `ttlMs / 3` (one pipeline); a close removes the slot. Scores are Redis'
 * own `TIME`, so the processes' clocks do not matter.
 *
 * A process that dies without closing keeps its slots until they expire: a user who held the
 * cap there may be refused for up to `ttlMs` (default 30 s) after the process died.
 *
 * Redis unreachable (a command fails or takes `timeoutMs`): the cap fails open to the per-process
 * count — a user is admitted while this process holds fewer than `maxPerUser` of their
 * connections, with a warning (at most one per `ttlMs`). A cap protects resources; refusing every
 * login while Redis is down would turn a Redis outage into an outage of the service. Connections
 * admitted so are written to Redis by the next refresh once it is back (a user may then be over
 * the cap until some of them close; nobody is disconnected for it).
 */
import type { Redis } from 'ioredis'
import { createId } from '../../protocol'
import type { ConnectionCap } from '../connectionCap'
import { withinTimeout } from '../storeCalls'
import { streamKey } from './history'

export interface RedisConnectionCapOptions {
  /** The process's ioredis client (the history's); two scripts are defined on it. */
  redis: Redis
  /** Key prefix, as the history's (no `{` or `}`). Default `'rr:'`. */
  prefix?: string
  /** Authenticated connections one user may hold across the processes (`maxConnectionsPerUser`). */
  maxPerUser: number
  /** How long a slot outlives its process's last refresh. Default 30 s. */
  ttlMs?: number
  /** How long an admission waits for Redis before it fails open. Default 1 s. */
  timeoutMs?: number
  /** Redis failed or timed out (the cap failed open, or a refresh/close did not reach it). Default: console.warn. */
  onError?: (message: string, error: unknown) => void
}

const DEFAULT_TTL_MS = 30_000
const DEFAULT_TIMEOUT_MS = 1000
/** ioredis states in which a command would only wait in its offline queue. */
const DOWN: ReadonlySet<string> = new Set(['reconnecting', 'close', 'end'])
/** Users whose slots one refresh pipeline carries (bounded work per round trip). */
const REFRESH_BATCH = 1000

/** `now` in ms on Redis' clock. */
const NOW_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`

/** Keeps the key until its last slot expires (a process with a shorter TTL never cuts it short). */
const EXPIRE_LUA = `
local function expire(key, ttl)
  if redis.call('PTTL', key) < ttl then redis.call('PEXPIRE', key, ttl) end
end
`

/** KEYS: the user's slots. ARGV: slot, maxPerUser, ttlMs. Returns 1 (admitted) or 0. */
const ADMIT_LUA = `${NOW_LUA}${EXPIRE_LUA}
local ttl = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  return 0
end
redis.call('ZADD', KEYS[1], string.format('%d', now + ttl), ARGV[1])
expire(KEYS[1], ttl)
return 1
`

/** KEYS: the user's slots. ARGV: ttlMs, then this process's slots of the user (re-added if swept). */
const REFRESH_LUA = `${NOW_LUA}${EXPIRE_LUA}
local expires = string.format('%d', now + tonumber(ARGV[1]))
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], expires, ARGV[i]) end
expire(KEYS[1], tonumber(ARGV[1]))
return #ARGV - 1
`

/** KEYS: the user's slots. Returns the slots not expired. */
const COUNT_LUA = `${NOW_LUA}
return redis.call('ZCOUNT', KEYS[1], '(' .. now, '+inf')
`

interface CapCommands {
  realtimeCapAdmit(key: string, slot: string, max: string, ttl: string): Promise<number>
  realtimeCapCount(key: string): Promise<number>
}

interface CapPipeline {
  realtimeCapRefresh(key: string, ...args: string[]): unknown
}

/**
 * Creates the shared cap; it starts refreshing at once. The caller owns `redis` (`close()` only
 * frees this process's slots and stops the timer).
 *
 * @example
 * const server = await createRealtimeServer({
 *   jwt,
 *   connectionCap: (maxPerUser) => createRedisConnectionCap({ redis, maxPerUser }),
 * })
 */
export function createRedisConnectionCap(options: RedisConnectionCapOptions): ConnectionCap {
  const { redis, prefix = 'rr:', maxPerUser } = options
  const ttlMs = options.ttlMs ?? DEFAULT_TTL_MS
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  if (!Number.isSafeInteger(maxPerUser) || maxPerUser < 1)
    throw new RangeError(
      `createRedisConnectionCap: maxPerUser must be a positive integer, got ${maxPerUser}`,
    )
  if (!Number.isSafeInteger(ttlMs) || ttlMs < 3)
    throw new RangeError(
      `createRedisConnectionCap: ttlMs must be an integer ≥ 3 (ms), got ${ttlMs}`,
    )
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1)
    throw new RangeError(
      `createRedisConnectionCap: timeoutMs must be a positive integer (ms), got ${timeoutMs}`,
    )
  const onError =
    options.onError ?? ((message: string, error: unknown) => console.warn(message, error))
  redis.defineCommand('realtimeCapAdmit', { numberOfKeys: 1, lua: ADMIT_LUA })
  redis.defineCommand('realtimeCapRefresh', { numberOfKeys: 1, lua: REFRESH_LUA })
  redis.defineCommand('realtimeCapCount', { numberOfKeys: 1, lua: COUNT_LUA })
  const commands = redis as unknown as CapCommands
  const processId = createId()
  const keyOf = (userId: string) => streamKey(`${prefix}conns:`, userId)
  /** This process's slots: user → connection → slot. */
  const held = new Map<string, Map<object, string>>()
  let closed = false
  let warnedAt = -Infinity
  let openedSinceWarning = 0

  const failed = (what: string) => (error: unknown) =>
    onError(`redux-realtime server: redis connection cap ${what}`, error)

  const hold = (userId: string, connection: object, slot: string): true => {
    let slots = held.get(userId)
    if (!slots) held.set(userId, (slots = new Map<object, string>()))
    slots.set(connection, slot)
    return true
  }

  /** Redis did not answer: the per-process count decides, with a warning now and then. */
  const failOpen = (userId: string, connection: object, slot: string, error: unknown): boolean => {
    if ((held.get(userId)?.size ?? 0) >= maxPerUser) return false
    openedSinceWarning++
    const now = Date.now()
    if (now - warnedAt >= ttlMs) {
      warnedAt = now
      failed(
        `unavailable: admitting by this process's own count (${openedSinceWarning} admitted so since the last warning)`,
      )(error)
      openedSinceWarning = 0
    }
    return hold(userId, connection, slot)
  }

  let refreshing = false
  const refreshAll = async () => {
    const users = [...held]
    for (let i = 0; i < users.length; i += REFRESH_BATCH) {
      const pipeline = redis.pipeline()
      for (const [userId, slots] of users.slice(i, i + REFRESH_BATCH))
        (pipeline as unknown as CapPipeline).realtimeCapRefresh(
          keyOf(userId),
          String(ttlMs),
          ...slots.values(),
        )
      const replies = (await pipeline.exec()) ?? []
      const error = replies.find(([failure]) => failure)?.[0]
      if (error) throw error
    }
  }

  /** One refresh at a time: a slow Redis does not pile them up. */
  const refresh = () => {
    if (refreshing) return
    refreshing = true
    refreshAll()
      .catch(failed('refresh'))
      .finally(() => (refreshing = false))
  }

  const timer = setInterval(refresh, Math.max(1, Math.floor(ttlMs / 3)))
  timer.unref()

  return {
    async admit(userId, connection) {
      if (held.get(userId)?.has(connection)) return true
      const slot = `${processId}:${createId()}`
      if (closed || DOWN.has(redis.status))
        return failOpen(userId, connection, slot, new Error(`redis is ${redis.status}`))
      try {
        const admitted = await withinTimeout(
          () => commands.realtimeCapAdmit(keyOf(userId), slot, String(maxPerUser), String(ttlMs)),
          timeoutMs,
          `admission of ${userId}`,
        )
        return admitted === 1 && hold(userId, connection, slot)
      } catch (error) {
        return failOpen(userId, connection, slot, error)
      }
    },

    release(userId, connection) {
      const slots = held.get(userId)
      const slot = slots?.get(connection)
      if (!slots || slot === undefined) return
      slots.delete(connection)
      if (slots.size === 0) held.delete(userId)
      // Not reached (Redis down): the slot expires after ttlMs, no longer refreshed.
      redis.zrem(keyOf(userId), slot).catch(failed(`release of ${userId}`))
    },

    count: (userId) =>
      withinTimeout(
        () => commands.realtimeCapCount(keyOf(userId)),
        timeoutMs,
        `count of ${userId}`,
      ),

    async close() {
      if (closed) return
      closed = true
      clearInterval(timer)
      const pipeline = redis.pipeline()
      for (const [userId, slots] of held) pipeline.zrem(keyOf(userId), ...slots.values())
      held.clear()
      if (pipeline.length > 0) await pipeline.exec().catch(failed('close'))
    },
  }
}
