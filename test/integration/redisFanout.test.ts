import { Redis } from 'ioredis'
import { afterEach, describe, expect, it } from 'vitest'
import { createId } from '../../src/protocol'
import { createRealtimeServer, type RealtimeServer } from '../../src/server'
import type { StreamBroker } from '../../src/server/broker'
import { createRedisBroker } from '../../src/server/redis/broker'
import { createRedisHistory } from '../../src/server/redis/history'
import { joinedMember, type TestClient } from '../support/realtimeClient'
import { useRedisServer } from '../support/redisServer'
import { TEST_SECRET } from '../support/tokens'

const redisServer = useRedisServer()
let servers: RealtimeServer[] = []
const clients: TestClient[] = []
const brokers: StreamBroker[] = []
const connections: Redis[] = []

afterEach(async () => {
  for (const client of clients.splice(0)) client.dispose()
  await Promise.all(servers.map((server) => server.close()))
  servers = []
  await Promise.all(brokers.splice(0).map((broker) => broker.close()))
  await Promise.all(connections.splice(0).map((redis) => redis.quit().catch(() => undefined)))
})

const quiet = { warn: () => undefined, error: () => undefined }

/** One server process: its own Redis connection, history and broker; the shared keys. */
async function startProcess(prefix: string): Promise<RealtimeServer> {
  const redis = new Redis(redisServer.current.url)
  connections.push(redis)
  const broker = createRedisBroker({ redis, prefix, onError: quiet.error })
  brokers.push(broker)
  const server = await createRealtimeServer({
    port: 0,
    host: '127.0.0.1',
    jwt: { secret: TEST_SECRET },
    rateLimit: false,
    logger: quiet,
    history: createRedisHistory({ redis, historySize: 1000, prefix }),
    broker,
  })
  servers.push(server)
  return server
}

const member = (url: string, userId: string): Promise<TestClient> =>
  joinedMember(url, userId, clients)

function send(client: TestClient, contents: string[]): string[] {
  return contents.map(
    (content) =>
      client.store.dispatch(client.actions.sendChatMessage({ room: 'general', content })).payload
        .id,
  )
}

const hasAll = (client: TestClient, ids: string[]) => {
  const held = new Set(client.messages('general').map((m) => m.id))
  return ids.every((id) => held.has(id))
}

describe('live fan-out across a Redis restart', () => {
  it('resumes live delivery between processes after Redis restarts, nothing missing, nothing twice', async () => {
    const prefix = `t${createId(8)}:`
    const a = await startProcess(prefix)
    const b = await startProcess(prefix)
    const alice = await member(a.url, 'alice')
    const bob = await member(b.url, 'bob')
    const before = send(alice, ['a1', 'a2', 'a3'])
    await bob.waitFor(() => hasAll(bob, before), 10_000, 'bob has the messages from before')
    const firstEpoch = bob.selectors.selectRoomChat(bob.store.getState(), 'general')?.epoch

    // Redis restarts empty (persistence off): every stream starts over in a new epoch.
    await redisServer.current.restart()
    const after = [...send(alice, ['a4', 'a5', 'a6']), ...send(bob, ['b1', 'b2'])]
    const later = send(alice, ['a7'])
    for (const client of [alice, bob]) {
      await client.waitFor(
        (s) =>
          hasAll(client, [...after, ...later]) &&
          client.selectors.selectPendingMessages(s).length === 0,
        20_000,
        `${client.userId} has every message sent after the restart`,
      )
      const ids = client.messages('general').map((m) => m.id)
      expect(new Set(ids).size).toBe(ids.length)
    }
    // After the restart both processes name the same epoch and one numbering.
    const rooms = [alice, bob].map((client) =>
      client.selectors.selectRoomChat(client.store.getState(), 'general'),
    )
    expect(rooms[0]?.epoch).toBe(rooms[1]?.epoch)
    expect(rooms[0]?.seq).toBe(rooms[1]?.seq)
    // The old numbering is gone with Redis' data: members were made to join again (gap: true).
    expect(rooms[0]?.epoch).not.toBe(firstEpoch)
    for (const client of [alice, bob]) {
      const joins = client.dispatched
        .filter((action) => action.type === 'realtime/rooms/joined')
        .map((action) => action.payload as { room: string; epoch: string; gap: boolean })
        .filter((joined) => joined.room === 'general')
      expect(joins.at(-1)).toMatchObject({ epoch: rooms[0]?.epoch, gap: true })
      expect(hasAll(client, before)).toBe(true)
    }

    // Live again: one more message from each side arrives at the other.
    const [fromBob] = send(bob, ['b3'])
    const [fromAlice] = send(alice, ['a8'])
    await alice.waitFor(() => hasAll(alice, [fromBob ?? '']), 10_000, 'alice got b3')
    await bob.waitFor(() => hasAll(bob, [fromAlice ?? '']), 10_000, 'bob got a8')
  })
})
