import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { WebSocketClient } from '../../src/client/WebSocketClient'
import { createDefaultConfig } from '../../src/config'
import { createRealtimeServer, type RealtimeServer } from '../../src/server'
import { createTestClient, type TestClient } from '../support/realtimeClient'
import { TEST_SECRET, tokenFor } from '../support/tokens'

/**
 * `url` as a list: two independent servers (memory history each) on their own ports. When the
 * one in use stops, the client reconnects to the next and carries on there (a new epoch: a
 * resync, as expected without a shared history).
 */

const servers: RealtimeServer[] = []
const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
  await Promise.all(servers.splice(0).map((server) => server.close()))
})

async function startServer(): Promise<RealtimeServer> {
  const server = await createRealtimeServer({
    port: 0,
    host: '127.0.0.1',
    jwt: { secret: TEST_SECRET },
  })
  servers.push(server)
  return server
}

const RECONNECT = { reconnectInterval: 20, maxReconnectDelay: 50, maxReconnectAttempts: Infinity }

describe('config.url as a list of servers', () => {
  it('reconnects to the second server when the first stops, rejoins and sends there', async () => {
    const [a, b] = [await startServer(), await startServer()]
    const alice: TestClient = await createTestClient([a.url, b.url], 'alice', RECONNECT)
    cleanups.push(() => alice.dispose())
    const info = () => alice.selectors.selectConnectionInfo(alice.store.getState())
    alice.store.dispatch(alice.actions.connect())
    alice.store.dispatch(alice.actions.joinRoom('general'))
    await alice.waitForRoom('general')
    expect(info()).toMatchObject({ url: a.url, serverEpoch: a.epoch })
    const before = alice.store.dispatch(
      alice.actions.sendChatMessage({ room: 'general', content: 'on a' }),
    )
    await before.unwrap()

    await a.close()
    await alice.waitFor(
      (s) => alice.selectors.selectConnectionInfo(s).serverEpoch === b.epoch,
      10_000,
      'open on b',
    )
    await alice.waitForRoom('general')
    expect(info()).toMatchObject({ state: 'open', url: b.url })
    const after = alice.store.dispatch(
      alice.actions.sendChatMessage({ room: 'general', content: 'on b' }),
    )
    expect(await after.unwrap()).toMatchObject({ seq: 1 })
    // b never saw 'on a': its room starts with what was sent to it.
    const bob = await createTestClient(b.url, 'bob', RECONNECT)
    cleanups.push(() => bob.dispose())
    bob.store.dispatch(bob.actions.connect())
    bob.store.dispatch(bob.actions.joinRoom('general'))
    await bob.waitFor((s) => bob.selectors.selectMessagesByRoom(s, 'general').length === 1)
    expect(bob.messages('general').map((m) => m.data.content)).toEqual(['on b'])
  })

  it('works the same through WebSocketClient', async () => {
    const [a, b] = [await startServer(), await startServer()]
    const client = new WebSocketClient(
      createDefaultConfig({
        url: [a.url, b.url],
        authToken: await tokenFor('carol'),
        WebSocket,
        networkEvents: null,
        ...RECONNECT,
      }),
    )
    cleanups.push(() => client.destroy())
    await client.connect()
    const info = () => client.realtime.selectors.selectConnectionInfo(client.store.getState())
    expect(info().url).toBe(a.url)
    await a.close()
    for (let i = 0; i < 200 && info().serverEpoch !== b.epoch; i++)
      await new Promise((resolve) => setTimeout(resolve, 25))
    expect(info()).toMatchObject({ state: 'open', url: b.url, serverEpoch: b.epoch })
    await client.joinRoom('general')
  })
})
