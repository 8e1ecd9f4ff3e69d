import { describe, expect, it } from 'vitest'
import type { Frame, FrameOfType } from '../../src/protocol'
import type { RawClient } from '../support/rawClient'
import { tokenFor } from '../support/tokens'
import { connect, connectAs, framesOf, join, joinedAs, quietLogger, startServer } from './harness'

/** A client that states `maxFrameBytes` in its auth and records the size of every message. */
async function limitedAs(url: string, userId: string, maxFrameBytes?: number) {
  const client = await connect(url)
  const sizes: number[] = []
  client.socket.on('message', (data: Buffer) => sizes.push(data.length))
  const token = await tokenFor(userId)
  client.sendFrame('auth', { data: { token, ...(maxFrameBytes ? { maxFrameBytes } : {}) } })
  await client.nextOfType('auth_ok')
  return { client, sizes }
}

async function say(client: RawClient, room: string, content: string) {
  const sent = client.sendFrame('chat_message', { room, data: { content } })
  return (await client.nextOfType('ack', (frame) => frame.data.refId === sent.id)).data.seq
}

/** What a client applies from a room, in order: chat seqs, and skipped seqs as `skip <seq>`. */
function streamOf(client: RawClient, room: string): Array<number | string> {
  return client.received
    .flatMap((frame): Frame[] => (frame.type === 'batch' ? frame.data.frames : [frame]))
    .flatMap((frame): Array<number | string> => {
      if (frame.room !== room) return []
      if (frame.type === 'error' && frame.data.code === 'MESSAGE_TOO_LARGE')
        return [`skip ${frame.data.seq}`]
      return frame.type === 'chat_message' || frame.type === 'direct_message'
        ? [frame.seq ?? 0]
        : []
    })
}

const batchesOf = (client: RawClient) =>
  client.received.filter((frame) => frame.type === 'batch').length

const big = (bytes: number) => 'x'.repeat(bytes)

describe("server: the client's frame limit", () => {
  it('sizes replay batches to the maxFrameBytes the client stated, not to maxPayload', async () => {
    const server = await startServer()
    const alice = await joinedAs(server.url, 'alice', 'general')
    for (let i = 0; i < 40; i++) await say(alice, 'general', `${i} ${big(300)}`)
    const bob = await limitedAs(server.url, 'bob', 2048)
    await join(bob.client, 'general')
    // Live frames reach bob only after his whole replay.
    await say(alice, 'general', 'live')
    await bob.client.nextOfType('chat_message', (frame) => frame.data.content === 'live')
    expect(streamOf(bob.client, 'general')).toEqual(Array.from({ length: 41 }, (_, i) => i + 1))
    expect(batchesOf(bob.client)).toBeGreaterThan(5)
    expect(Math.max(...bob.sizes)).toBeLessThanOrEqual(2048)
  })

  it('replaces a replayed message above the limit with MESSAGE_TOO_LARGE naming room and seq, in its place', async () => {
    const server = await startServer()
    const alice = await joinedAs(server.url, 'alice', 'general')
    await say(alice, 'general', 'small 1')
    await say(alice, 'general', big(3000))
    await say(alice, 'general', 'small 3')
    const bob = await limitedAs(server.url, 'bob', 2048)
    await join(bob.client, 'general')
    const error = await bob.client.nextOfType('error')
    expect(error.room).toBe('general')
    expect(error.data).toMatchObject({ code: 'MESSAGE_TOO_LARGE', seq: 2 })
    expect(error.data.refId).toBeUndefined()
    expect(error.data.message).toMatch(/chat_message seq 2 in general: \d+ bytes .* of 2048/)
    await bob.client.nextOfType('batch')
    expect(streamOf(bob.client, 'general')).toEqual([1, 'skip 2', 3])
    expect(Math.max(...bob.sizes)).toBeLessThanOrEqual(2048)
  })

  it('skips a live message above the limit for that connection only, and the room keeps working', async () => {
    const server = await startServer()
    const alice = await joinedAs(server.url, 'alice', 'general')
    const bob = await limitedAs(server.url, 'bob', 2048)
    await join(bob.client, 'general')
    await say(alice, 'general', 'one')
    await say(alice, 'general', big(3000))
    await say(alice, 'general', 'three')
    await bob.client.nextOfType('chat_message', (frame) => frame.data.content === 'three')
    expect(streamOf(bob.client, 'general')).toEqual([1, 'skip 2', 3])
    expect(streamOf(alice, 'general')).toEqual([1, 2, 3])
    expect(Math.max(...bob.sizes)).toBeLessThanOrEqual(2048)
  })

  it('acks a sender whose own copy is above its limit, sending the skip in its place', async () => {
    const server = await startServer()
    const alice = await limitedAs(server.url, 'alice', 2048)
    await join(alice.client, 'general')
    const sent = alice.client.sendFrame('chat_message', {
      room: 'general',
      data: { content: big(3000) },
    })
    const ack = await alice.client.nextOfType('ack', (frame) => frame.data.refId === sent.id)
    expect(ack.data.seq).toBe(1)
    expect(streamOf(alice.client, 'general')).toEqual(['skip 1'])
  })

  it('skips a direct message above the limit on the private stream with its seq', async () => {
    const server = await startServer()
    const alice = await connectAs(server.url, 'alice')
    const bob = await limitedAs(server.url, 'bob', 2048)
    await join(bob.client, 'user:bob')
    for (const content of [big(3000), 'small']) {
      const sent = alice.sendFrame('direct_message', { data: { to: 'bob', content } })
      await alice.nextOfType('ack', (frame) => frame.data.refId === sent.id)
    }
    await bob.client.nextOfType('direct_message')
    expect(streamOf(bob.client, 'user:bob')).toEqual(['skip 1', 2])
  })

  it('holds a connection to min(its limit, maxPayload)', async () => {
    const server = await startServer({ maxPayload: 4096 })
    const bob = await limitedAs(server.url, 'bob', 1024 * 1024)
    await join(bob.client, 'user:bob')
    server.notify('bob', { title: 'big', body: '€'.repeat(4000) })
    server.notify('bob', { title: 'small' })
    await bob.client.nextOfType('notification')
    const skipped = framesOf(bob.client, 'error')
    expect(skipped.map((frame) => [frame.room, frame.data.code, frame.data.seq])).toEqual([
      ['user:bob', 'MESSAGE_TOO_LARGE', 1],
    ])
    expect(Math.max(...bob.sizes)).toBeLessThanOrEqual(4096)
  })

  it("batches the room's read receipts after a join to the connection's limit", async () => {
    const server = await startServer()
    for (let i = 0; i < 12; i++) {
      const reader = await joinedAs(server.url, `reader${i}`, 'general')
      reader.sendFrame('read_receipt', {
        room: 'general',
        data: { messageId: `m${i}`.padEnd(100, 'x'), seq: 1 },
      })
      await reader.nextOfType('read_receipt', (frame) => frame.userId === `reader${i}`)
    }
    const bob = await limitedAs(server.url, 'bob', 1024)
    await join(bob.client, 'general')
    await bob.client.nextOfType('batch', () => framesOf(bob.client, 'read_receipt').length === 12)
    expect(batchesOf(bob.client)).toBeGreaterThan(2)
    expect(Math.max(...bob.sizes)).toBeLessThanOrEqual(1024)
  })

  it('drops any other frame above the limit with a logged warning, and the connection goes on', async () => {
    const logger = quietLogger()
    const server = await startServer({ logger })
    const bob = await limitedAs(server.url, 'bob', 2048)
    server.systemAlert({ message: '€'.repeat(1000) })
    server.systemAlert({ message: 'small' })
    const alert: FrameOfType<'system_alert'> = await bob.client.nextOfType('system_alert')
    expect(alert.data.message).toBe('small')
    expect(framesOf(bob.client, 'system_alert')).toHaveLength(1)
    expect(logger.logged).toEqual([
      expect.stringMatching(
        /^warn: .*dropped a \d+-byte frame for bob, above its maxFrameBytes of 2048/,
      ),
    ])
  })

  it('keeps the stated limit when a refreshed auth does not state one', async () => {
    const server = await startServer()
    const bob = await limitedAs(server.url, 'bob', 2048)
    await bob.client.authenticate(await tokenFor('bob'))
    await join(bob.client, 'general')
    const alice = await joinedAs(server.url, 'alice', 'general')
    await say(alice, 'general', big(3000))
    await bob.client.nextOfType('error')
    expect(streamOf(bob.client, 'general')).toEqual(['skip 1'])
  })
})
