import { createServer, connect } from 'node:net'
import type { AddressInfo, Socket } from 'node:net'

/** A TCP proxy in front of a server, to break the network under a live WebSocket. */
export interface TcpProxy {
  port: number
  /** ws://127.0.0.1:port */
  url: string
  /** Destroys every live client and upstream socket pair at once, without a close handshake. */
  cutAll(): void
  /** While on, bytes are silently dropped both ways and closes are not passed on: dead links that still look open. */
  blackhole(on: boolean): void
  /** Where new connections go. */
  setTarget(port: number): void
  /** Pairs whose both sockets are still open. */
  connections(): number
  close(): Promise<void>
}

interface Pair {
  client: Socket
  upstream: Socket
}

/**
 * Starts a proxy on 127.0.0.1 (port 0) forwarding to `host:targetPort`.
 *
 * @example
 * const proxy = await createTcpProxy({ targetPort: server.port })
 * const socket = new WebSocket(proxy.url)
 * proxy.cutAll() // the client sees an abnormal close (1006)
 */
export async function createTcpProxy({
  targetPort,
  host = '127.0.0.1',
}: {
  targetPort: number
  host?: string
}): Promise<TcpProxy> {
  let target = targetPort
  let blackholed = false
  const pairs = new Set<Pair>()
  /** Sockets whose partner closed while blackholed; the news arrives when the link returns. */
  const orphans = new Set<Socket>()

  const server = createServer((client) => {
    const upstream = connect(target, host)
    const pair: Pair = { client, upstream }
    pairs.add(pair)
    const forward = (to: Socket) => (chunk: Buffer) => {
      if (!blackholed && !to.destroyed) to.write(chunk)
    }
    client.on('data', forward(upstream))
    upstream.on('data', forward(client))
    const onClose = (other: Socket) => () => {
      pairs.delete(pair)
      if (blackholed) orphans.add(other)
      else other.destroy()
    }
    client.once('close', onClose(upstream))
    upstream.once('close', onClose(client))
    client.on('error', () => undefined)
    upstream.on('error', () => undefined)
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const port = (server.address() as AddressInfo).port

  const cutAll = (): void => {
    for (const { client, upstream } of [...pairs]) {
      client.destroy()
      upstream.destroy()
    }
    for (const socket of orphans) socket.destroy()
    orphans.clear()
  }

  return {
    port,
    url: `ws://127.0.0.1:${port}`,
    cutAll,
    blackhole(on) {
      blackholed = on
      if (on) return
      for (const socket of orphans) socket.destroy()
      orphans.clear()
    },
    setTarget(next) {
      target = next
    },
    connections: () =>
      [...pairs].filter(({ client, upstream }) => !client.destroyed && !upstream.destroyed).length,
    close() {
      cutAll()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}
