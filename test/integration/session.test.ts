import { afterEach, describe, expect, it } from 'vitest'
import { createRealtimeServer, type RealtimeServer } from '../../src/server'
import { TEST_SECRET, tokenFor } from '../support/tokens'
import { createTestClient, type TestClient } from '../support/realtimeClient'

let server: RealtimeServer | undefined
const clients: TestClient[] = []

afterEach(async () => {
  for (const client of clients.splice(0)) client.dispose()
  await server?.close()
  server = undefined
})

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const socketsOpened = (c: TestClient) =>
  c.dispatched.filter((a) => a.type === 'realtime/connection/socketOpened').length

async function client(config: Parameters<typeof createTestClient>[2]): Promise<TestClient> {
  server ??= await createRealtimeServer({
    port: 0,
    host: '127.0.0.1',
    jwt: { secret: TEST_SECRET },
  })
  const c = await createTestClient(server.url, 'alice', {
    reconnectInterval: 10,
    maxReconnectDelay: 20,
    ...config,
  })
  clients.push(c)
  c.store.dispatch(c.actions.connect())
  return c
}

describe('authentication against the reference server', () => {
  it('stops after a refused static token: one socket, no reconnect storm, the reason in state', async () => {
    const c = await client({ authToken: await tokenFor('alice', { secret: 'wrong-secret' }) })
    await c.waitFor((s) => c.selectors.selectConnectionState(s) === 'closed', 5_000, 'closed')
    await sleep(300) // many reconnect intervals: a storm would show here
    const state = c.store.getState()
    expect(socketsOpened(c)).toBe(1)
    expect(c.selectors.selectConnectionState(state)).toBe('closed')
    expect(c.selectors.selectTransition(state)).toMatchObject({
      code: 4001,
      reason: expect.stringMatching(/authentication failed/),
    })
    expect(c.selectors.selectLastError(state)).toMatchObject({ code: 'AUTHENTICATION_FAILED' })
  })

  it('asks getToken once more after a refusal and connects with the fresh token', async () => {
    const good = await tokenFor('alice')
    const bad = await tokenFor('alice', { expiresIn: -60 })
    const tokens = [bad, good]
    const c = await client({
      authToken: undefined,
      getToken: () => Promise.resolve(tokens.shift()),
    })
    await c.waitForOpen()
    expect(socketsOpened(c)).toBe(2)
    expect(c.selectors.selectConnectionInfo(c.store.getState())).toMatchObject({
      isAuthenticated: true,
      userId: 'alice',
    })
  })

  it('gives up after the fresh token is refused too', async () => {
    const bad = await tokenFor('alice', { expiresIn: -60 })
    let calls = 0
    const c = await client({
      authToken: undefined,
      getToken: () => {
        calls++
        return bad
      },
    })
    await c.waitFor((s) => c.selectors.selectConnectionState(s) === 'closed', 5_000, 'closed')
    await sleep(300)
    expect(calls).toBe(2)
    expect(socketsOpened(c)).toBe(2)
    expect(c.selectors.selectTransition(c.store.getState())?.reason).toMatch(/token expired/)
  })

  it('treats a failing getToken as a failed attempt: backs off, keeps the outbox, connects once it recovers', async () => {
    let calls = 0
    const token = await tokenFor('alice')
    const c = await client({
      authToken: undefined,
      reconnectInterval: 50,
      maxReconnectDelay: 100,
      getToken: () =>
        ++calls <= 2 ? Promise.reject(new Error('auth service down')) : Promise.resolve(token),
    })
    c.store.dispatch(c.actions.joinRoom('general'))
    const { id } = c.store.dispatch(
      c.actions.sendChatMessage({ room: 'general', content: 'held through the outage' }),
    ).payload
    await c.waitFor(
      (s) =>
        c.selectors
          .selectMessagesByRoom(s, 'general')
          .some((m) => m.id === id && m.status === 'sent'),
      10_000,
      'the queued message acked after getToken recovered',
    )
    expect(calls).toBe(3)
    const closes = c.dispatched.filter((a) => a.type === 'realtime/connection/closed')
    expect(closes.map((a) => (a.payload as { attempt: number }).attempt)).toEqual([1, 2])
    for (const close of closes) {
      expect(close.payload).toMatchObject({
        willReconnect: true,
        retryInMs: expect.any(Number),
        error: {
          code: 'AUTH_PROVIDER_FAILED',
          message: expect.stringMatching(/auth service down/),
        },
      })
    }
    expect(c.selectors.selectPendingMessages(c.store.getState())).toEqual([])
  })

  it('re-authenticates a live connection with authenticate(token): no rejoin, not a reconnection', async () => {
    const c = await client({})
    c.store.dispatch(c.actions.joinRoom('general'))
    await c.waitForRoom('general')
    const sessionId = c.selectors.selectConnectionInfo(c.store.getState()).sessionId
    const opened = () => c.dispatched.filter((a) => a.type === 'realtime/connection/opened').length
    c.store.dispatch(c.actions.authenticate(await tokenFor('alice', { expiresIn: '2h' })))
    await c.waitFor(() => opened() === 2, 5_000, 'second auth_ok')
    expect(socketsOpened(c)).toBe(1)
    await new Promise((r) => setTimeout(r, 50))
    const state = c.store.getState()
    expect(c.selectors.selectConnectionInfo(state)).toMatchObject({
      isAuthenticated: true,
      sessionId,
    })
    expect(c.selectors.selectPerformanceMetrics(state).reconnectionCount).toBe(0)
    const joinedRooms = c.dispatched.filter((a) => a.type === 'realtime/rooms/joined')
    expect(joinedRooms.map((a) => (a.payload as { room: string }).room).sort()).toEqual([
      'general',
      'user:alice',
    ])
  })
})
