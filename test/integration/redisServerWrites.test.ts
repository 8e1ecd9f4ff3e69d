import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { UnknownAction } from '@reduxjs/toolkit'
import { createId } from '../../src/protocol'
import { createRealtimeServer, createRedisEngine, type RealtimeServer } from '../../src/server'
import { createRedisHistory } from '../../src/server/redis/history'
import { joinedMember, type TestClient } from '../support/realtimeClient'
import { startRedisServer, type RedisServer } from '../support/redisServer'
import { TEST_SECRET } from '../support/tokens'

/**
 * What the server appends itself — `notify`, `publishEvent`'s updates — while Redis is away
 * (paused, stopped and started again, or refusing writes): a connected user gets each once, in
 * order, once Redis is back, and Redis holds each once.
 *
 * Redis here keeps its data over a restart (AOF in a temporary directory), as a deployment
 * does: the user's subscription to events and the streams' epochs survive it.
 *
 * Refusing writes is the outage that lost them before the server queued its own appends (each
 * append failed at once: logged and dropped). Paused or stopped for a moment, ioredis held the
 * commands (no command timeout; an offline queue kept through ~20 reconnect attempts), so they
 * landed after the server had given them up; those two tests pass without the queue too and
 * check that its tries, piled up behind the outage, store nothing twice and keep the order.
 */

let redisServer: RedisServer
let dataDir: string
const servers: RealtimeServer[] = []
const clients: TestClient[] = []
const connections: Redis[] = []

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'rr-server-writes-'))
  redisServer = await startRedisServer([
    '--appendonly',
    'yes',
    '--appendfsync',
    'always',
    '--dir',
    dataDir,
  ])
})

afterAll(async () => {
  await redisServer?.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

afterEach(async () => {
  for (const client of clients.splice(0)) client.dispose()
  await redisServer.start()
  await redisServer.command('CONFIG', 'SET', 'maxmemory', '0')
  await Promise.all(servers.splice(0).map((server) => server.close()))
  await Promise.all(connections.splice(0).map((redis) => redis.quit().catch(() => undefined)))
})

async function startProcess(prefix: string): Promise<RealtimeServer> {
  const server = await createRealtimeServer({
    port: 0,
    host: '127.0.0.1',
    jwt: { secret: TEST_SECRET },
    historyStoreTimeoutMs: 200,
    engine: createRedisEngine({ url: redisServer.url, prefix }),
    serverWrites: { retryBaseMs: 50, retryCapMs: 400 },
    logger: { warn: () => undefined, error: () => undefined },
  })
  servers.push(server)
  return server
}

/** alice, connected (with her private stream) and subscribed to events. */
async function subscribedAlice(server: RealtimeServer): Promise<TestClient> {
  const alice = await joinedMember(server.url, 'alice', clients, { maxReconnectDelay: 200 })
  await alice.waitFor(
    () =>
      alice.dispatched.some(
        (a) =>
          a.type === 'realtime/rooms/joined' &&
          (a.payload as { room: string }).room === 'user:alice',
      ),
    10_000,
    'her private stream joined',
  )
  alice.store.dispatch(alice.actions.subscribeToEvents())
  await alice.waitFor(
    () => alice.dispatched.some((a) => a.type === 'realtime/events/subscriptionChanged'),
    10_000,
    'subscribed',
  )
  return alice
}

const payloads = <T>(client: TestClient, type: string, key: string): T[] =>
  client.dispatched
    .filter((action: UnknownAction) => action.type === type)
    .flatMap((action) => (action.payload as Record<string, T[]>)[key] ?? [])

/** What alice's store was told, in order: notification ids, event update titles. */
const received = (alice: TestClient) => ({
  notifications: payloads<{ id: string }>(
    alice,
    'realtime/notifications/received',
    'notifications',
  ).map((n) => n.id),
  events: payloads<{ title: string }>(alice, 'realtime/events/received', 'events').map(
    (e) => e.title,
  ),
})

/** alice's private stream as Redis holds it: [type, id or title] in seq order. */
async function storedFor(prefix: string): Promise<string[]> {
  const redis = new Redis(redisServer.url)
  connections.push(redis)
  const { frames } = await createRedisHistory({ redis, historySize: 1000, prefix }).since(
    'user:alice',
    0,
  )
  return frames.map((frame) =>
    frame.type === 'event_update' ? `event ${frame.data.title}` : `${frame.type} ${frame.id}`,
  )
}

/** Made while Redis is away: three notifications and two updates of one event, interleaved. */
function pushDuringOutage(server: RealtimeServer): string[] {
  const startsAt = Date.now() + 3_600_000
  const ids = [server.notify('alice', { title: 'one' })]
  server.publishEvent({ id: 'launch', title: 'Launch', startsAt })
  ids.push(server.notify('alice', { title: 'two' }))
  server.publishEvent({ id: 'launch', title: 'Launch v2', startsAt })
  ids.push(server.notify('alice', { title: 'three' }))
  return ids
}

async function expectEachOnceInOrder(prefix: string, alice: TestClient, ids: string[]) {
  await alice.waitFor(
    () => {
      const { notifications, events } = received(alice)
      return notifications.length >= ids.length && events.length >= 2
    },
    20_000,
    'the notifications and event updates made during the outage',
  )
  expect(received(alice)).toEqual({ notifications: ids, events: ['Launch', 'Launch v2'] })
  const stored = await storedFor(prefix)
  const notifications = stored.filter((entry) => entry.startsWith('notification'))
  expect(notifications).toEqual(ids.map((id) => `notification ${id}`))
  expect(stored.filter((entry) => entry.startsWith('event'))).toEqual([
    'event Launch',
    'event Launch v2',
  ])
}

describe("the server's own appends while Redis is away", () => {
  it('CLIENT PAUSE: notify and publishEvent reach the connected user once, in order', async () => {
    const prefix = `t${createId(8)}:`
    const server = await startProcess(prefix)
    const alice = await subscribedAlice(server)
    await redisServer.pause(1500)
    const ids = pushDuringOutage(server)
    await expectEachOnceInOrder(prefix, alice, ids)
  })

  it('stopped, then started again: notify and publishEvent reach the connected user once, in order', async () => {
    const prefix = `t${createId(8)}:`
    const server = await startProcess(prefix)
    const alice = await subscribedAlice(server)
    await redisServer.stop()
    const ids = pushDuringOutage(server)
    await new Promise((resolve) => setTimeout(resolve, 1000))
    await redisServer.start()
    await expectEachOnceInOrder(prefix, alice, ids)
  })

  it('refusing writes (maxmemory reached): notify and publishEvent reach the connected user once, in order, once it takes them', async () => {
    const prefix = `t${createId(8)}:`
    const server = await startProcess(prefix)
    const alice = await subscribedAlice(server)
    await redisServer.command('CONFIG', 'SET', 'maxmemory-policy', 'noeviction')
    expect(await redisServer.command('CONFIG', 'SET', 'maxmemory', '1')).toBe('+OK')
    const ids = pushDuringOutage(server)
    await new Promise((resolve) => setTimeout(resolve, 1000))
    await redisServer.command('CONFIG', 'SET', 'maxmemory', '0')
    await expectEachOnceInOrder(prefix, alice, ids)
  })
})
