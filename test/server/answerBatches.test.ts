import { describe, expect, it } from 'vitest'
import { decodeFrame, encodeFrame, makeFrame } from '../../src/protocol'
import type { Frame } from '../../src/protocol'
import { packAnswers } from '../../src/server/answerBatches'
import type { RawClient } from '../support/rawClient'
import { tokenFor } from '../support/tokens'
import { connect, framesOf, join, roundTrip, startServer } from './harness'

const ack = (n: number) => {
  const frame = makeFrame('ack', {
    id: `ack-${n}`,
    room: 'general',
    data: { refId: `m-${n}`, seq: n },
  })
  const text = encodeFrame(frame)
  return { text, bytes: Buffer.byteLength(text) }
}

const decoded = (text: string): Frame => {
  const result = decodeFrame(text, { maxBytes: 1024 * 1024 })
  if (!result.ok) throw new Error(result.message)
  return result.frame
}

/** The WebSocket messages a client gets from now on, as sent. */
function messagesOf(client: RawClient): string[] {
  const texts: string[] = []
  client.socket.on('message', (data: Buffer) => texts.push(data.toString('utf8')))
  return texts
}

/** `count` chat messages to general, sent as one client batch. */
function sendBatch(client: RawClient, count: number, content = (i: number) => `m${i}`) {
  const frames = Array.from({ length: count }, (_, i) =>
    makeFrame('chat_message', { room: 'general', data: { content: content(i) } }),
  )
  client.send(makeFrame('batch', { data: { frames } }))
  return frames.map((frame) => frame.id)
}

async function member(url: string, userId: string, maxFrameBytes?: number): Promise<RawClient> {
  const client = await connect(url)
  const token = await tokenFor(userId)
  client.sendFrame('auth', { data: maxFrameBytes ? { token, maxFrameBytes } : { token } })
  await client.nextOfType('auth_ok')
  await join(client, 'general')
  return client
}

describe('packAnswers', () => {
  it('packs encoded frames in order into batches of at most 200, within the byte limit', () => {
    const frames = Array.from({ length: 450 }, (_, i) => ack(i + 1))
    const messages = packAnswers(frames, 1024 * 1024).map(decoded)
    expect(messages.map((m) => (m.type === 'batch' ? m.data.frames.length : 1))).toEqual([
      200, 200, 50,
    ])
    const limit = 1024
    const small = packAnswers(frames.slice(0, 40), limit)
    expect(small.every((text) => Buffer.byteLength(text) <= limit)).toBe(true)
    const flat = small.map(decoded).flatMap((m) => (m.type === 'batch' ? m.data.frames : [m]))
    expect(flat.map((f) => f.type === 'ack' && f.data.seq)).toEqual(
      Array.from({ length: 40 }, (_, i) => i + 1),
    )
  })

  it('never wraps a lone frame, nor one that fits only alone', () => {
    const one = ack(1)
    expect(packAnswers([one], 1024)).toEqual([one.text])
    const big = { text: 'x'.repeat(1000), bytes: 1000 }
    // Built once: ack() stamps the time, so two calls can differ by a millisecond.
    const two = ack(2)
    expect(packAnswers([one, big, two], 1024)).toEqual([one.text, big.text, two.text])
  })
})

describe('server: answers to a client batch', () => {
  it('echoes and acks 50 messages sent in one batch in a few frames, each exactly once and in order', async () => {
    const server = await startServer({ rateLimit: false })
    const alice = await member(server.url, 'alice')
    const bob = await member(server.url, 'bob')
    const texts = messagesOf(alice)
    const ids = sendBatch(alice, 50)
    await roundTrip(alice)
    // All 50 echoes and 50 acks in one or two messages, not 100.
    const answers = texts
      .map(decoded)
      .filter((f) => ['batch', 'ack', 'chat_message'].includes(f.type))
    expect(answers.length).toBeLessThanOrEqual(2)
    const acks = framesOf(alice, 'ack')
    expect(acks.map((a) => a.data.refId)).toEqual(ids)
    expect(acks.map((a) => a.data.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1))
    const flat = alice.received.flatMap((f) => (f.type === 'batch' ? f.data.frames : [f]))
    for (const id of ids) {
      const copy = flat.findIndex((f) => f.type === 'chat_message' && f.id === id)
      const acked = flat.findIndex((f) => f.type === 'ack' && f.data.refId === id)
      expect(copy).toBeGreaterThanOrEqual(0)
      expect(copy).toBeLessThan(acked)
    }
    // Another member gets each message as it is stored.
    await roundTrip(bob)
    expect(framesOf(bob, 'chat_message').map((f) => f.id)).toEqual(ids)
  })

  it("splits what a batch is owed to fit the client's maxFrameBytes", async () => {
    const server = await startServer({ rateLimit: false })
    const limit = 1024
    const alice = await member(server.url, 'alice', limit)
    const texts = messagesOf(alice)
    const ids = sendBatch(alice, 50, (i) => `${i} ${'x'.repeat(100)}`)
    await roundTrip(alice)
    expect(texts.every((text) => Buffer.byteLength(text) <= limit)).toBe(true)
    // Packed (several frames a message), yet split: one batch would be ~18 KB.
    const answers = texts
      .map(decoded)
      .filter((f) => ['batch', 'ack', 'chat_message'].includes(f.type))
    expect(answers.length).toBeGreaterThan(10)
    expect(answers.length).toBeLessThan(60)
    expect(framesOf(alice, 'ack').map((a) => a.data.refId)).toEqual(ids)
    expect(framesOf(alice, 'chat_message').map((f) => f.id)).toEqual(ids)
  })
})
