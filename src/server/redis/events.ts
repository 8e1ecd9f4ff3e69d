/**
 * The event board on Redis (issue 12; internal until the engine is public): the events behind
 * `server.publishEvent`, the users subscribed to them and their reminders, shared by every
 * server process on one Redis. Each publish is appended to each subscriber's private stream
 * through the history, as in memory (those frames reach every process); a subscription made on
 * any process replays the events published on any other.
 *
 * Keys (`<prefix>` as the history's; the tag `{%events}` puts all four in one slot for the
 * scripts, and no stream's tag can be it: a `%` in a stream name is escaped as `%25`):
 *
 * | key                            | type       | holds                                                  | TTL  |
 * | ------------------------------ | ---------- | ------------------------------------------------------ | ---- |
 * | `<prefix>{%events}:all`        | hash       | event id → the event's JSON as last published           | none |
 * | `<prefix>{%events}:subs`       | set        | the users subscribed to events                          | none |
 * | `<prefix>{%events}:reminders`  | sorted set | `<at> <event id>` scored by `at` (epoch ms), each reminder not yet sent | none |
 * | `<prefix>{%events}:armed`      | hash       | event id → its reminder times as armed (`<at> <at>…`), to replace them | none |
 *
 * Reminders: every process polls every `pollMs` (default 1 s) and claims what is due with one
 * script that ZREMs it, so only the claimer sends it: once across processes, whichever process
 * published it and whether that one still runs. A reminder is sent between its time and one poll
 * later while any process runs; one found more than `lateMs` (default 60 s) after its time (no
 * process was running then) is dropped, as the memory board never sends a time already past. A
 * process that dies between its claim and its appends loses that reminder (at most once).
 *
 * `publish` still returns at once (`server.publishEvent` is synchronous): the event as this
 * process made it. Storing it and appending it to subscribers follow one Redis round trip later
 * (so a `notify` made right after it may reach a stream first); when another process published
 * the same id in the same millisecond or later by its clock, the stored and sent `updatedAt` is
 * moved past that one's, so every event's updates stay strictly ordered in Redis' order. A
 * publish Redis refuses (or that fails with the connection) is logged (`onError`) and tried
 * again, one publish at a time in order, with backoff (full jitter, 250 ms doubling to 10 s)
 * until Redis takes it; its appends follow then. At most 1000 wait (more are refused, logged);
 * those still waiting on `close()` are logged as lost. A try that Redis ran but whose reply was
 * lost (ioredis rejects it once its offline queue gives up) is run again: subscribers then get
 * that update twice, the same event with a later `updatedAt` — an update, never a lost one.
 */
import type { Redis } from 'ioredis'
import { isValidId, MessageType, validateFrame, makeFrame } from '../../protocol'
import type { EventData } from '../../protocol'
import { appendEvent, checkedEvent, remindSubscribers } from '../events'
import type { EventBoard, EventBoardDeps, EventBoardFactory } from '../events'
import { createSerialQueue } from '../serialQueue'
import { RETRY_BASE_MS, RETRY_CAP_MS, retryDelay } from '../serverWrites'

export interface RedisEventsOptions {
  /** The process's ioredis client (the history's). Three scripts are defined on it. */
  redis: Redis
  /** The history's key prefix. Default `'rr:'`. */
  prefix?: string
  /** How often this process looks for due reminders. Default 1000 ms. */
  pollMs?: number
  /** A reminder found later than this after its time is dropped, not sent. Default 60 s. */
  lateMs?: number
  /** The first wait between two tries of a publish Redis refused (full jitter, doubling). Default 250 ms. */
  retryBaseMs?: number
  /** The longest such wait. Default 10 s. */
  retryCapMs?: number
  /** A failed publish, poll or a stored event that is not one. Default: console.error. */
  onError?: (message: string, error: unknown) => void
}

const DEFAULT_POLL_MS = 1000
const DEFAULT_LATE_MS = 60_000
/** Publishes waiting for Redis (each tried until it takes it); past it new ones are refused. */
const MAX_PENDING_PUTS = 1000
/** Reminders one claim takes at most; a poll claims again while it got a full batch. */
const CLAIM_BATCH = 100
const CLAIM_ROUNDS = 10

/**
 * KEYS: all, subs, reminders, armed. ARGV: event id, the event's JSON without `updatedAt`,
 * updatedAt, then each reminder time to arm. Keeps `updatedAt` above the stored one's (two
 * processes' publishes of one event stay ordered), replaces the event's reminders (the members
 * armed before, as they were written), stores the event.
 * Returns { updatedAt as stored, the subscribers }.
 */
const PUT_LUA = `
local id = ARGV[1]
local updated = tonumber(ARGV[3])
local previous = redis.call('HGET', KEYS[1], id)
if previous then
  local ok, old = pcall(cjson.decode, previous)
  if ok and type(old) == 'table' and type(old.updatedAt) == 'number' and old.updatedAt >= updated then
    updated = old.updatedAt + 1
  end
end
local armed = redis.call('HGET', KEYS[4], id)
if armed then
  for at in string.gmatch(armed, '%S+') do redis.call('ZREM', KEYS[3], at .. ' ' .. id) end
end
local stored = string.format('%d', updated)
redis.call('HSET', KEYS[1], id, string.sub(ARGV[2], 1, -2) .. ',"updatedAt":' .. stored .. '}')
local times = {}
for i = 4, #ARGV do
  redis.call('ZADD', KEYS[3], ARGV[i], ARGV[i] .. ' ' .. id)
  table.insert(times, ARGV[i])
end
if #times > 0 then redis.call('HSET', KEYS[4], id, table.concat(times, ' '))
else redis.call('HDEL', KEYS[4], id) end
return {stored, redis.call('SMEMBERS', KEYS[2])}
`

/**
 * KEYS: subs, all. ARGV: userId. Returns { 0 } when the user was subscribed already, else
 * { 1, every event's JSON } (one step, so no publish falls between the two).
 */
const SUBSCRIBE_LUA = `
if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return {0} end
return {1, redis.call('HVALS', KEYS[2])}
`

/**
 * KEYS: reminders, all, subs. ARGV: now, batch. Takes (ZREM) the due reminders: only this call
 * sends them. Returns { { member, the event's JSON or '' }…, the subscribers }.
 */
const CLAIM_LUA = `
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
if #due == 0 then return {{}, {}} end
local claimed = {}
for _, member in ipairs(due) do
  redis.call('ZREM', KEYS[1], member)
  local id = string.match(member, '^%S+ (.+)$')
  local event = ''
  if id then event = redis.call('HGET', KEYS[2], id) or '' end
  table.insert(claimed, {member, event})
end
return {claimed, redis.call('SMEMBERS', KEYS[3])}
`

interface EventCommands {
  realtimeEventsPut(...args: string[]): Promise<[string, string[]]>
  realtimeEventsSubscribe(...args: string[]): Promise<[0] | [1, string[]]>
  realtimeEventsClaim(...args: string[]): Promise<[Array<[string, string]>, string[]]>
}

/** A stored event, decoded and checked by the codec like any input; undefined when it is not. */
function parseEvent(json: string): EventData | undefined {
  let data: unknown
  try {
    data = JSON.parse(json)
  } catch {
    return undefined
  }
  const result = validateFrame(makeFrame(MessageType.EVENT_UPDATE, { data: data as EventData }))
  return result.ok && result.frame.type === MessageType.EVENT_UPDATE ? result.frame.data : undefined
}

/**
 * Creates the factory of the Redis event board; each server process makes its board with it
 * (the board starts polling for reminders at once; `close()` stops it).
 *
 * @example
 * const redis = new Redis(url)
 * const server = await createRealtimeServer({ jwt, eventBoard: createRedisEvents({ redis }) })
 */
export function createRedisEvents(options: RedisEventsOptions): EventBoardFactory {
  const {
    redis,
    prefix = 'rr:',
    pollMs = DEFAULT_POLL_MS,
    lateMs = DEFAULT_LATE_MS,
    retryBaseMs = RETRY_BASE_MS,
    retryCapMs = RETRY_CAP_MS,
  } = options
  if (/[{}]/.test(prefix))
    throw new TypeError(
      `createRedisEvents: prefix must hold no { or } (the keys' hash tag follows it), got ${JSON.stringify(prefix)}`,
    )
  if (!Number.isSafeInteger(pollMs) || pollMs < 1)
    throw new RangeError(`createRedisEvents: pollMs must be a positive integer (ms), got ${pollMs}`)
  if (!Number.isSafeInteger(lateMs) || lateMs < 0)
    throw new RangeError(
      `createRedisEvents: lateMs must be a non-negative integer (ms), got ${lateMs}`,
    )
  const onError =
    options.onError ?? ((message: string, error: unknown) => console.error(message, error))
  redis.defineCommand('realtimeEventsPut', { numberOfKeys: 4, lua: PUT_LUA })
  redis.defineCommand('realtimeEventsSubscribe', { numberOfKeys: 2, lua: SUBSCRIBE_LUA })
  redis.defineCommand('realtimeEventsClaim', { numberOfKeys: 3, lua: CLAIM_LUA })
  const commands = redis as unknown as EventCommands
  const allKey = `${prefix}{%events}:all`
  const subsKey = `${prefix}{%events}:subs`
  const remindersKey = `${prefix}{%events}:reminders`
  const armedKey = `${prefix}{%events}:armed`

  return (deps: EventBoardDeps): EventBoard => {
    /** event id → the newest updatedAt this process published or stored (kept increasing). */
    const updated = new Map<string, number>()
    let polling: Promise<void> | undefined
    let closed = false

    const failed = (what: string) => (error: unknown) =>
      onError(`redux-realtime server: redis events ${what}`, error)

    const puts = createSerialQueue()
    /** Ends the wait between two tries of a put (on close). */
    let wake: (() => void) | undefined

    /**
     * Runs `call` until Redis answers it, waiting `retryDelay` (full jitter) between tries;
     * undefined when the board closed first (logged: that publish is lost).
     */
    const untilStored = async <T>(what: string, call: () => Promise<T>): Promise<T | undefined> => {
      for (let failures = 0; ;) {
        try {
          const reply = await call()
          if (failures > 0)
            onError(
              `redux-realtime server: redis events ${what} stored after ${failures} failed tries`,
              undefined,
            )
          return reply
        } catch (error) {
          failures++
          if (failures === 1) failed(`${what} failed; trying again until Redis takes it`)(error)
        }
        if (closed) break
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, retryDelay(failures, retryBaseMs, retryCapMs))
          timer.unref()
          wake = () => {
            clearTimeout(timer)
            resolve()
          }
        })
        wake = undefined
        if (closed) break
      }
      onError(
        `redux-realtime server: redis events ${what} lost: the board closed before Redis took it`,
        undefined,
      )
      return undefined
    }

    const appendAll = (users: Iterable<string>, event: EventData): void => {
      for (const userId of users) if (isValidId(userId)) appendEvent(deps, userId, event)
    }

    const claim = async (): Promise<number> => {
      const now = Date.now()
      const [claimed, subscribers] = await commands.realtimeEventsClaim(
        remindersKey,
        allKey,
        subsKey,
        String(now),
        String(CLAIM_BATCH),
      )
      const users = subscribers.filter((userId) => isValidId(userId))
      for (const [member, json] of claimed) {
        const at = Number(member.slice(0, member.indexOf(' ')))
        const event = parseEvent(json)
        if (!event) {
          onError(`redux-realtime server: reminder ${member} names no stored event`, json)
          continue
        }
        if (event.status === 'cancelled' || now - at > lateMs) continue
        remindSubscribers(deps, users, event)
      }
      return claimed.length
    }

    const poll = (): void => {
      if (polling || closed) return
      polling = (async () => {
        for (let round = 0; round < CLAIM_ROUNDS && !closed; round++)
          if ((await claim()) < CLAIM_BATCH) return
      })()
        .catch(failed('reminder poll'))
        .finally(() => (polling = undefined))
    }
    const timer = setInterval(poll, pollMs)
    timer.unref()

    return {
      publish(input) {
        const updatedAt = Math.max(Date.now(), (updated.get(input.id) ?? 0) + 1)
        const data = checkedEvent(input, updatedAt)
        updated.set(data.id, updatedAt)
        const { updatedAt: _omitted, ...rest } = data
        const now = Date.now()
        const times =
          data.status === 'cancelled'
            ? []
            : [...new Set(data.remindAt ?? [])].filter((at) => at > now).map(String)
        if (closed || puts.pending >= MAX_PENDING_PUTS) {
          onError(
            `redux-realtime server: redis events publish of ${data.id} refused: ${closed ? 'the board is closed' : `${MAX_PENDING_PUTS} publishes already wait for Redis`}`,
            undefined,
          )
          return data
        }
        const put = () =>
          commands.realtimeEventsPut(
            allKey,
            subsKey,
            remindersKey,
            armedKey,
            data.id,
            JSON.stringify(rest),
            String(updatedAt),
            ...times,
          )
        // One at a time, each tried until Redis takes it: a retried update never lands after a
        // later one (the script would store it as the newer).
        void puts.run(async () => {
          const reply = await untilStored(`publish of ${data.id}`, put)
          if (!reply) return
          const [stored, subscribers] = reply
          const storedAt = Number(stored)
          // Another process published this event later (by its clock): ours goes after it.
          if (storedAt > (updated.get(data.id) ?? 0)) updated.set(data.id, storedAt)
          appendAll(subscribers, storedAt === updatedAt ? data : { ...data, updatedAt: storedAt })
        })
        return data
      },

      async subscribe(userId) {
        const reply = await commands.realtimeEventsSubscribe(subsKey, allKey, userId)
        if (reply[0] === 0) return
        const events: EventData[] = []
        for (const json of reply[1]) {
          const event = parseEvent(json)
          if (event) events.push(event)
          else onError('redux-realtime server: a stored event that is not one', json)
        }
        // Redis keeps no order: oldest update first, as they were published (ties by id).
        events.sort((x, y) => x.updatedAt - y.updatedAt || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0))
        for (const event of events) appendEvent(deps, userId, event)
      },

      async unsubscribe(userId) {
        await redis.srem(subsKey, userId)
      },

      async close() {
        closed = true
        clearInterval(timer)
        wake?.()
        await polling
      },
    }
  }
}
