import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { createRealtimeServer, type RealtimeServer } from '../../src/server'
import type { RealtimeServerOptions } from '../../src/server/serverOptions'
import { TEST_SECRET } from '../support/tokens'
import { createTestClient, type TestClient } from '../support/realtimeClient'

const servers: RealtimeServer[] = []
const clients: TestClient[] = []

afterEach(async () => {
  for (const client of clients.splice(0)) client.dispose()
  for (const server of servers.splice(0)) await server.close()
})

async function startServer(options: Partial<RealtimeServerOptions> = {}): Promise<RealtimeServer> {
  const server = await createRealtimeServer({
    port: 0,
    host: '127.0.0.1',
    jwt: { secret: TEST_SECRET },
    ...options,
  })
  servers.push(server)
  return server
}

async function member(
  server: RealtimeServer,
  userId: string,
  room: string,
  config: Parameters<typeof createTestClient>[2] = {},
): Promise<TestClient> {
  const client = await createTestClient(server.url, userId, {
    reconnectInterval: 20,
    maxReconnectDelay: 200,
    ...config,
  })
  clients.push(client)
  client.store.dispatch(client.actions.connect())
  client.store.dispatch(client.actions.joinRoom(room))
  await client.waitForRoom(room)
  return client
}

const closeCodes = (c: TestClient) =>
  c.dispatched
    .filter((a) => a.type === 'realtime/connection/closed')
    .map((a) => (a.payload as { code: number }).code)

describe('flow control against the server’s stated limits', () => {
  it('delivers 150 messages through a 20 msg/s limit without ever tripping it', async () => {
    const server = await startServer({ rateLimit: { messages: 20, perMs: 1000 } })
    const alice = await member(server, 'alice', 'general')
    const bob = await member(server, 'bob', 'general', {
      WebSocket: class extends WebSocket {
        constructor(url: string, protocols?: string | string[]) {
          super(url, protocols, { allowSynchronousEvents: false })
        }
      },
    })
    const ids: string[] = []
    for (let i = 0; i < 150; i++) {
      ids.push(
        alice.store.dispatch(alice.actions.sendChatMessage({ room: 'general', content: `m${i}` }))
          .payload.id,
      )
    }
    await bob.waitFor(
      (s) => bob.selectors.selectMessagesByRoom(s, 'general').length === 150,
      30_000,
      '150 messages at bob',
    )
    await alice.waitFor((s) => alice.selectors.selectPendingMessages(s).length === 0, 10_000)
    expect(bob.messages('general').map((m) => m.id)).toEqual(ids)
    expect(alice.messages('general').every((m) => m.status === 'sent')).toBe(true)
    // Paced under the limit: never refused, never closed for it.
    expect(closeCodes(alice)).toEqual([])
    const refusals = alice.dispatched
      .filter((a) => a.type === 'realtime/connection/errorsReceived')
      .flatMap((a) => (a.payload as { errors: Array<{ code: string }> }).errors)
      .filter((e) => e.code === 'RATE_LIMITED')
    expect(refusals).toEqual([])
  })

  it('replays history to a client whose frame limit is below the server’s, and skips only a message too big for it', async () => {
    const server = await startServer({ maxPayload: 64 * 1024, rateLimit: false })
    const alice = await member(server, 'alice', 'general')
    // 21,000 bytes in 7,000 characters (within the content limit), above bob's 16 KiB.
    const big = '€'.repeat(7000)
    const sent = [
      alice.store.dispatch(
        alice.actions.sendChatMessage({ room: 'general', content: 'a'.repeat(9000) }),
      ).payload.id,
      alice.store.dispatch(alice.actions.sendChatMessage({ room: 'general', content: big })).payload
        .id,
      alice.store.dispatch(
        alice.actions.sendChatMessage({ room: 'general', content: 'b'.repeat(9000) }),
      ).payload.id,
      alice.store.dispatch(
        alice.actions.sendChatMessage({ room: 'general', content: 'c'.repeat(9000) }),
      ).payload.id,
    ]
    await alice.waitFor((s) => alice.selectors.selectPendingMessages(s).length === 0, 10_000)
    // Bob accepts at most 16 KiB per frame: the replay comes in batches that fit.
    const bob = await member(server, 'bob', 'general', { maxFrameBytes: 16 * 1024 })
    await bob.waitFor((s) => bob.selectors.selectMessagesByRoom(s, 'general').length === 3, 10_000)
    expect(bob.messages('general').map((m) => m.id)).toEqual([sent[0], sent[2], sent[3]])
    const errors = bob.dispatched
      .filter((a) => a.type === 'realtime/connection/errorsReceived')
      .flatMap((a) => (a.payload as { errors: Array<{ code: string; message: string }> }).errors)
    expect(errors).toEqual([
      expect.objectContaining({
        code: 'MESSAGE_TOO_LARGE',
        message: expect.stringMatching(/general.*2|2.*general/),
      }),
    ])
    expect(bob.dispatched.filter((a) => a.type === 'realtime/inbound/framesRejected')).toEqual([])
    // The room keeps working: live messages arrive, the oversize one live is skipped too.
    const live = alice.store.dispatch(
      alice.actions.sendChatMessage({ room: 'general', content: 'live' }),
    ).payload.id
    alice.store.dispatch(alice.actions.sendChatMessage({ room: 'general', content: big }))
    const after = alice.store.dispatch(
      alice.actions.sendChatMessage({ room: 'general', content: 'after' }),
    ).payload.id
    await bob.waitFor((s) => bob.selectors.selectMessagesByRoom(s, 'general').length === 5, 10_000)
    expect(
      bob
        .messages('general')
        .slice(3)
        .map((m) => m.id),
    ).toEqual([live, after])
    expect(bob.selectors.selectRoomStatus(bob.store.getState(), 'general')?.gap).toBeFalsy()
  })

  it('refuses a message id another user already used in the room; nobody shows it twice or as its own', async () => {
    const server = await startServer({ rateLimit: false })
    const alice = await member(server, 'alice', 'general')
    const bob = await member(server, 'bob', 'general')
    const eve = await member(server, 'eve', 'general')
    alice.store.dispatch(
      alice.actions.sendMessage({
        type: 'chat_message',
        room: 'general',
        id: 'shared-id',
        data: { content: 'from alice' },
      }),
    )
    await alice.waitFor((s) => alice.selectors.selectPendingMessages(s).length === 0, 10_000)
    bob.store.dispatch(
      bob.actions.sendMessage({
        type: 'chat_message',
        room: 'general',
        id: 'shared-id',
        data: { content: 'from bob' },
      }),
    )
    await bob.waitFor((s) => bob.selectors.selectPendingMessages(s).length === 0, 10_000)
    const own = bob.messages('general').filter((m) => m.userId === 'bob')
    expect(own).toEqual([
      expect.objectContaining({
        status: 'failed',
        error: expect.objectContaining({ code: 'DUPLICATE_ID' }),
      }),
    ])
    const fromAlice = bob.messages('general').filter((m) => m.userId === 'alice')
    expect(fromAlice.map((m) => [m.data.content, m.status])).toEqual([['from alice', undefined]])
    for (const c of [alice, eve]) {
      await c.waitFor((s) => c.selectors.selectMessagesByRoom(s, 'general').length > 0, 5_000)
      await new Promise((r) => setTimeout(r, 100))
      expect(c.messages('general').map((m) => [m.userId, m.data.content])).toEqual([
        ['alice', 'from alice'],
      ])
    }
  })
})
