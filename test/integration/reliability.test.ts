import { afterEach, describe, expect, it } from 'vitest'
import { createRealtimeServer, type RealtimeServer } from '../../src/server'
import { createTcpProxy, type TcpProxy } from '../support/tcpProxy'
import { TEST_SECRET } from '../support/tokens'
import { createTestClient, type TestClient } from '../support/realtimeClient'

const servers: RealtimeServer[] = []
const proxies: TcpProxy[] = []
const clients: TestClient[] = []

afterEach(async () => {
  for (const client of clients.splice(0)) client.dispose()
  for (const proxy of proxies.splice(0)) await proxy.close()
  for (const server of servers.splice(0)) await server.close()
})

async function startServer(port = 0): Promise<RealtimeServer> {
  const server = await createRealtimeServer({
    port,
    host: '127.0.0.1',
    jwt: { secret: TEST_SECRET },
    rateLimit: false,
    historySize: 5000,
  })
  servers.push(server)
  return server
}

/** Quick reconnects so a test sees many of them in a few seconds. */
const fastReconnect = { reconnectInterval: 20, maxReconnectDelay: 150, maxReconnectAttempts: 1000 }

async function joined(url: string, userId: string, room: string, config = {}): Promise<TestClient> {
  const client = await createTestClient(url, userId, { ...fastReconnect, ...config })
  clients.push(client)
  client.store.dispatch(client.actions.connect())
  client.store.dispatch(client.actions.joinRoom(room))
  await client.waitForRoom(room)
  return client
}

const confirmed = (client: TestClient, room: string) =>
  client.messages(room).filter((m) => m.seq !== undefined)

function expectExactlyOnceInOrder(
  client: TestClient,
  room: string,
  expected: Record<string, string[]>,
): void {
  const list = confirmed(client, room)
  const ids = list.map((m) => m.id)
  expect(new Set(ids).size).toBe(ids.length)
  const seqs = list.map((m) => m.seq as number)
  expect(seqs).toEqual([...seqs].sort((a, b) => a - b))
  for (const [sender, contents] of Object.entries(expected)) {
    expect(list.filter((m) => m.userId === sender).map((m) => m.data.content)).toEqual(contents)
  }
}

describe('exactly-once delivery across network failures', () => {
  it('delivers 1,000 messages exactly once and in order while a proxy cuts every connection repeatedly', async () => {
    const server = await startServer()
    const proxy = await createTcpProxy({ targetPort: server.port })
    proxies.push(proxy)
    const alice = await joined(proxy.url, 'alice', 'general')
    const bob = await joined(proxy.url, 'bob', 'general')

    const expected: Record<string, string[]> = { alice: [], bob: [] }
    let cuts = 0
    for (let i = 0; i < 500; i++) {
      for (const client of [alice, bob]) {
        const content = `${client.userId}-${i}`
        expected[client.userId]?.push(content)
        client.store.dispatch(client.actions.sendChatMessage({ room: 'general', content }))
      }
      if (i % 50 === 25 && cuts < 10) {
        proxy.cutAll()
        cuts++
      }
      if (i % 10 === 0) await new Promise((r) => setTimeout(r, 5))
    }

    const settled = (c: TestClient) =>
      c.waitFor(
        (s) =>
          c.selectors.selectPendingMessages(s).length === 0 &&
          c.selectors.selectMessagesByRoom(s, 'general').filter((m) => m.seq !== undefined)
            .length === 1000,
        30_000,
        'all 1000 messages',
      )
    await Promise.all([settled(alice), settled(bob)])

    expect(cuts).toBe(10)
    for (const client of [alice, bob]) {
      expectExactlyOnceInOrder(client, 'general', expected)
      expect(client.messages('general')).toHaveLength(1000)
      expect(client.messages('general').every((m) => m.seq !== undefined)).toBe(true)
      expect(
        client.selectors.selectPerformanceMetrics(client.store.getState()).reconnectionCount,
      ).toBeGreaterThan(0)
    }
    expect(
      alice
        .messages('general')
        .filter((m) => m.userId === 'alice')
        .every((m) => m.status === 'sent'),
    ).toBe(true)
  })

  it('delivers once what was written while the server was down, after it restarts on the same port', async () => {
    const first = await startServer()
    const port = first.port
    const alice = await joined(first.url, 'alice', 'general')
    const bob = await joined(first.url, 'bob', 'general')
    for (let i = 0; i < 3; i++)
      alice.store.dispatch(
        alice.actions.sendChatMessage({ room: 'general', content: `before-${i}` }),
      )
    await bob.waitFor((s) => bob.selectors.selectMessagesByRoom(s, 'general').length === 3)

    await first.close()
    servers.splice(servers.indexOf(first), 1)
    await alice.waitFor((s) => alice.selectors.selectConnectionState(s) === 'reconnecting')
    const during = Array.from({ length: 10 }, (_, i) => `during-${i}`)
    for (const content of during)
      alice.store.dispatch(alice.actions.sendChatMessage({ room: 'general', content }))
    expect(alice.selectors.selectPendingMessages(alice.store.getState())).toHaveLength(10)
    expect(alice.messages('general').filter((m) => m.status === 'pending')).toHaveLength(10)

    await startServer(port)
    const settled = (c: TestClient) =>
      c.waitFor(
        (s) =>
          c.selectors.selectPendingMessages(s).length === 0 &&
          c.selectors
            .selectMessagesByRoom(s, 'general')
            .filter((m) => m.data.content.startsWith('during')).length === 10 &&
          c.selectors.selectMessagesByRoom(s, 'general').every((m) => m.status !== 'pending'),
        15_000,
        'messages written while down',
      )
    await Promise.all([settled(alice), settled(bob)])

    for (const client of [alice, bob]) {
      const contents = client.messages('general').map((m) => m.data.content)
      expect(contents).toEqual([...['before-0', 'before-1', 'before-2'], ...during])
      // The new server cannot resume the old epoch's cursor: state says messages may have been missed.
      expect(client.selectors.selectRoomChat(client.store.getState(), 'general')?.gap).toBe(true)
    }
  })

  it('reconnects when the link goes silent, and resends what was written into the dead socket', async () => {
    const server = await startServer()
    const proxy = await createTcpProxy({ targetPort: server.port })
    proxies.push(proxy)
    const heartbeat = { heartbeatInterval: 150, heartbeatTimeout: 150 }
    const alice = await joined(proxy.url, 'alice', 'general', heartbeat)
    const bob = await joined(server.url, 'bob', 'general')

    proxy.blackhole(true)
    // The socket still reports OPEN: this send "succeeds" into a dead link.
    alice.store.dispatch(
      alice.actions.sendChatMessage({ room: 'general', content: 'into the void' }),
    )
    await alice.waitFor(
      (s) => alice.selectors.selectTransition(s)?.code === 4010,
      5_000,
      'heartbeat timeout',
    )
    expect(alice.selectors.selectTransition(alice.store.getState())?.reason).toMatch(
      /heartbeat timeout/,
    )
    proxy.blackhole(false)

    await alice.waitFor(
      (s) => alice.selectors.selectPendingMessages(s).length === 0,
      10_000,
      'ack after reconnect',
    )
    await bob.waitFor((s) => bob.selectors.selectMessagesByRoom(s, 'general').length === 1)
    expect(bob.messages('general').map((m) => m.data.content)).toEqual(['into the void'])
    expect(alice.messages('general')).toEqual([expect.objectContaining({ status: 'sent', seq: 1 })])
  })
})
