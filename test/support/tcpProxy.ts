import { createServer, connect } from 'node:net'
import type { AddressInfo, Socket } from 'node:net'

/**
 * Re-chunks the bytes of every connection, both ways, into writes of 1 to `maxBytes` bytes
 * (seeded), with an event-loop turn between groups of `writesPerTurn` writes so the receiver
 * reads them apart: WebSocket frames, their headers and UTF-8 characters arrive split.
 */
export interface WriteSlicing {
  seed: number
  /** Largest write, bytes. Default 16. */
  maxBytes?: number
  /** Writes per event-loop turn and direction. Default 1. */
  writesPerTurn?: number
}

/** What the proxy did so far. */
export interface TcpProxyStats {
  /** Client connections accepted. */
  accepted: number
  /** `cutAll()` calls. */
  cuts: number
  /** Writes made while slicing, and the bytes they carried. */
  slicedWrites: number
  slicedBytes: number
}

/** A TCP proxy in front of a server, to break the network under a live WebSocket. */
export interface TcpProxy {
  port: number
  /** ws://127.0.0.1:port */
  url: string
  /** Destroys every live client and upstream socket pair at once, without a close handshake. */
  cutAll(): void
  /** While on, bytes are silently dropped both ways and closes are not passed on: dead links that still look open. */
  blackhole(on: boolean): void
  /** Turns write slicing on (live and new connections) or off; bytes already queued keep their order. */
  slice(options: WriteSlicing | false): void
  /** Where new connections go. */
  setTarget(port: number): void
  /** Pairs whose both sockets are still open. */
  connections(): number
  stats(): TcpProxyStats
  close(): Promise<void>
}

/**
 * Small, fast, seeded PRNG (mulberry32): the same seed gives the same faults.
 *
 * @example
 * const random = seededRandom(42)
 * random() // a number in [0, 1)
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

interface Pair {
  client: Socket
  upstream: Socket
  pipes: Pipe[]
}

interface Slicer {
  random: () => number
  maxBytes: number
  writesPerTurn: number
}

/** One direction of a pair: writes straight through, or queues and writes in slices. */
interface Pipe {
  push(chunk: Buffer): void
  /** Writes whatever is queued at once (slicing ended, or the source closed). */
  drain(): void
  pending(): boolean
  clear(): void
}

/**
 * Starts a proxy on 127.0.0.1 (port 0) forwarding to `host:targetPort`.
 *
 * @example
 * const proxy = await createTcpProxy({ targetPort: server.port })
 * const socket = new WebSocket(proxy.url)
 * proxy.cutAll() // the client sees an abnormal close (1006)
 * proxy.slice({ seed: 7 }) // from now on every write is 1-16 bytes
 */
export async function createTcpProxy({
  targetPort,
  host = '127.0.0.1',
  slice,
}: {
  targetPort: number
  host?: string
  slice?: WriteSlicing
}): Promise<TcpProxy> {
  let target = targetPort
  let blackholed = false
  let slicer: Slicer | null = null
  const counts: TcpProxyStats = { accepted: 0, cuts: 0, slicedWrites: 0, slicedBytes: 0 }
  const pairs = new Set<Pair>()
  /** Sockets whose partner closed while blackholed; the news arrives when the link returns. */
  const orphans = new Set<Socket>()

  function setSlicing(options: WriteSlicing | false): void {
    slicer = options
      ? {
          random: seededRandom(options.seed),
          maxBytes: Math.max(1, options.maxBytes ?? 16),
          writesPerTurn: Math.max(1, options.writesPerTurn ?? 1),
        }
      : null
    if (!slicer) for (const pair of pairs) for (const pipe of pair.pipes) pipe.drain()
  }
  if (slice) setSlicing(slice)

  function createPipe(to: Socket): Pipe {
    const queue: Buffer[] = []
    let scheduled = false

    const writeNow = (chunk: Buffer): void => {
      if (!blackholed && !to.destroyed) to.write(chunk)
    }
    const drain = (): void => {
      if (queue.length === 0) return
      const rest = Buffer.concat(queue.splice(0))
      writeNow(rest)
    }
    const pump = (): void => {
      scheduled = false
      if (to.destroyed || blackholed) return void queue.splice(0)
      if (!slicer) return drain()
      for (let i = 0; i < slicer.writesPerTurn && queue.length > 0; i++) {
        const head = queue[0] as Buffer
        const size = Math.min(head.length, 1 + Math.floor(slicer.random() * slicer.maxBytes))
        to.write(head.subarray(0, size))
        counts.slicedWrites += 1
        counts.slicedBytes += size
        if (size === head.length) queue.shift()
        else queue[0] = head.subarray(size)
      }
      if (queue.length > 0) schedule()
    }
    const schedule = (): void => {
      if (scheduled) return
      scheduled = true
      setImmediate(pump)
    }
    return {
      push(chunk) {
        if (blackholed || to.destroyed) return
        if (!slicer && queue.length === 0) {
          to.write(chunk)
          return
        }
        queue.push(chunk)
        schedule()
      },
      drain,
      pending: () => queue.length > 0,
      clear: () => void queue.splice(0),
    }
  }

  const server = createServer((client) => {
    counts.accepted += 1
    const upstream = connect(target, host)
    // Without Nagle every slice leaves as its own segment.
    client.setNoDelay(true)
    upstream.setNoDelay(true)
    const toUpstream = createPipe(upstream)
    const toClient = createPipe(client)
    const pair: Pair = { client, upstream, pipes: [toUpstream, toClient] }
    pairs.add(pair)
    client.on('data', (chunk: Buffer) => toUpstream.push(chunk))
    upstream.on('data', (chunk: Buffer) => toClient.push(chunk))
    const onClose = (other: Socket, toOther: Pipe) => () => {
      pairs.delete(pair)
      if (blackholed) {
        toOther.clear()
        orphans.add(other)
      } else if (toOther.pending() && !other.destroyed) {
        // What the closed side sent before closing still arrives, then the close.
        toOther.drain()
        other.end(() => other.destroy())
      } else other.destroy()
    }
    client.once('close', onClose(upstream, toUpstream))
    upstream.once('close', onClose(client, toClient))
    client.on('error', () => undefined)
    upstream.on('error', () => undefined)
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const port = (server.address() as AddressInfo).port

  const destroyAll = (): void => {
    for (const { client, upstream, pipes } of [...pairs]) {
      for (const pipe of pipes) pipe.clear()
      client.destroy()
      upstream.destroy()
    }
    for (const socket of orphans) socket.destroy()
    orphans.clear()
  }

  return {
    port,
    url: `ws://127.0.0.1:${port}`,
    cutAll() {
      counts.cuts += 1
      destroyAll()
    },
    blackhole(on) {
      blackholed = on
      if (on) {
        for (const pair of pairs) for (const pipe of pair.pipes) pipe.clear()
        return
      }
      for (const socket of orphans) socket.destroy()
      orphans.clear()
    },
    slice: setSlicing,
    setTarget(next) {
      target = next
    },
    connections: () =>
      [...pairs].filter(({ client, upstream }) => !client.destroyed && !upstream.destroyed).length,
    stats: () => ({ ...counts }),
    close() {
      destroyAll()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}
