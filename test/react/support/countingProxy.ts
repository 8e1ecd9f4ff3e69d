import { connect, createServer, type AddressInfo, type Socket } from 'node:net'

/** A TCP proxy in front of the server that counts every connection it ever accepted. */
export interface CountingProxy {
  /** ws://127.0.0.1:port */
  url: string
  /** Connections accepted since start (a reconnect or a second socket adds one). */
  total(): number
  /** Connections still open. */
  open(): number
  close(): Promise<void>
}

/**
 * Counts sockets where the server sees them, so a test fails if a client opened two, even one
 * after the other.
 *
 * @example
 * const proxy = await createCountingProxy(world.server.port)
 * // …connect a client to proxy.url…
 * expect(proxy.total()).toBe(1)
 */
export async function createCountingProxy(targetPort: number): Promise<CountingProxy> {
  let total = 0
  const live = new Set<Socket>()
  const server = createServer((client) => {
    total += 1
    const upstream = connect(targetPort, '127.0.0.1')
    live.add(client)
    client.pipe(upstream)
    upstream.pipe(client)
    const end = () => {
      live.delete(client)
      client.destroy()
      upstream.destroy()
    }
    client.on('close', end)
    upstream.on('close', end)
    client.on('error', () => undefined)
    upstream.on('error', () => undefined)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `ws://127.0.0.1:${port}`,
    total: () => total,
    open: () => live.size,
    close() {
      for (const socket of live) socket.destroy()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}
