import { afterEach, describe, expect, it } from 'vitest'
import { createRealtimeServer, type RealtimeServer } from '../../src/server'
import type { RealtimeServerOptions } from '../../src/server/serverOptions'
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

async function start(options: Partial<RealtimeServerOptions> = {}): Promise<RealtimeServer> {
  server = await createRealtimeServer({
    port: 0,
    host: '127.0.0.1',
    jwt: { secret: TEST_SECRET },
    ...options,
  })
  return server
}

async function client(url: string, getToken: () => Promise<string>): Promise<TestClient> {
  const c = await createTestClient(url, 'alice', {
    authToken: undefined,
    getToken,
    reconnectInterval: 50,
    maxReconnectDelay: 200,
    // The outage below spans many quick attempts: each failing getToken is one.
    maxReconnectAttempts: 1_000,
  })
  clients.push(c)
  c.store.dispatch(c.actions.connect())
  c.store.dispatch(c.actions.joinRoom('general'))
  await c.waitForRoom('general')
  return c
}

function sendAndWait(c: TestClient, content: string): Promise<unknown> {
  const { id } = c.store.dispatch(c.actions.sendChatMessage({ room: 'general', content })).payload
  return c.waitFor(
    (s) =>
      c.selectors
        .selectMessagesByRoom(s, 'general')
        .some((m) => m.id === id && m.status === 'sent'),
    10_000,
    `"${content}" acked`,
  )
}

describe('token lifecycle against the reference server', () => {
  it('refreshes a short-lived token in-band before it expires: one socket, rooms kept, messages past the first exp', async () => {
    const { url } = await start()
    let calls = 0
    const c = await client(url, () => {
      calls++
      return tokenFor('alice', { expiresIn: '6s' })
    })
    const firstExpiry = c.selectors.selectConnectionInfo(c.store.getState())
    expect(firstExpiry.isAuthenticated).toBe(true)
    await sleep(7_000)
    await sendAndWait(c, 'after the first token expired')
    expect(calls).toBeGreaterThanOrEqual(3)
    expect(socketsOpened(c)).toBe(1)
    expect(c.dispatched.filter((a) => a.type === 'realtime/connection/closed')).toEqual([])
    expect(c.dispatched.filter((a) => a.type === 'realtime/rooms/joined')).toHaveLength(2)
    const errors = c.dispatched
      .filter((a) => a.type === 'realtime/connection/errorsReceived')
      .flatMap((a) => (a.payload as { errors: Array<{ code: string }> }).errors)
    expect(errors.filter((e) => e.code === 'TOKEN_EXPIRED')).toEqual([])
  })

  it('when the refresh cannot get a token, the server refuses with TOKEN_EXPIRED, closes 4002, and the reconnect with a fresh token loses nothing', async () => {
    const { url } = await start({ tokenExpiryGraceMs: 1_000 })
    const started = Date.now()
    const c = await client(url, () =>
      // The first token lives 3 s; then the provider is down until 5 s in.
      Date.now() - started < 100
        ? tokenFor('alice', { expiresIn: '3s' })
        : Date.now() - started < 5_000
          ? Promise.reject(new Error('token service down'))
          : tokenFor('alice', { expiresIn: '1h' }),
    )
    await sleep(3_300)
    const { id } = c.store.dispatch(
      c.actions.sendChatMessage({ room: 'general', content: 'sent on an expired session' }),
    ).payload
    await c.waitFor(
      (s) =>
        c.selectors
          .selectMessagesByRoom(s, 'general')
          .some((m) => m.id === id && m.status === 'sent'),
      15_000,
      'the message acked after the reconnect',
    )
    const closes = c.dispatched
      .filter((a) => a.type === 'realtime/connection/closed')
      .map((a) => (a.payload as { code: number }).code)
    expect(closes[0]).toBe(4002)
    const errors = c.dispatched
      .filter((a) => a.type === 'realtime/connection/errorsReceived')
      .flatMap((a) => (a.payload as { errors: Array<{ code: string }> }).errors)
    expect(errors.some((e) => e.code === 'TOKEN_EXPIRED')).toBe(true)
    expect(c.dispatched.filter((a) => a.type === 'realtime/outbox/failed')).toEqual([])
    expect(c.messages('general').filter((m) => m.id === id)).toHaveLength(1)
  })
})
