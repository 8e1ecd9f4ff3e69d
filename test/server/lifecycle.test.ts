import { describe, expect, it } from 'vitest'
import { createRealtimeServer } from '../../src/server'
import type { RealtimeServerOptions } from '../../src/server'
import { createTcpProxy } from '../support/tcpProxy'
import { connect, connectAs, onCleanup, startServer } from './harness'

async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

describe('server lifecycle', () => {
  it('listens on a free port and reports its url and a per-start epoch', async () => {
    const a = await startServer()
    const b = await startServer()
    expect(a.url).toBe(`ws://127.0.0.1:${a.port}`)
    expect(a.port).toBeGreaterThan(0)
    expect(a.epoch).not.toBe(b.epoch)
  })

  it('answers ping with pong echoing the ping timestamp', async () => {
    const server = await startServer()
    const client = await connectAs(server.url, 'alice')
    client.sendFrame('ping', { timestamp: 12345, data: {} })
    expect((await client.nextOfType('pong')).data).toEqual({ echo: 12345 })
  })

  it('answers plain HTTP with 426 Upgrade Required', async () => {
    const server = await startServer()
    const response = await fetch(server.url.replace('ws:', 'http:'))
    expect(response.status).toBe(426)
  })

  it('closes every client with 1001 on close() and can be closed twice', async () => {
    const server = await createRealtimeServer({ port: 0, jwt: { secret: 'test-secret' } })
    const alice = await connectAs(server.url, 'alice')
    const anonymous = await connect(server.url)
    await Promise.all([server.close(), server.close()])
    expect(await alice.closed).toEqual({ code: 1001, reason: 'server shutting down' })
    expect((await anonymous.closed).code).toBe(1001)
    await server.close()
    await expect(connect(server.url)).rejects.toThrow()
  })

  it('finishes close() even when a client never answers the close handshake', async () => {
    const server = await createRealtimeServer({ port: 0, jwt: { secret: 'test-secret' } })
    const proxy = await createTcpProxy({ targetPort: server.port })
    onCleanup(() => proxy.close())
    await connect(proxy.url)
    proxy.blackhole(true)
    const started = Date.now()
    await server.close()
    expect(Date.now() - started).toBeLessThan(3000)
  })

  it('terminates a connection that stops answering heartbeat pings', async () => {
    const server = await startServer({ heartbeatIntervalMs: 50 })
    const proxy = await createTcpProxy({ targetPort: server.port })
    onCleanup(() => proxy.close())
    const client = await connectAs(proxy.url, 'alice')
    await new Promise((resolve) => setTimeout(resolve, 150))
    expect(proxy.connections()).toBe(1) // answered pings keep it alive
    proxy.blackhole(true)
    await until(() => proxy.connections() === 0)
    expect(client.socket.readyState).toBe(client.socket.OPEN)
  })

  it('throws at once, naming the fix, for options that cannot work', async () => {
    const bad = (options: Partial<RealtimeServerOptions>) =>
      createRealtimeServer({ port: 0, jwt: { secret: 's' }, ...options })
    await expect(bad({ jwt: { secret: '' } })).rejects.toThrow(/jwt.secret is required/)
    await expect(bad({ jwt: { secret: 's', algorithms: ['RS256' as 'HS256'] } })).rejects.toThrow(
      /jwt.algorithms/,
    )
    await expect(bad({ maxPayload: 0 })).rejects.toThrow(/maxPayload/)
    await expect(bad({ rateLimit: { messages: 0, perMs: 1 } })).rejects.toThrow(/rateLimit/)
  })
})
