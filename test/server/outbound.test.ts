import type { Socket } from 'node:net'
import { describe, expect, it } from 'vitest'
import type { RawClient } from '../support/rawClient'
import { connectAs, framesOf, join, joinedAs, quietLogger, startServer } from './harness'

/** The TCP socket under a `ws` client: pausing it stops reading, as a stuck peer does. */
const tcpOf = (client: RawClient) => (client.socket as unknown as { _socket: Socket })._socket

const CONTENT = 'x'.repeat(16 * 1024)

async function say(client: RawClient, room: string, content: string): Promise<number> {
  const sent = client.sendFrame('chat_message', { room, data: { content } })
  const ack = await client.nextOfType('ack', (frame) => frame.data.refId === sent.id)
  return ack.data.seq ?? 0
}

const chatSeqs = (client: RawClient, room: string) =>
  framesOf(client, 'chat_message')
    .filter((frame) => frame.room === room)
    .map((frame) => frame.seq)

describe('server outbound: slow consumers', () => {
  it('drops a member that stops reading with SLOW_CONSUMER and 4009 once its buffer passes maxBufferedBytes, while another member gets every message at once', async () => {
    const logger = quietLogger()
    const server = await startServer({ maxBufferedBytes: 256 * 1024, rateLimit: false, logger })
    const writer = await joinedAs(server.url, 'writer', 'general')
    const fast = await joinedAs(server.url, 'fast', 'general')
    const slow = await joinedAs(server.url, 'slow', 'general')
    tcpOf(slow).pause()

    const dropped = () => logger.logged.some((line) => /dropped slow consumer slow/.test(line))
    let seq = 0
    // Loopback buffers hold a few MB before ws's own buffer grows: bounded at 64 MB sent.
    for (let i = 0; i < 4000 && !dropped(); i++) {
      seq = await say(writer, 'general', CONTENT)
      // The fast member has it before the next one is written: nothing waits for the slow one.
      await fast.nextOfType('chat_message', (frame) => frame.seq === seq)
    }
    expect(dropped()).toBe(true)
    tcpOf(slow).resume()

    expect(await slow.closed).toEqual({ code: 4009, reason: 'slow consumer' })
    const notice = framesOf(slow, 'error').at(-1)
    expect(notice?.data.code).toBe('SLOW_CONSUMER')
    expect(notice?.data.message).toMatch(/above the server's maxBufferedBytes of 262144/)
    // What it got is a prefix of the room: nothing skipped, nothing after the drop.
    const got = chatSeqs(slow, 'general')
    expect(got).toEqual(Array.from({ length: got.length }, (_, i) => i + 1))
    expect(got.length).toBeLessThan(seq)

    const after = await say(writer, 'general', 'after the drop')
    await fast.nextOfType('chat_message', (frame) => frame.seq === after)
    expect(chatSeqs(fast, 'general')).toEqual(Array.from({ length: after }, (_, i) => i + 1))
  })

  it('sends a join its whole replay even when it is larger than maxBufferedBytes', async () => {
    const server = await startServer({ maxBufferedBytes: 1024 * 1024, rateLimit: false })
    const writer = await joinedAs(server.url, 'writer', 'general')
    for (let i = 0; i < 300; i++) await say(writer, 'general', CONTENT)
    const reader = await connectAs(server.url, 'reader')
    await join(reader, 'general')
    await reader.next(() => chatSeqs(reader, 'general').length === 300, 10_000)
    const live = await say(writer, 'general', 'live')
    await reader.nextOfType('chat_message', (frame) => frame.seq === live)
  })
})
