import { Redis } from 'ioredis'
import { afterEach, describe, expect, it } from 'vitest'
import { createId } from '../../src/protocol'
import { createRealtimeServer, type RealtimeServer } from '../../src/server'
import { createRedisHistory } from '../../src/server/redis/history'
import { createFrameRelay, type FrameRelay } from '../support/frameRelay'
import { joinedMember, type TestClient } from '../support/realtimeClient'
import { useRedisServer } from '../support/redisServer'
import { TEST_SECRET } from '../support/tokens'

const redisServer = useRedisServer()
let servers: RealtimeServer[] = []
let relay: FrameRelay | undefined
const clients: TestClient[] = []
const connections: Redis[] = []

afterEach(async () => {
  for (const client of clients.splice(0)) client.dispose()
  await relay?.close()
  relay = undefined
  await Promise.all(servers.map((server) => server.close()))
  servers = []
  await Promise.all(connections.splice(0).map((redis) => redis.quit().catch(() => undefined)))
})

/** One server process: its own Redis connection and history instance, the shared keys. */
async function startProcess(prefix: string, port = 0): Promise<RealtimeServer> {
  const redis = new Redis(redisServer.current.url)
  connections.push(redis)
  const server = await createRealtimeServer({
    port,
    host: '127.0.0.1',
    jwt: { secret: TEST_SECRET },
    rateLimit: false,
    history: createRedisHistory({ redis, historySize: 1000, prefix }),
  })
  servers.push(server)
  return server
}

const member = (url: string, userId: string): Promise<TestClient> =>
  joinedMember(url, userId, clients)

/** The `joined` of 'general' (the private stream `user:<id>` is joined too). */
const joins = (client: TestClient) =>
  client.dispatched
    .filter((a) => a.type === 'realtime/rooms/joined')
    .map((a) => a.payload as { room: string; epoch: string; resumed: boolean; gap: boolean })
    .filter((joined) => joined.room === 'general')

const receivedIds = (client: TestClient) =>
  client.dispatched
    .filter((a) => a.type === 'realtime/chat/messagesReceived')
    .flatMap((a) => (a.payload as { messages: Array<{ id: string }> }).messages.map((m) => m.id))

describe('a server restart with the history on Redis', () => {
  it('resumes members with no resync and acks the resends of unacked messages as duplicates', async () => {
    const prefix = `t${createId(8)}:`
    const first = await startProcess(prefix)
    const port = first.port
    // alice's acks are lost: the server stored her messages but she never learns it.
    relay = await createFrameRelay({ target: first.url, seed: 7, toClient: { drop: ['ack'] } })
    const alice = await member(relay.url, 'alice')
    const bob = await member(first.url, 'bob')
    const ids = Array.from(
      { length: 20 },
      (_, i) =>
        alice.store.dispatch(alice.actions.sendChatMessage({ room: 'general', content: `m${i}` }))
          .payload.id,
    )
    await bob.waitFor((s) => bob.selectors.selectMessagesByRoom(s, 'general').length === 20)
    expect(alice.selectors.selectPendingMessages(alice.store.getState())).toHaveLength(20)
    const epoch = bob.selectors.selectRoomChat(bob.store.getState(), 'general')?.epoch

    // The process dies; a new one (new connection to Redis) takes its port. Redis stays.
    relay.setTarget('ws://127.0.0.1:1')
    relay.setFaults({ toClient: false })
    relay.cutAll()
    await first.close()
    const second = await startProcess(prefix, port)
    await bob.waitFor(() => joins(bob).length === 2, 10_000, 'bob rejoined')
    expect(joins(bob)[1]).toMatchObject({ room: 'general', epoch, resumed: true, gap: false })

    relay.setTarget(second.url)
    await alice.waitFor((s) => alice.selectors.selectPendingMessages(s).length === 0, 10_000)
    expect(joins(alice).map((j) => [j.epoch, j.gap])).toEqual([
      [epoch, false],
      [epoch, false],
    ])
    // A message after the resends takes the next seq: the 20 resends stored nothing new.
    const after = alice.store.dispatch(
      alice.actions.sendChatMessage({ room: 'general', content: 'after' }),
    ).payload.id
    await bob.waitFor((s) => bob.selectors.selectMessagesByRoom(s, 'general').length === 21)
    const room = bob.selectors.selectRoomChat(bob.store.getState(), 'general')
    expect(room).toMatchObject({ epoch, seq: 21, gap: false })
    expect(bob.messages('general').map((m) => m.id)).toEqual([...ids, after])
    expect(receivedIds(bob)).toEqual([...ids, after])
  })
})
