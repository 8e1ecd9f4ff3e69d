import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createRealtime } from '../../../src/createRealtime'
import { resolveUrl, resolveUrls } from '../../../src/config'
import { FakeSocket, authOk, createHarness, tick } from './harness'

beforeEach(() => {
  vi.useFakeTimers()
  FakeSocket.instances = []
})

afterEach(() => {
  vi.useRealTimers()
})

/** Waits out the reconnect the last close announced; the socket it makes. */
async function nextAttempt(h: ReturnType<typeof createHarness>): Promise<FakeSocket> {
  const before = FakeSocket.instances.length
  const closes = h.ofType('realtime/connection/closed')
  await tick((closes.at(-1)?.payload.retryInMs as number | undefined) ?? 0)
  await tick()
  expect(FakeSocket.instances).toHaveLength(before + 1)
  return FakeSocket.latest()
}

describe('config.url as a list of servers', () => {
  it('tries the next URL on each reconnect, round robin, and shows the one in use', async () => {
    const h = createHarness({
      url: ['ws://a.test:1', 'b.test', 'wss://c.test/rt'],
      port: 4000,
      reconnectInterval: 10,
      maxReconnectDelay: 10,
      maxReconnectAttempts: Infinity,
    })
    h.store.dispatch(h.realtime.actions.connect())
    await tick()
    const first = FakeSocket.latest()
    first.open()
    await tick()
    first.deliver(authOk())
    await tick()
    const info = () => h.realtime.selectors.selectConnectionInfo({ realtime: h.state() })
    expect(info()).toMatchObject({ state: 'open', url: 'ws://a.test:1' })

    first.serverClose(1006)
    const tried = [first.url]
    for (let i = 0; i < 4; i++) {
      const socket = await nextAttempt(h)
      tried.push(socket.url)
      socket.fail()
    }
    expect(tried).toEqual([
      'ws://a.test:1',
      'ws://b.test:4000',
      'wss://c.test:4000/rt',
      'ws://a.test:1',
      'ws://b.test:4000',
    ])

    // The attempt after those reaches its server: that URL is the one shown.
    const reached = await nextAttempt(h)
    expect(reached.url).toBe('wss://c.test:4000/rt')
    reached.open()
    await tick()
    expect(info()).toMatchObject({ state: 'authenticating', url: 'wss://c.test:4000/rt' })
  })

  it('starts again from the first URL after a disconnect and a new connect', async () => {
    const h = createHarness({ url: ['ws://a.test:1', 'ws://b.test:2'], reconnectInterval: 10 })
    h.store.dispatch(h.realtime.actions.connect())
    await tick()
    FakeSocket.latest().serverClose(1006)
    expect((await nextAttempt(h)).url).toBe('ws://b.test:2')
    h.store.dispatch(h.realtime.actions.disconnect())
    await tick()
    h.store.dispatch(h.realtime.actions.connect())
    await tick()
    expect(FakeSocket.latest().url).toBe('ws://a.test:1')
  })

  it('keeps a single URL as it was', async () => {
    const h = createHarness({ url: 'ws://only.test:5', reconnectInterval: 10 })
    h.store.dispatch(h.realtime.actions.connect())
    await tick()
    FakeSocket.latest().serverClose(1006)
    expect((await nextAttempt(h)).url).toBe('ws://only.test:5')
  })

  it.each([
    [[], /config\.url is an empty array/],
    [['ws://a.test', ''], /config\.url\[1\] is required/],
    [['ws://a.test', 42], /config\.url\[1\] is required/],
    [['ws://a.test', 'ftp://b.test'], /config\.url\[1\] must use ws:\/\/ or wss:\/\//],
    [['ws://', 'ws://b.test'], /config\.url\[0\] "ws:\/\/" is not a valid URL/],
  ] as const)('refuses %j at creation, naming the entry', (url, message) => {
    expect(() =>
      createRealtime({ url: url as unknown as string[], WebSocket: FakeSocket }),
    ).toThrow(message)
  })

  it('resolves every entry with the port; resolveUrl gives the first', () => {
    const config = { url: ['ws://a.test:1', 'b.test'], port: 3001 }
    expect(resolveUrls(config)).toEqual(['ws://a.test:1', 'ws://b.test:3001'])
    expect(resolveUrl(config)).toBe('ws://a.test:1')
    expect(resolveUrls({ url: 'localhost' })).toEqual(['ws://localhost:3000'])
  })
})
