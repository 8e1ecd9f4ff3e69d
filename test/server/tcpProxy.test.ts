import { describe, expect, it } from 'vitest'
import { createTcpProxy } from '../support/tcpProxy'
import { connect, connectAs, onCleanup, startServer } from './harness'

async function proxyTo(port: number) {
  const proxy = await createTcpProxy({ targetPort: port })
  onCleanup(() => proxy.close())
  return proxy
}

describe('createTcpProxy', () => {
  it('forwards a WebSocket session to the target', async () => {
    const server = await startServer()
    const proxy = await proxyTo(server.port)
    expect(proxy.url).toBe(`ws://127.0.0.1:${proxy.port}`)
    const client = await connectAs(proxy.url, 'alice')
    client.sendFrame('ping', { data: {} })
    await client.nextOfType('pong')
    expect(proxy.connections()).toBe(1)
  })

  it('cutAll drops every connection abruptly (1006, no close frame)', async () => {
    const server = await startServer()
    const proxy = await proxyTo(server.port)
    const a = await connect(proxy.url)
    const b = await connect(proxy.url)
    proxy.cutAll()
    expect((await a.closed).code).toBe(1006)
    expect((await b.closed).code).toBe(1006)
    expect(proxy.connections()).toBe(0)
    await expect(connect(proxy.url)).resolves.toBeTruthy()
  })

  it('blackhole keeps the socket OPEN while nothing gets through, and recovers when lifted', async () => {
    const server = await startServer()
    const proxy = await proxyTo(server.port)
    const client = await connectAs(proxy.url, 'alice')
    proxy.blackhole(true)
    client.sendFrame('ping', { data: {} })
    await expect(client.nextOfType('pong', undefined, 200)).rejects.toThrow(/no matching frame/)
    expect(client.socket.readyState).toBe(client.socket.OPEN)
    proxy.blackhole(false)
    client.sendFrame('ping', { data: {} })
    await client.nextOfType('pong')
  })

  it('setTarget sends new connections to another server', async () => {
    const first = await startServer()
    const second = await startServer()
    const proxy = await proxyTo(first.port)
    const before = await connectAs(proxy.url, 'alice')
    proxy.setTarget(second.port)
    const after = await connectAs(proxy.url, 'alice')
    expect(before.received[0]?.type === 'auth_ok' && before.received[0].data.epoch).toBe(
      first.epoch,
    )
    expect(after.received[0]?.type === 'auth_ok' && after.received[0].data.epoch).toBe(second.epoch)
  })
})
