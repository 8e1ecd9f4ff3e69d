import type { Socket } from 'node:net'
import { describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { createRealtimeServer } from '../../src/server'
import type { RawClient } from '../support/rawClient'
import { seededRandom } from '../support/tcpProxy'
import { TEST_SECRET, tokenFor } from '../support/tokens'
import { connect, framesOf, joinedAs, onCleanup, quietLogger, startServer } from './harness'

/** The TCP socket under a `ws` client: pausing it stops reading, as a stuck peer does. */
const tcpOf = (client: RawClient) => (client.socket as unknown as { _socket: Socket })._socket

interface WireFrame {
  rsv1: boolean
  opcode: number
  length: number
}

/**
 * Reads the headers of the frames the server sends, from the client's TCP socket (server
 * frames are not masked). Attached before anything is sent, so it starts on a frame boundary.
 */
function wireFrames(client: RawClient): WireFrame[] {
  const frames: WireFrame[] = []
  let pending = Buffer.alloc(0)
  tcpOf(client).on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk])
    for (;;) {
      if (pending.length < 2) return
      const first = pending[0] as number
      const short = (pending[1] as number) & 0x7f
      const extra = short === 126 ? 2 : short === 127 ? 8 : 0
      if (pending.length < 2 + extra) return
      const length =
        short === 126
          ? pending.readUInt16BE(2)
          : short === 127
            ? Number(pending.readBigUInt64BE(2))
            : short
      if (pending.length < 2 + extra + length) return
      frames.push({ rsv1: (first & 0x40) !== 0, opcode: first & 0x0f, length })
      pending = pending.subarray(2 + extra + length)
    }
  })
  return frames
}

/** Text that deflate shrinks by about a quarter only: letters and digits, seeded. */
function noise(bytes: number, seed: number): string {
  const random = seededRandom(seed)
  const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'
  let text = ''
  for (let i = 0; i < bytes; i++) text += letters[Math.floor(random() * letters.length)]
  return text
}

/** The server's `Sec-WebSocket-Extensions` answer to what `ws` offers by default. */
function acceptedExtensions(url: string): Promise<string | undefined> {
  const socket = new WebSocket(url)
  onCleanup(() => socket.terminate())
  return new Promise((resolve, reject) => {
    socket.once('upgrade', (response) => resolve(response.headers['sec-websocket-extensions']))
    socket.once('error', reject)
  })
}

async function say(client: RawClient, room: string, content: string): Promise<number> {
  const sent = client.sendFrame('chat_message', { room, data: { content } })
  const ack = await client.nextOfType('ack', (frame) => frame.data.refId === sent.id)
  return ack.data.seq ?? 0
}

describe('server compression (permessage-deflate)', () => {
  it('is not negotiated by default, nor with compression: false', async () => {
    for (const compression of [undefined, false]) {
      const server = await startServer(compression === undefined ? {} : { compression })
      const client = await connect(server.url)
      expect(client.socket.extensions).toBe('')
    }
  })

  it('is negotiated with no context takeover either way and the server window when enabled', async () => {
    const server = await startServer({ compression: true })
    const client = await connect(server.url)
    expect(client.socket.extensions).toBe('permessage-deflate')
    expect(await acceptedExtensions(server.url)).toBe(
      'permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=13',
    )
  })

  it('sends frames below the threshold uncompressed and larger ones compressed', async () => {
    const server = await startServer({ compression: true, rateLimit: false })
    const writer = await joinedAs(server.url, 'writer', 'general')
    const reader = await connect(server.url)
    const frames = wireFrames(reader)
    await reader.authenticate(await tokenFor('reader'))
    reader.sendFrame('join', { room: 'general', data: {} })
    await reader.nextOfType('joined')
    const small = await say(writer, 'general', 'hi')
    await reader.nextOfType('chat_message', (frame) => frame.seq === small)
    const large = await say(writer, 'general', 'x'.repeat(4096))
    await reader.nextOfType('chat_message', (frame) => frame.seq === large)

    const text = frames.filter((frame) => frame.opcode === 1)
    expect(text.length).toBe(reader.received.length)
    const [authOk, ...rest] = text
    expect(authOk?.rsv1).toBe(false)
    expect(rest.at(-2)).toMatchObject({ rsv1: false })
    // 4 KiB of one letter: compressed, and much smaller on the wire than its text.
    expect(rest.at(-1)?.rsv1).toBe(true)
    expect(rest.at(-1)?.length).toBeLessThan(1024)
  })

  it('takes the threshold from the options', async () => {
    const server = await startServer({ compression: { threshold: 8192 }, rateLimit: false })
    const writer = await joinedAs(server.url, 'writer', 'general')
    const reader = await connect(server.url)
    const frames = wireFrames(reader)
    await reader.authenticate(await tokenFor('reader'))
    reader.sendFrame('join', { room: 'general', data: {} })
    await reader.nextOfType('joined')
    const below = await say(writer, 'general', 'x'.repeat(4096))
    await reader.nextOfType('chat_message', (frame) => frame.seq === below)
    const above = await say(writer, 'general', 'x'.repeat(10_000))
    await reader.nextOfType('chat_message', (frame) => frame.seq === above)

    const text = frames.filter((frame) => frame.opcode === 1)
    expect(text.at(-2)).toMatchObject({ rsv1: false })
    expect(text.at(-2)?.length).toBeGreaterThan(4096)
    expect(text.at(-1)?.rsv1).toBe(true)
  })

  it('accepts compressed frames from clients, held to maxPayload once inflated', async () => {
    const server = await startServer({ compression: true, maxPayload: 8192 })
    const writer = await joinedAs(server.url, 'writer', 'general')
    const sent = tcpOf(writer).bytesWritten
    expect(await say(writer, 'general', 'y'.repeat(6000))).toBe(1)
    // ws compressed it on the way out: the server inflated it and took it.
    expect(tcpOf(writer).bytesWritten - sent).toBeLessThan(1024)
  })

  it('closes with 1009 a small compressed frame that inflates past the limit, leaving others alone', async () => {
    const server = await startServer({ compression: true, maxPayload: 4096 })
    const bystander = await joinedAs(server.url, 'bystander', 'general')
    const attacker = await joinedAs(server.url, 'attacker', 'general')
    const before = tcpOf(attacker).bytesWritten
    // 16 MiB of one letter deflates to about 16 KiB; the server stops inflating at its cap.
    attacker.send(
      JSON.stringify({
        type: 'chat_message',
        room: 'general',
        data: { content: 'z'.repeat(16 * 1024 * 1024) },
      }),
    )
    expect((await attacker.closed).code).toBe(1009)
    expect(tcpOf(attacker).bytesWritten - before).toBeLessThan(64 * 1024)
    expect(await say(bystander, 'general', 'still here')).toBe(1)
  })

  it('still drops a compressed member that stops reading with 4009, its buffer bounded by maxBufferedBytes', async () => {
    const logger = quietLogger()
    const maxBufferedBytes = 256 * 1024
    const server = await startServer({
      compression: true,
      maxBufferedBytes,
      rateLimit: false,
      logger,
    })
    const writer = await joinedAs(server.url, 'writer', 'general')
    const fast = await joinedAs(server.url, 'fast', 'general')
    const slow = await joinedAs(server.url, 'slow', 'general')
    expect(slow.socket.extensions).toMatch(/^permessage-deflate/)
    tcpOf(slow).pause()

    const drop = () => logger.logged.find((line) => /dropped slow consumer slow/.test(line))
    const content = noise(16 * 1024, 7)
    let seq = 0
    // Bounded at 4000 messages of 16 KiB (about 12 KiB each once compressed).
    for (let i = 0; i < 4000 && !drop(); i++) {
      seq = await say(writer, 'general', content)
      await fast.nextOfType('chat_message', (frame) => frame.seq === seq)
    }
    const line = drop()
    expect(line).toBeDefined()
    // What the server held for it when it let go: just past the limit, not more.
    const held = Number(/: (\d+) bytes unsent/.exec(line ?? '')?.[1])
    expect(held).toBeGreaterThan(maxBufferedBytes)
    expect(held).toBeLessThan(maxBufferedBytes + 32 * 1024)
    tcpOf(slow).resume()

    expect(await slow.closed).toEqual({ code: 4009, reason: 'slow consumer' })
    expect(framesOf(slow, 'error').at(-1)?.data.code).toBe('SLOW_CONSUMER')
    const got = framesOf(slow, 'chat_message').map((frame) => frame.seq)
    expect(got).toEqual(Array.from({ length: got.length }, (_, i) => i + 1))
    expect(got.length).toBeLessThan(seq)
  })

  it('refuses compression options that cannot work, naming the fix', async () => {
    const bad = (compression: unknown) =>
      createRealtimeServer({
        port: 0,
        jwt: { secret: TEST_SECRET },
        compression: compression as never,
      }).then((server) => onCleanup(() => server.close()))
    await expect(bad('yes')).rejects.toThrow(/compression must be true, false or/)
    await expect(bad({ threshold: -1 })).rejects.toThrow(/compression.threshold/)
    await expect(bad({ concurrencyLimit: 0 })).rejects.toThrow(/compression.concurrencyLimit/)
    await expect(bad({ level: 10 })).rejects.toThrow(
      /compression.level must be an integer from 0 to 9/,
    )
    await expect(bad({ memLevel: 0 })).rejects.toThrow(/compression.memLevel/)
    await expect(bad({ windowBits: 8 })).rejects.toThrow(/compression.windowBits/)
  })
})
