import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createId } from '../../src/protocol'
import {
  createMemoryDocumentStore,
  createMemoryHistory,
  createRealtimeServer,
  createRedisEngine,
} from '../../src/server'
import type { RedisEngineOptions } from '../../src/server'
import { localBroker } from '../../src/server/broker'
import { localPresenceEngine } from '../../src/server/presenceEngine'
import {
  CONNECTION_NAME,
  importIoredis,
  MISSING_IOREDIS_MESSAGE,
} from '../../src/server/redis/engine'
import type { RawClient } from '../support/rawClient'
import { freePort, startRedisServer, useRedisServer } from '../support/redisServer'
import type { RedisServer } from '../support/redisServer'
import { TEST_SECRET, tokenFor } from '../support/tokens'
import { connect, connectAs, framesOf, join, quietLogger, roundTrip, startServer } from './harness'

const redisServer = useRedisServer()
let redis: Redis
beforeAll(() => {
  redis = new Redis(redisServer.current.url)
})
afterAll(async () => {
  await redis.quit()
})

const jwt = { secret: TEST_SECRET }

/** A server on the test's Redis through the public engine, keys under `prefix`. */
const onRedis = (prefix: string, extra: Partial<RedisEngineOptions> = {}) =>
  startServer({
    rateLimit: false,
    engine: createRedisEngine({ url: redisServer.current.url, prefix, ...extra }),
  })

async function say(client: RawClient, room: string, content: string): Promise<number> {
  const sent = client.sendFrame('chat_message', { room, data: { content } })
  const ack = await client.nextOfType('ack', (frame) => frame.data.refId === sent.id)
  return ack.data.seq ?? -1
}

/** The engine's connections to the test's Redis now (`CLIENT LIST`, by their name). */
async function engineConnections(): Promise<number> {
  const list = (await redis.call('CLIENT', 'LIST')) as string
  return list.split('\n').filter((line) => line.includes(` name=${CONNECTION_NAME} `)).length
}

/** Waits (bounded) until `read()` is `expected`; resolves with the last value read. */
async function settles<T>(read: () => T | Promise<T>, expected: T): Promise<T> {
  const deadline = Date.now() + 10_000
  for (;;) {
    const value = await read()
    if (value === expected || Date.now() > deadline) return value
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

describe('createRealtimeServer({ engine: createRedisEngine({ url }) })', () => {
  it('shares the rest through the one engine too: typing, the event board, the connection cap', async () => {
    const prefix = `t${createId(8)}:`
    const [a, b] = [
      await startServer({
        rateLimit: false,
        maxConnectionsPerUser: 1,
        engine: createRedisEngine({ url: redisServer.current.url, prefix }),
      }),
      await startServer({
        rateLimit: false,
        maxConnectionsPerUser: 1,
        engine: createRedisEngine({ url: redisServer.current.url, prefix }),
      }),
    ]
    const alice = await connectAs(a.url, 'alice')
    const bob = await connectAs(b.url, 'bob')
    await join(alice, 'general')
    await join(bob, 'general')

    // Typing on A reaches a member on B (a signal, not stored).
    alice.sendFrame('typing_start', { room: 'general', data: {} })
    const typing = await bob.nextOfType('typing_start')
    expect(typing).toMatchObject({ room: 'general', userId: 'alice' })

    // An event published on A reaches a subscriber on B.
    await join(bob, 'user:bob')
    bob.sendFrame('subscribe', { data: { topic: 'events' } })
    await roundTrip(bob)
    a.publishEvent({ id: 'standup', title: 'Standup', startsAt: Date.now() + 3_600_000 })
    const update = await bob.nextOfType('event_update')
    expect(update.data).toMatchObject({ id: 'standup', title: 'Standup' })

    // One connection per user across both: alice's second, on B, is refused.
    const second = await connect(b.url)
    second.sendFrame('auth', { data: { token: await tokenFor('alice') } })
    expect((await second.closed).code).toBe(4029)
  })

  it('makes two servers one deployment: continuous seq, live messages both ways, DMs, presence', async () => {
    const prefix = `t${createId(8)}:`
    const a = await onRedis(prefix)
    const b = await onRedis(prefix)
    const alice = await connectAs(a.url, 'alice')
    const bob = await connectAs(b.url, 'bob')
    const onA = await join(alice, 'general')
    const onB = await join(bob, 'general')
    expect(onB.data.epoch).toBe(onA.data.epoch)

    expect(await say(alice, 'general', 'a1')).toBe(1)
    expect(await say(bob, 'general', 'b1')).toBe(2)
    expect(await say(alice, 'general', 'a2')).toBe(3)
    // Live both ways, each message once, in seq order (batches included).
    const chats = (client: RawClient) =>
      framesOf(client, 'chat_message')
        .map((frame) => `${frame.data.content}@${frame.seq}`)
        .join(' ')
    for (const client of [alice, bob])
      expect(await settles(() => chats(client), 'a1@1 b1@2 a2@3')).toBe('a1@1 b1@2 a2@3')

    // A private stream across processes: bob's DM reaches alice on the other one.
    await join(alice, 'user:alice')
    bob.sendFrame('direct_message', { data: { to: 'alice', content: 'psst' } })
    const dm = await alice.nextOfType('direct_message')
    expect(dm).toMatchObject({ userId: 'bob', room: 'user:alice', data: { content: 'psst' } })

    // Presence across processes: carol on B watches alice, who is on A.
    const carol = await connectAs(b.url, 'carol')
    carol.sendFrame('subscribe', { data: { topic: 'user', userId: 'alice' } })
    await roundTrip(carol)
    const entries = () => [
      ...framesOf(carol, 'user_online').map((frame) => frame.data),
      ...framesOf(carol, 'presence_update').flatMap((frame) => frame.data.users ?? []),
    ]
    await settles(
      () => entries().some((entry) => entry.userId === 'alice' && entry.status === 'online'),
      true,
    )
    expect(entries()).toContainEqual({ userId: 'alice', status: 'online' })
  })

  it('opens one command connection and three subscriber ones (streams, documents, presence), and closes all four on close()', async () => {
    expect(await engineConnections()).toBe(0)
    const server = await createRealtimeServer({
      port: 0,
      jwt,
      logger: quietLogger(),
      engine: createRedisEngine({ url: redisServer.current.url, prefix: `t${createId(8)}:` }),
    })
    expect(await settles(engineConnections, 4)).toBe(4)
    await server.close()
    expect(await settles(engineConnections, 0)).toBe(0)
  })

  it('closes the engine again when the server cannot listen (port taken)', async () => {
    const taken = createServer()
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
    try {
      const { port } = taken.address() as AddressInfo
      const start = createRealtimeServer({
        port,
        jwt,
        logger: quietLogger(),
        engine: createRedisEngine({ url: redisServer.current.url, prefix: `t${createId(8)}:` }),
      })
      await expect(start).rejects.toThrow(/EADDRINUSE/)
      expect(await settles(engineConnections, 0)).toBe(0)
    } finally {
      await new Promise((resolve) => taken.close(resolve))
    }
  })

  it('closes even while Redis is down: the polite close is given up and every connection dropped', async () => {
    const gone = await startRedisServer()
    const server = await createRealtimeServer({
      port: 0,
      jwt,
      logger: quietLogger(),
      engine: createRedisEngine({ url: gone.url, prefix: `t${createId(8)}:` }),
    })
    // A user online, so closing has presence to withdraw.
    await connectAs(server.url, 'alice')
    await gone.stop()
    // Without the bound, the withdrawal waits out ioredis' retries (over a minute here).
    await server.close()
  })

  it('rejects within connectTimeoutMs when Redis cannot be reached, naming the URL (not its password), and listens on nothing', async () => {
    const redisPort = await freePort()
    const port = await freePort()
    const url = `redis://:hunter2@127.0.0.1:${redisPort}`
    const start = createRealtimeServer({
      port,
      jwt,
      logger: quietLogger(),
      engine: createRedisEngine({ url, connectTimeoutMs: 300 }),
    })
    const error = await start.then(
      () => undefined,
      (reason: unknown) => reason,
    )
    expect(error).toBeInstanceOf(Error)
    const message = (error as Error).message
    expect(message).toContain(`redis://:***@127.0.0.1:${redisPort}`)
    expect(message).toContain('within 300 ms')
    expect(message).toMatch(/ECONNREFUSED/)
    expect(message).not.toContain('hunter2')
    // Nothing was left listening on the server's port.
    await expect(closedPortIsFree(port)).resolves.toBe(true)
  })

  it('refuses a Redis without sharded pub/sub (before 7) at start, saying what it needs', async () => {
    let old: RedisServer | undefined
    try {
      old = await startRedisServer(['--rename-command', 'SSUBSCRIBE', ''])
      const start = createRealtimeServer({
        port: 0,
        jwt,
        logger: quietLogger(),
        engine: createRedisEngine({ url: old.url }),
      })
      await expect(start).rejects.toThrow(
        /has no SSUBSCRIBE\/SPUBLISH: the Redis engine needs Redis 7 or later/,
      )
    } finally {
      await old?.stop()
    }
  })

  it('goes by the version INFO states where COMMAND is not allowed (7.0 here: it starts)', async () => {
    let locked: RedisServer | undefined
    try {
      locked = await startRedisServer(['--rename-command', 'COMMAND', ''])
      const server = await createRealtimeServer({
        port: 0,
        jwt,
        logger: quietLogger(),
        engine: createRedisEngine({ url: locked.url }),
      })
      await server.close()
    } finally {
      await locked?.stop()
    }
  })

  it('serves one server per engine', async () => {
    const engine = createRedisEngine({ url: redisServer.current.url, prefix: `t${createId(8)}:` })
    await startServer({ engine })
    await expect(startServer({ engine })).rejects.toThrow(
      /already serves a server; call createRedisEngine\(\) once per createRealtimeServer\(\)/,
    )
  })

  it('refuses engine together with the parts it provides, naming both', async () => {
    const engine = createRedisEngine({ url: 'redis://127.0.0.1:6379' })
    const history = createMemoryHistory(10)
    // A type error too; plain JavaScript (or a cast) gets it at run time.
    // @ts-expect-error engine and history exclude each other
    await expect(createRealtimeServer({ jwt, engine, history })).rejects.toThrow(
      'createRealtimeServer: engine and history cannot be given together: the engine provides the history; drop history (or the engine)',
    )
    await expect(createRealtimeServer({ jwt, engine, broker: localBroker })).rejects.toThrow(
      /engine and broker cannot be given together/,
    )
    await expect(
      createRealtimeServer({ jwt, engine, presenceEngine: localPresenceEngine }),
    ).rejects.toThrow(/engine and presenceEngine cannot be given together/)
    // The engine keeps the documents too: another store would not be shared by the processes.
    await expect(
      createRealtimeServer({ jwt, engine, documents: createMemoryDocumentStore() }),
    ).rejects.toThrow(
      'engine and documents cannot be given together: the engine provides the collaborative documents',
    )
    const fake = { name: 'mine' } as unknown as typeof engine
    await expect(createRealtimeServer({ jwt, engine: fake })).rejects.toThrow(
      /engine must be an engine made by createRedisEngine/,
    )
  })
})

/** True when something can listen on `port` (nobody else does). */
function closedPortIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}

describe('createRedisEngine options', () => {
  it('throws at once on options that cannot work, naming the option', () => {
    const url = 'redis://127.0.0.1:6379'
    expect(() => createRedisEngine({ url: 'http://127.0.0.1:6379' })).toThrow(
      /createRedisEngine: url must be a redis:\/\/ or rediss:\/\/ URL/,
    )
    expect(() => createRedisEngine({ url: '127.0.0.1:6379' })).toThrow(/url must be/)
    expect(() => createRedisEngine({ url: 'redis://:pw@' })).toThrow(/url must be/)
    expect(() => createRedisEngine(undefined as unknown as { url: string })).toThrow(
      /options are required/,
    )
    expect(() => createRedisEngine({ url, prefix: 'a{b' })).toThrow(/prefix must be a string/)
    expect(() => createRedisEngine({ url, historySize: -1 })).toThrow(
      'createRedisEngine: historySize must be a non-negative integer, got -1',
    )
    expect(() => createRedisEngine({ url, dedupeTtlMs: 0.5 })).toThrow(
      'createRedisEngine: dedupeTtlMs must be a positive integer (ms), got 0.5',
    )
    expect(() => createRedisEngine({ url, streamTtlMs: 1000, dedupeTtlMs: 2000 })).toThrow(
      /streamTtlMs \(1000\) must be 0 or at least dedupeTtlMs \(2000\)/,
    )
    expect(() => createRedisEngine({ url, presenceTtlMs: 2 })).toThrow(/presenceTtlMs/)
    expect(() => createRedisEngine({ url, connectTimeoutMs: 0 })).toThrow(/connectTimeoutMs/)
    // Accepted: rediss://, 0 = streams kept for ever, a long dedupe window raises the default.
    expect(createRedisEngine({ url: 'rediss://cache.example:6380/2' }).name).toBe(
      'redis rediss://cache.example:6380/2 (keys rr:*)',
    )
    expect(createRedisEngine({ url: 'redis://app:hunter2@cache.example:6379' }).name).toBe(
      'redis redis://app:***@cache.example:6379 (keys rr:*)',
    )
    expect(() => createRedisEngine({ url, streamTtlMs: 0 })).not.toThrow()
    expect(() => createRedisEngine({ url, dedupeTtlMs: 30 * 86_400_000 })).not.toThrow()
  })

  it('says to install ioredis when it is missing, and passes other load errors through', async () => {
    const missing = Object.assign(
      new Error("Cannot find package 'ioredis' imported from /app/server.js"),
      { code: 'ERR_MODULE_NOT_FOUND' },
    )
    await expect(importIoredis(() => Promise.reject(missing))).rejects.toThrow(
      MISSING_IOREDIS_MESSAGE,
    )
    expect(MISSING_IOREDIS_MESSAGE).toContain('npm install ioredis')
    const broken = new SyntaxError('Unexpected token')
    await expect(importIoredis(() => Promise.reject(broken))).rejects.toBe(broken)
  })
})

describe('stream TTL (streamTtlMs)', () => {
  it('deletes a stream idle past it; a client resuming it gets a new epoch and gap: true, never part of it', async () => {
    const prefix = `t${createId(8)}:`
    const server = await onRedis(prefix, { streamTtlMs: 400, dedupeTtlMs: 400 })
    const alice = await connectAs(server.url, 'alice')
    const first = await join(alice, 'general')
    for (const content of ['m1', 'm2', 'm3']) await say(alice, 'general', content)
    const meta = `${prefix}{general}:meta`
    const ttl = await redis.pttl(meta)
    expect(ttl).toBeGreaterThan(0)
    expect(ttl).toBeLessThanOrEqual(400)
    expect(await redis.pttl(`${prefix}{general}:log`)).toBeGreaterThan(0)
    alice.sendFrame('leave', { room: 'general', data: {} })
    await roundTrip(alice)

    // Idle past the TTL: Redis has dropped every key of the stream.
    expect(await settles(() => redis.exists(meta), 0)).toBe(0)
    expect(await redis.keys(`${prefix}{general}:*`)).toEqual([])

    const bob = await connectAs(server.url, 'bob')
    const resumed = await join(bob, 'general', { epoch: first.data.epoch, seq: 3 })
    expect(resumed.data).toMatchObject({ gap: true, resumed: false, headSeq: 0 })
    expect(resumed.data.epoch).not.toBe(first.data.epoch)
    await roundTrip(bob)
    expect(framesOf(bob, 'chat_message')).toEqual([])
    // The stream starts again from seq 1.
    expect(await say(bob, 'general', 'after')).toBe(1)
  })
})
