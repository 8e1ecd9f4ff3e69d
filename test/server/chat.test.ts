import { describe, expect, it } from 'vitest'
import type { Frame } from '../../src/protocol'
import { makeFrame } from '../../src/protocol'
import { framesOf, joinedAs, roundTrip, startServer } from './harness'

const chatSeqs = (frames: Frame[]) =>
  frames.flatMap((frame) => (frame.type === 'chat_message' ? [frame.seq] : []))

describe('server chat', () => {
  it('broadcasts to every member with seq 1, 2, 3 and acks the sender after its own copy', async () => {
    const server = await startServer()
    const alice = await joinedAs(server.url, 'alice', 'general')
    const bob = await joinedAs(server.url, 'bob', 'general')

    for (const content of ['one', 'two', 'three']) {
      const sent = alice.sendFrame('chat_message', { room: 'general', data: { content } })
      const copy = await alice.nextOfType('chat_message', (frame) => frame.id === sent.id)
      const ack = await alice.nextOfType('ack', (frame) => frame.data.refId === sent.id)
      expect(ack.data.seq).toBe(copy.seq)
      expect(ack.room).toBe('general')
    }
    await bob.nextOfType('chat_message', (frame) => frame.data.content === 'three')

    expect(chatSeqs(alice.received)).toEqual([1, 2, 3])
    expect(chatSeqs(bob.received)).toEqual([1, 2, 3])
    const ackIndex = alice.received.findIndex((frame) => frame.type === 'ack')
    const copyIndex = alice.received.findIndex((frame) => frame.type === 'chat_message')
    expect(copyIndex).toBeLessThan(ackIndex)
  })

  it('refuses blank content and control characters as the client API does, storing nothing', async () => {
    const server = await startServer()
    const alice = await joinedAs(server.url, 'alice', 'general')
    for (const content of ['', '   ', 'bell\u0007']) {
      const sent = alice.sendFrame('chat_message', { room: 'general', data: { content } })
      const error = await alice.nextOfType('error', (frame) => frame.data.refId === sent.id)
      expect(error.data).toMatchObject({ code: 'INVALID_FRAME' })
      expect(error.data.message).toMatch(/data\.content: message (is empty|contains control)/)
    }
    const ok = alice.sendFrame('chat_message', { room: 'general', data: { content: 'fine' } })
    const ack = await alice.nextOfType('ack', (frame) => frame.data.refId === ok.id)
    expect(ack.data.seq).toBe(1)
  })

  it('stamps the authenticated user and server time, keeping the client id', async () => {
    const server = await startServer()
    const alice = await joinedAs(server.url, 'alice', 'general')
    const before = Date.now()
    const sent = alice.sendFrame('chat_message', {
      room: 'general',
      userId: 'mallory',
      timestamp: 1,
      seq: 999,
      data: { content: 'hi', mentions: ['bob'] },
    })
    const copy = await alice.nextOfType('chat_message')
    expect(copy).toMatchObject({
      id: sent.id,
      userId: 'alice',
      seq: 1,
      data: { content: 'hi', mentions: ['bob'] },
    })
    expect(copy.timestamp).toBeGreaterThanOrEqual(before)
  })

  it('acks a repeated id with the original seq and does not broadcast it again', async () => {
    const server = await startServer()
    const alice = await joinedAs(server.url, 'alice', 'general')
    const bob = await joinedAs(server.url, 'bob', 'general')

    const first = alice.sendFrame('chat_message', { room: 'general', data: { content: 'once' } })
    const firstAck = await alice.nextOfType('ack')
    alice.sendFrame('chat_message', { id: first.id, room: 'general', data: { content: 'once' } })
    const repeatAck = await alice.nextOfType('ack')
    expect(repeatAck.data).toEqual({ refId: first.id, seq: firstAck.data.seq })

    // A later message proves the repeat would have arrived before it.
    alice.sendFrame('chat_message', { room: 'general', data: { content: 'marker' } })
    await bob.nextOfType('chat_message', (frame) => frame.data.content === 'marker')
    await alice.nextOfType('ack', (frame) => frame.data.seq === 2)
    expect(chatSeqs(bob.received)).toEqual([1, 2])
    expect(chatSeqs(alice.received)).toEqual([1, 2])
  })

  it('refuses with DUPLICATE_ID an id another user already used in the room, storing nothing', async () => {
    const server = await startServer()
    const alice = await joinedAs(server.url, 'alice', 'general')
    const bob = await joinedAs(server.url, 'bob', 'general')
    alice.sendFrame('chat_message', { id: 'same', room: 'general', data: { content: 'a' } })
    await alice.nextOfType('ack')
    bob.sendFrame('chat_message', { id: 'same', room: 'general', data: { content: 'b' } })
    const error = await bob.nextOfType('error')
    expect(error.room).toBe('general')
    expect(error.data).toMatchObject({ code: 'DUPLICATE_ID', refId: 'same' })
    expect(error.data.message).toMatch(
      /message id same is already used in general by another user; pick a new id/,
    )
    // The next message gets seq 2: the refused one took no seq and reached nobody.
    const next = bob.sendFrame('chat_message', { room: 'general', data: { content: 'c' } })
    expect((await bob.nextOfType('ack', (ack) => ack.data.refId === next.id)).data.seq).toBe(2)
    await alice.nextOfType('chat_message', (frame) => frame.id === next.id)
    expect(chatSeqs(alice.received)).toEqual([1, 2])
    expect(framesOf(bob, 'chat_message').map((frame) => frame.data.content)).toEqual(['a', 'c'])
  })

  it('still acks the first author repeating an id another user was refused', async () => {
    const server = await startServer()
    const alice = await joinedAs(server.url, 'alice', 'general')
    const bob = await joinedAs(server.url, 'bob', 'general')
    alice.sendFrame('chat_message', { id: 'same', room: 'general', data: { content: 'a' } })
    await alice.nextOfType('ack')
    bob.sendFrame('chat_message', { id: 'same', room: 'general', data: { content: 'b' } })
    await bob.nextOfType('error')
    alice.sendFrame('chat_message', { id: 'same', room: 'general', data: { content: 'a' } })
    expect((await alice.nextOfType('ack')).data).toEqual({ refId: 'same', seq: 1 })
  })

  it('lets the same id be used in another room', async () => {
    const server = await startServer()
    const alice = await joinedAs(server.url, 'alice', 'general')
    const bob = await joinedAs(server.url, 'bob', 'random')
    alice.sendFrame('chat_message', { id: 'same', room: 'general', data: { content: 'a' } })
    await alice.nextOfType('ack')
    bob.sendFrame('chat_message', { id: 'same', room: 'random', data: { content: 'b' } })
    expect((await bob.nextOfType('ack')).data).toEqual({ refId: 'same', seq: 1 })
  })

  it('refuses with MESSAGE_TOO_LARGE a message that would be stored above maxPayload', async () => {
    const server = await startServer({ maxPayload: 2048 })
    const alice = await joinedAs(server.url, 'alice', 'general')
    // Fits the inbound limit, but not once the server adds userId, timestamp and seq.
    const probe = makeFrame('chat_message', { room: 'general', data: { content: '' } })
    const content = 'x'.repeat(2048 - Buffer.byteLength(JSON.stringify(probe)) - 2)
    const sent = alice.sendFrame('chat_message', {
      id: probe.id,
      room: 'general',
      data: { content },
    })
    const error = await alice.nextOfType('error')
    expect(error.room).toBe('general')
    expect(error.data).toMatchObject({ code: 'MESSAGE_TOO_LARGE', refId: sent.id })
    expect(error.data.message).toMatch(/above the server's maxPayload of 2048/)
    await roundTrip(alice)
    expect(framesOf(alice, 'chat_message')).toEqual([])
  })

  it('keeps rooms apart: each has its own seq and members', async () => {
    const server = await startServer()
    const alice = await joinedAs(server.url, 'alice', 'general')
    const bob = await joinedAs(server.url, 'bob', 'random')
    alice.sendFrame('chat_message', { room: 'general', data: { content: 'g' } })
    bob.sendFrame('chat_message', { room: 'random', data: { content: 'r' } })
    expect((await alice.nextOfType('ack')).data.seq).toBe(1)
    expect((await bob.nextOfType('ack')).data.seq).toBe(1)
    expect(chatSeqs(alice.received)).toEqual([1])
    expect(alice.received.some((frame) => frame.room === 'random')).toBe(false)
  })

  it('keeps broadcast order equal to seq order under concurrent senders', async () => {
    const server = await startServer({ rateLimit: false })
    const writers = await Promise.all(
      ['u1', 'u2', 'u3'].map((user) => joinedAs(server.url, user, 'busy')),
    )
    const reader = await joinedAs(server.url, 'reader', 'busy')
    for (let i = 0; i < 50; i++) {
      for (const writer of writers)
        writer.sendFrame('chat_message', { room: 'busy', data: { content: `m${i}` } })
    }
    await reader.nextOfType('chat_message', (frame) => frame.seq === 150)
    expect(chatSeqs(reader.received)).toEqual(Array.from({ length: 150 }, (_, i) => i + 1))
  })
})
