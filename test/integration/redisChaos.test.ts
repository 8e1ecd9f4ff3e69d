import { Redis } from 'ioredis'
import { afterEach, describe, expect, it } from 'vitest'
import { createId } from '../../src/protocol'
import { createRedisHistory } from '../../src/server/redis/history'
import { createTestClient, type TestClient } from '../support/realtimeClient'
import {
  PROCESS_HISTORY_SIZE,
  startServerProcess,
  type ServerProcess,
} from '../support/redisProcess'
import { useRedisServer } from '../support/redisServer'

/**
 * Issue 12's chaos across processes: three server processes (forked, each its own Redis
 * connections) on one Redis, three users whose `url` lists start on different processes.
 */

const redisServer = useRedisServer()
const processes: ServerProcess[] = []
const clients: TestClient[] = []
const connections: Redis[] = []

afterEach(async () => {
  for (const client of clients.splice(0)) client.dispose()
  await Promise.all(processes.splice(0).map((p) => p.kill()))
  await Promise.all(connections.splice(0).map((redis) => redis.quit().catch(() => undefined)))
})

const ROOM = 'general'
const USERS = ['alice', 'bob', 'carol']
const PER_USER = 1700

async function startProcesses(prefix: string): Promise<ServerProcess[]> {
  const started = await Promise.all(
    USERS.map(() => startServerProcess(redisServer.current.url, prefix)),
  )
  processes.push(...started)
  return started
}

/** User i's url list starts on process i and goes round the others. */
async function members(urls: string[]): Promise<TestClient[]> {
  return Promise.all(
    USERS.map(async (userId, i) => {
      const rotated = [...urls.slice(i), ...urls.slice(0, i)]
      const client = await createTestClient(rotated, userId, {
        reconnectInterval: 20,
        maxReconnectDelay: 100,
        maxReconnectAttempts: Infinity,
        maxMessagesPerRoom: PROCESS_HISTORY_SIZE,
        messageQueueSize: 2 * PER_USER,
      })
      clients.push(client)
      client.store.dispatch(client.actions.connect())
      client.store.dispatch(client.actions.joinRoom(ROOM))
      await client.waitForRoom(ROOM)
      return client
    }),
  )
}

function send(client: TestClient, count: number): string[] {
  return Array.from(
    { length: count },
    (_, i) =>
      client.store.dispatch(
        client.actions.sendChatMessage({ room: ROOM, content: `${client.userId} ${i}` }),
      ).payload.id,
  )
}

type Joined = { room: string; epoch: string; resumed: boolean; gap: boolean }
const joins = (client: TestClient): Joined[] =>
  client.dispatched
    .filter((a) => a.type === 'realtime/rooms/joined')
    .map((a) => a.payload as Joined)
    .filter((joined) => joined.room === ROOM)

const failures = (client: TestClient) =>
  client.dispatched.filter(
    (a) => a.type === 'realtime/outbox/failed' || a.type === 'realtime/outbox/overflowed',
  )

const ackedCount = (client: TestClient) =>
  client.messages(ROOM).filter((m) => m.userId === client.userId && m.seq !== undefined).length

const hasAll = (room: readonly { id: string }[], ids: ReadonlySet<string>) => {
  const held = new Set(room.map((m) => m.id))
  for (const id of ids) if (!held.has(id)) return false
  return true
}

/** Every client holds every id and nothing is pending; then checks Redis and each room. */
async function expectEverythingOnce(prefix: string, everyone: TestClient[], sent: string[]) {
  const all = new Set(sent)
  for (const client of everyone) {
    await client.waitFor(
      (s) =>
        client.selectors.selectPendingMessages(s).length === 0 &&
        hasAll(client.selectors.selectMessagesByRoom(s, ROOM), all),
      45_000,
      `${client.userId} holds all ${all.size} messages, none pending`,
    )
  }

  // Redis, read through a history of its own: each message stored once, seq 1..N.
  const redis = new Redis(redisServer.current.url)
  connections.push(redis)
  const view = await createRedisHistory({
    redis,
    historySize: PROCESS_HISTORY_SIZE,
    prefix,
  }).since(ROOM, 0)
  expect(view.headSeq).toBe(sent.length)
  expect(view.frames.map((f) => f.seq)).toEqual(sent.map((_, i) => i + 1))
  const storedIds = view.frames.map((f) => f.id)
  expect(new Set(storedIds).size).toBe(storedIds.length)
  expect([...storedIds].sort()).toEqual([...sent].sort())

  for (const client of everyone) {
    const room = client.messages(ROOM)
    expect(room.map((m) => m.id)).toEqual(storedIds)
    expect(room.map((m) => m.seq)).toEqual(sent.map((_, i) => i + 1))
    expect(failures(client)).toEqual([])
    expect(room.filter((m) => m.status === 'failed')).toEqual([])
    // One epoch for the whole run: no resync anywhere.
    expect(new Set(joins(client).map((j) => j.epoch)).size).toBe(1)
    expect(joins(client).every((j) => !j.gap)).toBe(true)
  }
}

describe('chaos across server processes on one Redis', () => {
  it('SIGKILL of the process a sender is on mid-stream: 0 lost, 0 doubled, seq continuous, one epoch', async () => {
    const prefix = `t${createId(8)}:`
    const started = await startProcesses(prefix)
    const everyone = await members(started.map((p) => p.url))
    const [victim] = everyone as [TestClient, ...TestClient[]]
    const onUrl = victim.selectors.selectConnectionInfo(victim.store.getState()).url
    const doomed = started.find((p) => p.url === onUrl)
    expect(doomed).toBeDefined()

    const sent = everyone.flatMap((client) => send(client, PER_USER))
    expect(sent.length).toBeGreaterThanOrEqual(5000)
    // Mid-stream: the victim has some of its messages acked, far from all.
    await victim.waitFor(() => ackedCount(victim) >= PER_USER / 5, 30_000, 'a fifth acked')
    expect(ackedCount(victim)).toBeLessThan(PER_USER)
    await doomed?.kill()

    await victim.waitFor(
      (s) => {
        const info = victim.selectors.selectConnectionInfo(s)
        return info.state === 'open' && info.url !== onUrl
      },
      20_000,
      'open on another process',
    )
    await expectEverythingOnce(prefix, everyone, sent)
    // The victim joined twice (before and after the kill) and resumed in the same epoch.
    expect(joins(victim).length).toBeGreaterThanOrEqual(2)
    expect(joins(victim).at(-1)).toMatchObject({ resumed: true, gap: false })
  }, 60_000)

  it('restarting every process in turn (Redis stays): members resume, no gap, no resync, nothing lost', async () => {
    const prefix = `t${createId(8)}:`
    const started = await startProcesses(prefix)
    const everyone = await members(started.map((p) => p.url))
    const sent = everyone.flatMap((client) => send(client, 200))
    for (let i = 0; i < started.length; i++) {
      const old = started[i] as ServerProcess
      await old.close()
      processes.splice(processes.indexOf(old), 1)
      const fresh = await startServerProcess(redisServer.current.url, prefix, old.port)
      processes.push(fresh)
      started[i] = fresh
      sent.push(...everyone.flatMap((client) => send(client, 100)))
    }
    await expectEverythingOnce(prefix, everyone, sent)
    for (const client of everyone) {
      const [first, ...later] = joins(client)
      expect(first).toMatchObject({ resumed: false, gap: false })
      // Each member's process went away at least once while it was connected.
      expect(later.length).toBeGreaterThanOrEqual(1)
      for (const joined of later) expect(joined).toMatchObject({ resumed: true, gap: false })
    }
  }, 60_000)
})
