import { Redis } from 'ioredis'
import { afterAll, describe, expect, it } from 'vitest'
import { createId } from '../../src/protocol'
import type { ConnectionCap } from '../../src/server/connectionCap'
import { createRedisConnectionCap } from '../../src/server/redis/connections'
import type { RawClient } from '../support/rawClient'
import { startRedisServer, useRedisServer } from '../support/redisServer'
import type { RedisServer } from '../support/redisServer'
import { tokenFor } from '../support/tokens'
import { connect, connectAs, roundTrip, startServer } from './harness'

const redisServer = useRedisServer()
const redisClients: Redis[] = []
// After the harness closed the servers (its afterEach), which release their slots on these.
afterAll(async () => {
  await Promise.all(redisClients.map((redis) => redis.quit().catch(() => redis.disconnect())))
})

interface CapProcess {
  url: string
  cap: ConnectionCap
  redis: Redis
  warnings: string[]
}

/** One server process on Redis at `url`: its own client, its cap held across processes. */
async function startProcess(
  prefix: string,
  maxConnectionsPerUser: number,
  { ttlMs = 30_000, url = redisServer.current.url } = {},
): Promise<CapProcess> {
  const redis = new Redis(url)
  redisClients.push(redis)
  const warnings: string[] = []
  let cap: ConnectionCap | undefined
  const server = await startServer({
    maxConnectionsPerUser,
    rateLimit: false,
    connectionCap: (maxPerUser) =>
      (cap = createRedisConnectionCap({
        redis,
        prefix,
        maxPerUser,
        ttlMs,
        onError: (message) => void warnings.push(message),
      })),
  })
  if (!cap) throw new Error('the server did not make its connection cap')
  return { url: server.url, cap, redis, warnings }
}

/** Authenticates a fresh socket as `userId`: 'ok' on auth_ok, else the close code. */
async function tryConnect(url: string, userId: string): Promise<'ok' | number> {
  const client = await connect(url)
  return outcome(client, userId)
}

async function outcome(client: RawClient, userId: string): Promise<'ok' | number> {
  client.sendFrame('auth', { data: { token: await tokenFor(userId) } })
  return Promise.race([
    client.nextOfType('auth_ok', undefined, 10_000).then(() => 'ok' as const),
    client.closed.then(({ code }) => code),
  ])
}

/** Waits (bounded) until `check` holds. */
async function until(check: () => Promise<boolean>, what: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

const prefixes = () => `t${createId(8)}:`

describe('maxConnectionsPerUser across server processes on one Redis', () => {
  it("refuses a user's connection past the cap with 4029 on whichever process it lands", async () => {
    const prefix = prefixes()
    const processes = [
      await startProcess(prefix, 3),
      await startProcess(prefix, 3),
      await startProcess(prefix, 3),
    ]
    const open = await Promise.all(processes.map(({ url }) => connectAs(url, 'alice')))
    for (const { url } of processes) expect(await tryConnect(url, 'alice')).toBe(4029)
    const [first] = processes
    expect(await first?.cap.count('alice')).toBe(3)
    // Other users are not held by alice's slots; alice's connections keep working.
    for (const { url } of processes) expect(await tryConnect(url, 'bob')).toBe('ok')
    for (const client of open) await roundTrip(client)
  })

  it('frees the slot of a closed connection for a connection on another process', async () => {
    const prefix = prefixes()
    const [a, b, c] = [
      await startProcess(prefix, 2),
      await startProcess(prefix, 2),
      await startProcess(prefix, 2),
    ]
    if (!a || !b || !c) throw new Error('three processes')
    const onA = await connectAs(a.url, 'alice')
    await connectAs(b.url, 'alice')
    expect(await tryConnect(c.url, 'alice')).toBe(4029)
    onA.close()
    await until(async () => (await c.cap.count('alice')) === 1, 'slot freed')
    expect(await tryConnect(c.url, 'alice')).toBe('ok')
    expect(await tryConnect(a.url, 'alice')).toBe(4029)
  })

  it('admits exactly the cap when two processes admit at the same time', async () => {
    const prefix = prefixes()
    const cap = 3
    const [a, b] = [await startProcess(prefix, cap), await startProcess(prefix, cap)]
    if (!a || !b) throw new Error('two processes')
    for (let round = 0; round < 5; round++) {
      const userId = `racer${round}`
      // Every socket is open before any auth is sent: the auths reach both processes together.
      const sockets = await Promise.all(
        Array.from({ length: 2 * cap }, (_, i) => connect(i % 2 === 0 ? a.url : b.url)),
      )
      const outcomes = await Promise.all(sockets.map((client) => outcome(client, userId)))
      expect(outcomes.filter((result) => result === 'ok')).toHaveLength(cap)
      expect(outcomes.filter((result) => result === 4029)).toHaveLength(cap)
      expect(await a.cap.count(userId)).toBe(cap)
    }
  })

  it('keeps a live connection’s slot past the TTL: its process refreshes it', async () => {
    const prefix = prefixes()
    const a = await startProcess(prefix, 1, { ttlMs: 900 })
    const b = await startProcess(prefix, 1, { ttlMs: 900 })
    const alice = await connectAs(a.url, 'alice')
    // Three TTLs: a slot nobody refreshed would have expired twice over.
    await new Promise((resolve) => setTimeout(resolve, 2700))
    expect(await tryConnect(b.url, 'alice')).toBe(4029)
    await roundTrip(alice)
  })

  it('frees the slots of a process that died (no release, no refresh) once their TTL passed', async () => {
    const prefix = prefixes()
    const dying = await startProcess(prefix, 2, { ttlMs: 3000 })
    const other = await startProcess(prefix, 2)
    await connectAs(dying.url, 'alice')
    await connectAs(dying.url, 'alice')
    // The process's line to Redis is cut for good: its timer refreshes nothing, its closes
    // remove nothing, as if it had been killed.
    dying.redis.disconnect()
    expect(await tryConnect(other.url, 'alice')).toBe(4029)
    await until(async () => (await other.cap.count('alice')) === 0, 'dead slots expired')
    expect(await tryConnect(other.url, 'alice')).toBe('ok')
    expect(await tryConnect(other.url, 'alice')).toBe('ok')
    expect(await tryConnect(other.url, 'alice')).toBe(4029)
  })

  it('takes no second slot for a token refresh on a live connection', async () => {
    const prefix = prefixes()
    const a = await startProcess(prefix, 2)
    const b = await startProcess(prefix, 2)
    const clients = [await connectAs(a.url, 'alice'), await connectAs(b.url, 'alice')]
    for (const client of clients) await client.authenticate(await tokenFor('alice'))
    for (const client of clients) await roundTrip(client)
    expect(await a.cap.count('alice')).toBe(2)
  })

  it("keys each user's slots by the whole id: braces or an escape in one build no other's key", async () => {
    const prefix = prefixes()
    const a = await startProcess(prefix, 1)
    for (const userId of ['{alice}', 'alice}', '%7Balice%7D', 'alice'])
      expect(await tryConnect(a.url, userId)).toBe('ok')
    expect(await tryConnect(a.url, '{alice}')).toBe(4029)
    // The keys of the table in redis/connections.ts, one slot each.
    for (const tag of ['{%7Balice%7D}', '{alice%7D}', '{%257Balice%257D}', '{alice}']) {
      expect(await a.redis.zcard(`${prefix}conns:${tag}:`)).toBe(1)
      // Each ends with its slots (ttlMs, default 30 s) if nobody refreshes or removes them.
      expect(await a.redis.pttl(`${prefix}conns:${tag}:`)).toBeGreaterThan(0)
      expect(await a.redis.pttl(`${prefix}conns:${tag}:`)).toBeLessThanOrEqual(30_000)
    }
  })
})

describe('the Redis connection cap while Redis is down', () => {
  let ownRedis: RedisServer | undefined
  afterAll(async () => {
    await ownRedis?.stop()
  })

  it("fails open to the process's own count with a warning, and shares the slots once Redis is back", async () => {
    ownRedis = await startRedisServer()
    const prefix = prefixes()
    const a = await startProcess(prefix, 2, { ttlMs: 900, url: ownRedis.url })
    const b = await startProcess(prefix, 2, { ttlMs: 900, url: ownRedis.url })
    await ownRedis.stop()
    expect(await tryConnect(a.url, 'alice')).toBe('ok')
    expect(await tryConnect(a.url, 'alice')).toBe('ok')
    // Still at most the cap per process while Redis cannot count.
    expect(await tryConnect(a.url, 'alice')).toBe(4029)
    expect(a.warnings.some((message) => /connection cap unavailable/.test(message))).toBe(true)

    await ownRedis.start()
    // Redis came back empty: a's refresh writes the slots it admitted on its own.
    await until(
      async () => (await Promise.resolve(b.cap.count('alice')).catch(() => 0)) === 2,
      'slots rewritten',
    )
    expect(await tryConnect(b.url, 'alice')).toBe(4029)
  })

  it('fails open after timeoutMs when Redis holds its answer (CLIENT PAUSE)', async () => {
    ownRedis ??= await startRedisServer()
    await ownRedis.start()
    const prefix = prefixes()
    const a = await startProcess(prefix, 1, { url: ownRedis.url })
    await connectAs(a.url, 'bob')
    await ownRedis.pause(4000)
    // Admitted by this process's count once the admission gave up waiting (timeoutMs, 1 s)…
    expect(await tryConnect(a.url, 'alice')).toBe('ok')
    expect(a.warnings.some((message) => /connection cap unavailable/.test(message))).toBe(true)
    // …which holds alice to one here as well.
    expect(await tryConnect(a.url, 'alice')).toBe(4029)
  })
})
