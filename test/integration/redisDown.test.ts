import { Redis } from 'ioredis'
import { afterEach, describe, expect, it } from 'vitest'
import { createId } from '../../src/protocol'
import { createRealtimeServer, type RealtimeServer } from '../../src/server'
import { createRedisHistory } from '../../src/server/redis/history'
import { joinedMember, type TestClient } from '../support/realtimeClient'
import { useRedisServer } from '../support/redisServer'
import { TEST_SECRET } from '../support/tokens'

/**
 * Redis goes away (paused, or stopped and started again) while a client sends: the server
 * refuses the writes it cannot store with a retryable SERVER_ERROR and keeps the connection;
 * the outbox holds and resends them; once Redis answers, every message is stored once, in
 * order, and acked.
 */

const redisServer = useRedisServer()
const servers: RealtimeServer[] = []
const clients: TestClient[] = []
const connections: Redis[] = []
const COUNT = 200

afterEach(async () => {
  for (const client of clients.splice(0)) client.dispose()
  await Promise.all(servers.splice(0).map((server) => server.close()))
  await Promise.all(connections.splice(0).map((redis) => redis.quit().catch(() => undefined)))
})

function redisHistory(prefix: string) {
  const redis = new Redis(redisServer.current.url)
  // Refused connections while Redis is stopped are expected; the history's calls report them.
  redis.on('error', () => undefined)
  connections.push(redis)
  return createRedisHistory({ redis, historySize: 1000, prefix })
}

async function startProcess(prefix: string): Promise<RealtimeServer> {
  const server = await createRealtimeServer({
    port: 0,
    host: '127.0.0.1',
    jwt: { secret: TEST_SECRET },
    rateLimit: false,
    historyStoreTimeoutMs: 200,
    history: redisHistory(prefix),
    logger: { warn: () => undefined, error: () => undefined },
  })
  servers.push(server)
  return server
}

const member = (url: string, userId: string): Promise<TestClient> =>
  joinedMember(url, userId, clients, { maxReconnectDelay: 500 })

const ofType = (client: TestClient, type: string) =>
  client.dispatched.filter((action) => action.type === type)

const ackedIds = (client: TestClient) =>
  ofType(client, 'realtime/outbox/acked').flatMap((action) =>
    (action.payload as { acks: Array<{ refId: string }> }).acks.map((ack) => ack.refId),
  )

const storeErrors = (client: TestClient) =>
  ofType(client, 'realtime/connection/errorsReceived').flatMap((action) =>
    (action.payload as { errors: Array<{ code: string }> }).errors.filter(
      (error) => error.code === 'SERVER_ERROR',
    ),
  )

function send(client: TestClient, count: number): string[] {
  return Array.from(
    { length: count },
    (_, i) =>
      client.store.dispatch(client.actions.sendChatMessage({ room: 'general', content: `m${i}` }))
        .payload.id,
  )
}

/** What Redis holds for 'general': ids and seqs in log order. */
async function stored(prefix: string): Promise<{ ids: string[]; seqs: number[] }> {
  const { frames } = await redisHistory(prefix).since('general', 0)
  return { ids: frames.map((frame) => frame.id), seqs: frames.map((frame) => frame.seq ?? -1) }
}

/**
 * `epochChange`: Redis came back empty (persistence is off here), so the room's epoch from the
 * join is gone and the first write starts a new one; each process then closes its members
 * once (1001) so they join again with `gap: true` — the only close allowed.
 */
async function expectAllOnce(
  prefix: string,
  alice: TestClient,
  bob: TestClient,
  ids: string[],
  epochChange = false,
) {
  await alice.waitFor((s) => alice.selectors.selectPendingMessages(s).length === 0, 30_000, 'acks')
  expect(await stored(prefix)).toEqual({
    ids,
    seqs: Array.from({ length: ids.length }, (_, i) => i + 1),
  })
  expect(ofType(alice, 'realtime/outbox/failed')).toEqual([])
  expect(alice.messages('general').map((m) => [m.id, m.status])).toEqual(
    ids.map((id) => [id, 'sent']),
  )
  // Each acked once: a resend of one whose write timed out but landed is acked with its seq.
  expect(ackedIds(alice).sort()).toEqual([...ids].sort())
  // Members see every message once, in order (a frame stored after its write timed out
  // reaches them through the rejoin its seq gap causes).
  await bob.waitFor((s) => bob.selectors.selectMessagesByRoom(s, 'general').length === ids.length)
  expect(bob.messages('general').map((m) => m.id)).toEqual(ids)
  // The connections were never closed (but for the one resync after an epoch change).
  for (const client of [alice, bob]) {
    const closes = ofType(client, 'realtime/connection/closed').map((action) => {
      const { code, reason } = action.payload as { code: number; reason: string }
      return { code, lostHistory: /lost its history/.test(reason) }
    })
    expect(closes).toEqual(epochChange ? [{ code: 1001, lostHistory: true }] : [])
    expect(ofType(client, 'realtime/connection/opened')).toHaveLength(closes.length + 1)
  }
}

describe('Redis unavailable while a client sends', () => {
  it(`CLIENT PAUSE mid-stream: all ${COUNT} messages stored once, in order, each acked; no connection closed`, async () => {
    const prefix = `t${createId(8)}:`
    const server = await startProcess(prefix)
    const alice = await member(server.url, 'alice')
    const bob = await member(server.url, 'bob')
    const ids = send(alice, COUNT)
    await alice.waitFor((s) => alice.selectors.selectPendingMessages(s).length <= COUNT - 20)
    await redisServer.current.pause(1500)
    await expectAllOnce(prefix, alice, bob, ids)
    expect(storeErrors(alice).length).toBeGreaterThan(0)
  })

  it(`stopped, then started again (empty: a new epoch): all ${COUNT} messages sent meanwhile stored once, in order, each acked`, async () => {
    const prefix = `t${createId(8)}:`
    const server = await startProcess(prefix)
    const alice = await member(server.url, 'alice')
    const bob = await member(server.url, 'bob')
    await redisServer.current.stop()
    const ids = send(alice, COUNT)
    await alice.waitFor(() => storeErrors(alice).length > 0, 10_000, 'a store error')
    await redisServer.current.start()
    await expectAllOnce(prefix, alice, bob, ids, true)
  })
})
