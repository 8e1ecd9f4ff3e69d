import { createServer, type Server, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createRealtimeServer, type RealtimeServer } from '../../src/server'
import { TEST_SECRET } from '../support/tokens'
import { createTestClient, type TestClient } from '../support/realtimeClient'
import { createTcpProxy, type TcpProxy } from '../support/tcpProxy'

const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const count = (c: TestClient, type: string) => c.dispatched.filter((a) => a.type === type).length

/** A TCP server that accepts and then never answers the WebSocket handshake (or hangs up at once). */
async function tcpServer(
  mode: 'hang' | 'hangup',
): Promise<{ url: string; accepted: Socket[]; closed: Set<Socket>; server: Server }> {
  const accepted: Socket[] = []
  const closed = new Set<Socket>()
  const server = createServer((socket) => {
    accepted.push(socket)
    socket.on('error', () => {})
    socket.on('close', () => closed.add(socket))
    socket.resume()
    if (mode === 'hangup') socket.destroy()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of accepted) s.destroy()
        server.close(() => resolve())
      }),
  )
  const port = (server.address() as { port: number }).port
  return { url: `ws://127.0.0.1:${port}`, accepted, closed, server }
}

async function client(
  url: string,
  config: Parameters<typeof createTestClient>[2] = {},
): Promise<TestClient> {
  const c = await createTestClient(url, 'alice', {
    reconnectInterval: 10,
    maxReconnectDelay: 30,
    ...config,
  })
  cleanups.push(() => c.dispose())
  return c
}

async function realServer(): Promise<{ server: RealtimeServer; proxy: TcpProxy }> {
  const server = await createRealtimeServer({
    port: 0,
    host: '127.0.0.1',
    jwt: { secret: TEST_SECRET },
  })
  const proxy = await createTcpProxy({ targetPort: server.port })
  cleanups.push(
    () => server.close(),
    () => proxy.close(),
  )
  return { server, proxy }
}

describe('transport over reconnecting-websocket 4.4.0', () => {
  it('closes cleanly when disconnect comes before the socket exists, and connects again afterwards', async () => {
    const { proxy } = await realServer()
    const c = await client(proxy.url)
    c.store.dispatch(c.actions.connect())
    c.store.dispatch(c.actions.disconnect())
    await sleep(200)
    expect(c.selectors.selectConnectionState(c.store.getState())).toBe('closed')
    expect(proxy.connections()).toBe(0)
    expect(count(c, 'realtime/connection/socketOpened')).toBe(0)

    // RWS's own instance would be stuck here (its connect lock stays held after that close).
    c.store.dispatch(c.actions.connect())
    await c.waitForOpen()
    expect(proxy.connections()).toBe(1)
  })

  it('closes a socket still in its handshake without crashing Node', async () => {
    const hanging = await tcpServer('hang')
    const c = await client(hanging.url, { connectionTimeout: 60_000 })
    c.store.dispatch(c.actions.connect())
    await waitUntil(() => hanging.accepted.length === 1)
    c.store.dispatch(c.actions.disconnect())
    await waitUntil(() => hanging.closed.size === 1)
    await sleep(100) // a late 'error' with no listener would crash the worker here
    expect(c.selectors.selectConnectionState(c.store.getState())).toBe('closed')
    expect(c.selectors.selectTransition(c.store.getState())).toMatchObject({
      code: 1000,
      reason: 'disconnect requested',
    })
  })

  it('times out a handshake that never completes and keeps retrying', async () => {
    const hanging = await tcpServer('hang')
    const c = await client(hanging.url, { connectionTimeout: 100 })
    c.store.dispatch(c.actions.connect())
    await waitUntil(() => hanging.accepted.length >= 3, 10_000)
    const state = c.store.getState()
    expect(['reconnecting', 'connecting']).toContain(c.selectors.selectConnectionState(state))
    const closes = c.dispatched.filter((a) => a.type === 'realtime/connection/closed')
    expect(closes[0]).toMatchObject({
      payload: { code: 1006, reason: 'connection timeout', willReconnect: true },
    })
  })

  it('gives up after maxReconnectAttempts and says so in state', async () => {
    const refusing = await tcpServer('hangup')
    const c = await client(refusing.url, { maxReconnectAttempts: 3 })
    c.store.dispatch(c.actions.connect())
    await c.waitFor((s) => c.selectors.selectConnectionState(s) === 'closed', 10_000, 'closed')
    await sleep(200)
    expect(refusing.accepted).toHaveLength(4) // the first attempt and three retries
    const state = c.store.getState()
    expect(c.selectors.selectTransition(state)?.reason).toMatch(
      /gave up after 3 reconnect attempts/,
    )
    expect(c.selectors.selectLastError(state)).toMatchObject({ code: 'RECONNECT_FAILED' })
    expect(c.selectors.selectConnectionInfo(state).reconnectAttempts).toBe(4)
  })

  it('retries at once on the online event instead of waiting out the backoff', async () => {
    const { proxy } = await realServer()
    const network = new EventTarget()
    const c = await client(proxy.url, {
      reconnectInterval: 60_000,
      maxReconnectDelay: 60_000,
      networkEvents: network,
    })
    c.store.dispatch(c.actions.connect())
    await c.waitForOpen()
    // The backoff is random in [0, 60 s]: cut until the drawn wait is long enough to tell apart.
    let retryInMs = 0
    for (let tries = 0; tries < 10 && retryInMs < 5_000; tries++) {
      const closes = count(c, 'realtime/connection/closed')
      proxy.cutAll()
      await c.waitFor(() => count(c, 'realtime/connection/closed') > closes, 5_000, 'closed')
      const last = c.dispatched.filter((a) => a.type === 'realtime/connection/closed').at(-1)
      retryInMs = (last?.payload as { retryInMs?: number }).retryInMs ?? 0
      if (retryInMs < 5_000) await c.waitForOpen()
    }
    expect(retryInMs).toBeGreaterThanOrEqual(5_000)
    expect(c.selectors.selectConnectionState(c.store.getState())).toBe('reconnecting')
    network.dispatchEvent(new Event('online'))
    // Well inside the drawn wait: only the online event can have brought it back.
    await c.waitFor((s) => c.selectors.selectIsConnected(s), 3_000, 'open after online')
  })
})

async function waitUntil(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const start = Date.now()
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time')
    await sleep(10)
  }
}
