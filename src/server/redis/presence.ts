/**
 * The `PresenceEngine` on Redis (issue 12; internal until the engine is public): each process's
 * per-user presence, shared by every server process on one Redis, with entries that end when
 * their process stops refreshing.
 *
 * Keys (`<prefix>` as the history's; these are not one slot: presence needs one Redis, not a
 * cluster):
 *
 * | key                               | type       | holds                                              | ends        |
 * | --------------------------------- | ---------- | -------------------------------------------------- | ----------- |
 * | `<prefix>presence:procs`          | sorted set | process id, scored by the time its entries expire  | swept       |
 * | `<prefix>presence:p:<process>`    | set        | the users the process has connections of           | swept       |
 * | `<prefix>presence:u:<userId>`     | hash       | process id → `{ online, status, customStatus?, rooms? }` | fields swept |
 * | `<prefix>presence:r:<room>`       | hash       | `<process> <userId>` → the data set there as JSON, or '' | fields swept |
 * | `<prefix>presence` (channel)      | pub/sub    | each change as `{ u, p, s }` (s: the process's presence), room data as `{ u, p, r, d }` | — |
 *
 * Each process refreshes its score every `ttlMs / 3`; every `sweepMs` one process (whichever
 * gets there first: the script removes what it reports) takes up to 1,000 users of processes
 * whose score has passed, deletes their fields and publishes each as offline.
 */
import type { Redis } from 'ioredis'
import { createId, isValidId } from '../../protocol'
import type {
  PresenceEngine,
  PresenceListener,
  ProcessPresence,
  RemotePresenceChange,
} from '../presenceEngine'
import {
  MAX_ROOMS,
  parseChange,
  parsePresence,
  parseRoomData,
  parseRoomMessage,
} from './presenceMessages'
import { SWEEP_BATCH, SWEEP_LUA, SWEEP_PROCESSES, type PresenceCommands } from './presenceSweep'

export interface RedisPresenceOptions {
  /** The process's ioredis client (the history's); the engine listens on a duplicate it owns. */
  redis: Redis
  /** Key prefix, as the history's. Default `'rr:'`. */
  prefix?: string
  /** How long a process's entries outlive its last refresh. Default 30 s. */
  ttlMs?: number
  /** How often this process looks for expired processes. Default `ttlMs / 2`. */
  sweepMs?: number
  /** A failed command or a message that is not a change. Default: console.error. */
  onError?: (message: string, error: unknown) => void
}

const DEFAULT_TTL_MS = 30_000

/**
 * Creates the Redis presence engine; it starts refreshing at once.
 *
 * @example
 * const redis = new Redis(url)
 * const server = await createRealtimeServer({ jwt, presenceEngine: createRedisPresence({ redis }) })
 */
export function createRedisPresence(options: RedisPresenceOptions): PresenceEngine {
  const { redis, prefix = 'rr:', ttlMs = DEFAULT_TTL_MS } = options
  const sweepMs = options.sweepMs ?? Math.max(1, Math.floor(ttlMs / 2))
  if (!Number.isSafeInteger(ttlMs) || ttlMs < 3)
    throw new RangeError(`createRedisPresence: ttlMs must be an integer ≥ 3 (ms), got ${ttlMs}`)
  if (!Number.isSafeInteger(sweepMs) || sweepMs < 1)
    throw new RangeError(
      `createRedisPresence: sweepMs must be a positive integer (ms), got ${sweepMs}`,
    )
  const onError =
    options.onError ?? ((message: string, error: unknown) => console.error(message, error))
  redis.defineCommand('realtimePresenceSweep', { numberOfKeys: 1, lua: SWEEP_LUA })
  const commands = redis as unknown as PresenceCommands
  const process = createId()
  const procsKey = `${prefix}presence:procs`
  const ownSet = `${prefix}presence:p:${process}`
  const userKey = (userId: string) => `${prefix}presence:u:${userId}`
  const channel = `${prefix}presence`
  /** The users this process holds online, as it last published them (republished when swept). */
  const held = new Map<string, ProcessPresence>()
  let listener: PresenceListener | undefined
  let readyBefore = false
  let closed = false

  const failed = (what: string) => (error: unknown) =>
    onError(`redux-realtime server: redis presence ${what}`, error)

  const roomKey = (room: string) => `${prefix}presence:r:${room}`

  /** Writes the user's entry (and the room index, from the rooms in `before`) and publishes it. */
  const write = (userId: string, presence: ProcessPresence, before?: ProcessPresence) => {
    const message = JSON.stringify({ u: userId, p: process, s: presence })
    const field = `${process} ${userId}`
    const was = new Set(before?.online ? (before.rooms ?? []) : [])
    const now = new Set(presence.online ? (presence.rooms ?? []) : [])
    const multi = redis.multi()
    for (const room of was) if (!now.has(room)) multi.hdel(roomKey(room), field)
    for (const room of now) if (!was.has(room)) multi.hset(roomKey(room), field, '')
    if (presence.online) {
      multi.hset(userKey(userId), process, JSON.stringify(presence)).sadd(ownSet, userId)
    } else multi.hdel(userKey(userId), process).srem(ownSet, userId)
    return multi.publish(channel, message).exec()
  }

  const refresh = async () => {
    const added = await redis.zadd(procsKey, Date.now() + ttlMs, process)
    // Swept while alive (a stall past the TTL): this process's entries are gone; put them back.
    if (added === 1) for (const [userId, presence] of held) await write(userId, presence)
  }

  const sweep = async () => {
    for (let round = 0; round < 10; round++) {
      const count = await commands.realtimePresenceSweep(
        procsKey,
        String(Date.now()),
        prefix,
        channel,
        String(SWEEP_BATCH),
        String(SWEEP_PROCESSES),
      )
      if (count < SWEEP_BATCH) return
    }
  }

  refresh().catch(failed('refresh'))
  const refreshTimer = setInterval(
    () => void refresh().catch(failed('refresh')),
    Math.max(1, Math.floor(ttlMs / 3)),
  )
  const sweepTimer = setInterval(() => void sweep().catch(failed('sweep')), sweepMs)
  refreshTimer.unref()
  sweepTimer.unref()

  // Subscribed again after a reconnect here, not by ioredis (see shardSubscriber.ts).
  const subscriber = redis.duplicate({ autoResubscribe: false })
  subscriber.on('error', failed('subscriber connection'))
  subscriber.on('message', (from: string, message: string) => {
    if (from !== channel) return
    if (message.includes('"r":')) {
      const data = parseRoomMessage(message)
      if (!data) return onError(`redux-realtime server: a bad message on ${channel}`, message)
      if (data.process !== process) listener?.roomData(data)
      return
    }
    const change = parseChange(message)
    if (!change) return onError(`redux-realtime server: a bad message on ${channel}`, message)
    if (change.process !== process) listener?.change(change)
  })
  subscriber.on('ready', () => {
    if (!readyBefore) return void (readyBefore = true)
    // Changes published while the connection was down were never heard: once subscribed again,
    // the server loads what it shows.
    subscriber
      .subscribe(channel)
      .then(() => listener?.resumed(), failed(`subscribe to ${channel} again`))
  })
  const subscribed = subscriber.subscribe(channel).then(() => undefined)
  subscribed.catch(failed(`subscribe to ${channel}`))

  return {
    ready: () => subscribed,

    publish(userId, presence) {
      if (closed) return
      const before = held.get(userId)
      if (presence.online) held.set(userId, presence)
      else held.delete(userId)
      write(userId, presence, before).catch(failed(`publish of ${userId}`))
    },

    publishRoomData(userId, room, value) {
      if (closed || !held.get(userId)?.online) return
      const json = JSON.stringify(value)
      redis
        .multi()
        .hset(roomKey(room), `${process} ${userId}`, json)
        .publish(channel, JSON.stringify({ u: userId, p: process, r: room, d: json }))
        .exec()
        .catch(failed(`room data of ${userId}`))
    },

    async load(userId) {
      const reply = await redis
        .multi()
        .hgetall(userKey(userId))
        .zrangebyscore(procsKey, Date.now(), '+inf')
        .exec()
      const fields = (reply?.[0]?.[1] ?? {}) as Record<string, string>
      const live = new Set((reply?.[1]?.[1] ?? []) as string[])
      const changes: RemotePresenceChange[] = []
      for (const [owner, json] of Object.entries(fields)) {
        if (owner === process || !isValidId(owner) || !live.has(owner)) continue
        let presence: ProcessPresence | undefined
        try {
          presence = parsePresence(JSON.parse(json))
        } catch {
          presence = undefined
        }
        if (presence?.online) changes.push({ userId, process: owner, presence })
      }
      return changes
    },

    async loadRoom(room) {
      const reply = await redis
        .multi()
        .hgetall(roomKey(room))
        .zrangebyscore(procsKey, Date.now(), '+inf')
        .exec()
      const values = (reply?.[0]?.[1] ?? {}) as Record<string, string>
      const live = new Set((reply?.[1]?.[1] ?? []) as string[])
      const pairs = Object.keys(values)
        .map((field) => field.split(' '))
        .filter(
          (pair): pair is [string, string] =>
            pair.length === 2 && pair[0] !== process && live.has(pair[0] ?? ''),
        )
        .filter(([, userId]) => isValidId(userId))
        .slice(0, MAX_ROOMS)
      if (pairs.length === 0) return []
      const states = await Promise.all(
        pairs.map(([owner, userId]) => redis.hget(userKey(userId), owner)),
      )
      const changes: RemotePresenceChange[] = []
      pairs.forEach(([owner, userId], index) => {
        let presence: ProcessPresence | undefined
        try {
          presence = parsePresence(JSON.parse(states[index] ?? 'null'))
        } catch {
          presence = undefined
        }
        if (!presence?.online) return
        const data = parseRoomData(values[`${owner} ${userId}`] ?? '')
        const roomData = data ? { roomData: { room, value: data.value } } : {}
        changes.push({ userId, process: owner, presence, ...roomData })
      })
      return changes
    },

    listen(next) {
      listener = next
    },

    async close() {
      if (closed) return
      closed = true
      clearInterval(refreshTimer)
      clearInterval(sweepTimer)
      const lastSeen = Date.now()
      const leaving = [...held]
      held.clear()
      await Promise.all(
        leaving.map(([userId, presence]) =>
          write(
            userId,
            {
              online: false,
              lastSeen,
              ...(presence.customStatus !== undefined
                ? { customStatus: presence.customStatus }
                : {}),
            },
            presence,
          ),
        ),
      ).catch(failed('withdrawal'))
      await redis.multi().zrem(procsKey, process).del(ownSet).exec().catch(failed('withdrawal'))
      await subscriber.quit().catch(() => subscriber.disconnect())
    },
  }
}
