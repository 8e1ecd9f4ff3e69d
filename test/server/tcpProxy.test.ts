import { createServer as createNetServer, connect as netConnect } from 'node:net'
import type { AddressInfo, Socket } from 'node:net'
import { describe, expect, it } from 'vitest'
import { createTcpProxy, seededRandom } from '../support/tcpProxy'
import { connect, connectAs, framesOf, joinedAs, onCleanup, startServer } from './harness'

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

/** A TCP server that records every chunk it reads and can write back. */
async function chunkSink() {
  const chunks: Buffer[] = []
  const sockets: Socket[] = []
  const server = createNetServer((socket) => {
    sockets.push(socket)
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  onCleanup(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  )
  return { port: (server.address() as AddressInfo).port, chunks, sockets }
}

function dial(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(port, '127.0.0.1', () => resolve(socket))
    socket.once('error', reject)
    onCleanup(() => socket.destroy())
  })
}

async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

const bytes = (length: number, seed: number) => {
  const random = seededRandom(seed)
  return Buffer.from(Array.from({ length }, () => Math.floor(random() * 256)))
}

describe('createTcpProxy write slicing', () => {
  it('seededRandom repeats its sequence for the same seed', () => {
    const a = seededRandom(99)
    const b = seededRandom(99)
    const first = Array.from({ length: 5 }, () => a())
    expect(Array.from({ length: 5 }, () => b())).toEqual(first)
    expect(first.every((x) => x >= 0 && x < 1)).toBe(true)
    expect(seededRandom(100)()).not.toBe(first[0])
  })

  it('delivers every byte in order, in reads of at most 16 bytes each way', async () => {
    const sink = await chunkSink()
    const proxy = await createTcpProxy({ targetPort: sink.port, slice: { seed: 1 } })
    onCleanup(() => proxy.close())
    const socket = await dial(proxy.port)
    const back: Buffer[] = []
    socket.on('data', (chunk: Buffer) => back.push(chunk))

    const out = bytes(4096, 2)
    socket.write(out)
    await until(() => Buffer.concat(sink.chunks).length === out.length, 'bytes upstream')
    expect(Buffer.concat(sink.chunks).equals(out)).toBe(true)
    // One 4 KiB write became hundreds of reads on the far side.
    expect(sink.chunks.length).toBeGreaterThan(100)
    expect(Math.max(...sink.chunks.map((c) => c.length))).toBeLessThan(out.length)

    const reply = bytes(4096, 3)
    sink.sockets[0]?.write(reply)
    await until(() => Buffer.concat(back).length === reply.length, 'bytes back')
    expect(Buffer.concat(back).equals(reply)).toBe(true)
    expect(back.length).toBeGreaterThan(100)
    expect(proxy.stats()).toMatchObject({ slicedBytes: 8192 })
    expect(proxy.stats().slicedWrites).toBeGreaterThanOrEqual(8192 / 16)
  })

  it('keeps byte order when slicing is switched off and on mid-stream', async () => {
    const sink = await chunkSink()
    const proxy = await createTcpProxy({ targetPort: sink.port })
    onCleanup(() => proxy.close())
    const socket = await dial(proxy.port)
    const parts = Array.from({ length: 12 }, (_, i) => bytes(700, 10 + i))
    for (const [i, part] of parts.entries()) {
      if (i % 4 === 0) proxy.slice({ seed: i, writesPerTurn: 3 })
      if (i % 4 === 2) proxy.slice(false)
      socket.write(part)
      await new Promise((resolve) => setImmediate(resolve))
    }
    const all = Buffer.concat(parts)
    await until(() => Buffer.concat(sink.chunks).length === all.length, 'every part')
    expect(Buffer.concat(sink.chunks).equals(all)).toBe(true)
  })

  it('carries a WebSocket session whose frames arrive split (multi-byte text included)', async () => {
    const server = await startServer({ rateLimit: false })
    const proxy = await createTcpProxy({ targetPort: server.port, slice: { seed: 5 } })
    onCleanup(() => proxy.close())
    const client = await joinedAs(proxy.url, 'alice', 'general')
    const contents = Array.from(
      { length: 30 },
      (_, i) => `msg ${i} — héllo 👋🏽 ${'x'.repeat(i * 7)}`,
    )
    for (const content of contents)
      client.sendFrame('chat_message', { room: 'general', data: { content } })
    await until(() => framesOf(client, 'ack').length === contents.length, 'acks')
    expect(framesOf(client, 'chat_message').map((f) => f.data.content)).toEqual(contents)
    expect(client.problems).toEqual([])
    expect(proxy.stats().slicedWrites).toBeGreaterThan(200)
  })

  it('passes what was queued before a close on, then the close', async () => {
    const server = await startServer()
    const proxy = await createTcpProxy({ targetPort: server.port, slice: { seed: 8 } })
    onCleanup(() => proxy.close())
    const client = await connectAs(proxy.url, 'alice')
    client.socket.close(1000, 'bye')
    expect(await client.closed).toEqual({ code: 1000, reason: 'bye' })
  })
})
