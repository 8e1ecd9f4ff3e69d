import { Redis } from 'ioredis'
import { afterEach, describe, expect, it } from 'vitest'
import type { Frame, StreamFrame } from '../../src/protocol'
import { createId } from '../../src/protocol'
import type { StreamBroker } from '../../src/server/broker'
import { createRedisBroker } from '../../src/server/redis/broker'
import { createRedisHistory } from '../../src/server/redis/history'
import type { RawClient } from '../support/rawClient'
import { useRedisServer } from '../support/redisServer'
import { connectAs, join, startServer } from './harness'

const redisServer = useRedisServer()
const brokers: StreamBroker[] = []
const clients: Redis[] = []
afterEach(async () => {
  await Promise.all(brokers.splice(0).map((broker) => broker.close()))
  await Promise.all(clients.splice(0).map((redis) => redis.quit().catch(() => undefined)))
})

/** One server process on the shared Redis: its own connection, history and broker. */
async function startProcess(prefix: string) {
  const redis = new Redis(redisServer.current.url)
  clients.push(redis)
  const broker = createRedisBroker({ redis, prefix })
  brokers.push(broker)
  return startServer({
    rateLimit: false,
    history: createRedisHistory({ redis, historySize: 5000, prefix }),
    broker,
  })
}

/** Stream frames of `type` received, batches (replays) expanded, in arrival order. */
function streamFrames(client: RawClient, type: StreamFrame['type']): StreamFrame[] {
  const flat = (frames: Frame[]): Frame[] =>
    frames.flatMap((frame) => (frame.type === 'batch' ? flat(frame.data.frames) : [frame]))
  return flat(client.received).filter((frame): frame is StreamFrame => frame.type === type)
}

/** Waits (bounded) until `client` holds `count` frames of `type`; resolves with them. */
async function receivedCount(
  client: RawClient,
  type: StreamFrame['type'],
  count: number,
  timeoutMs = 10_000,
): Promise<StreamFrame[]> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const frames = streamFrames(client, type)
    if (frames.length >= count) return frames
    if (Date.now() > deadline)
      throw new Error(`received ${frames.length} ${type} frames of ${count} within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/** Sends chat messages `window` at a time, each window waiting for its acks. */
async function say(client: RawClient, contents: string[], window = 1): Promise<number[]> {
  const seqs: number[] = []
  for (let i = 0; i < contents.length; i += window) {
    const sent = contents
      .slice(i, i + window)
      .map((content) => client.sendFrame('chat_message', { room: 'general', data: { content } }))
    for (const frame of sent) {
      const ack = await client.nextOfType('ack', (a) => a.data.refId === frame.id, 10_000)
      seqs.push(ack.data.seq ?? -1)
    }
  }
  return seqs
}

const seqsOf = (frames: StreamFrame[]) => frames.map((frame) => frame.seq)
const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i)

describe('live fan-out between server processes on one Redis', () => {
  it('delivers every message of one room live to members on every process, once, in seq order', async () => {
    const prefix = `t${createId(8)}:`
    const a = await startProcess(prefix)
    const b = await startProcess(prefix)
    const alice = await connectAs(a.url, 'alice')
    const carol = await connectAs(a.url, 'carol')
    const bob = await connectAs(b.url, 'bob')
    const epochs = [
      (await join(alice, 'general')).data.epoch,
      (await join(carol, 'general')).data.epoch,
      (await join(bob, 'general')).data.epoch,
    ]
    expect(new Set(epochs).size).toBe(1)

    // Turns alternate between the processes; each sender waits for its acks only.
    await say(alice, ['a1', 'a2'])
    await say(bob, ['b1', 'b2', 'b3'])
    await say(alice, ['a3'])
    await say(bob, ['b4'])
    for (const member of [alice, carol, bob]) {
      const chats = await receivedCount(member, 'chat_message', 7)
      expect(seqsOf(chats)).toEqual(range(1, 7))
      expect(chats.map((chat) => chat.type === 'chat_message' && chat.data.content)).toEqual([
        'a1',
        'a2',
        'b1',
        'b2',
        'b3',
        'a3',
        'b4',
      ])
    }
    // Nothing more arrives (each seq once): a marker after them is the 8th frame everywhere.
    await say(bob, ['marker'])
    for (const member of [alice, carol, bob])
      expect(seqsOf(await receivedCount(member, 'chat_message', 8))).toEqual(range(1, 8))
  })

  it('carries direct messages and notifications live from one process to a user on another', async () => {
    const prefix = `t${createId(8)}:`
    const a = await startProcess(prefix)
    const b = await startProcess(prefix)
    const alice = await connectAs(a.url, 'alice')
    const bob = await connectAs(b.url, 'bob')
    await join(alice, 'user:alice')
    await join(bob, 'user:bob')

    const sent = alice.sendFrame('direct_message', { data: { to: 'bob', content: 'hi bob' } })
    await alice.nextOfType('ack', (ack) => ack.data.refId === sent.id)
    const theirs = await bob.nextOfType('direct_message')
    expect(theirs).toMatchObject({ id: sent.id, room: 'user:bob', userId: 'alice', seq: 1 })
    const reply = bob.sendFrame('direct_message', { data: { to: 'alice', content: 'hi alice' } })
    const back = await alice.nextOfType('direct_message', (dm) => dm.id === reply.id)
    expect(back).toMatchObject({ room: 'user:alice', userId: 'bob', seq: 2 })
    // A notification appended by the other process reaches bob's private stream live too.
    const notified = a.notify('bob', { title: 'from process a', severity: 'info' })
    expect(await bob.nextOfType('notification')).toMatchObject({ id: notified, seq: 3 })
    // Each stream's frames once: the sender's own copy on its stream, the addressee's on theirs.
    expect(seqsOf(await receivedCount(alice, 'direct_message', 2))).toEqual([1, 2])
    expect(seqsOf(await receivedCount(bob, 'direct_message', 2))).toEqual([1, 2])
    expect(seqsOf(streamFrames(bob, 'notification'))).toEqual([3])
  })

  it('brings a burst of 1,200 messages from two processes complete and in order to a member on a third', async () => {
    const prefix = `t${createId(8)}:`
    const [a, b, c] = [
      await startProcess(prefix),
      await startProcess(prefix),
      await startProcess(prefix),
    ]
    const alice = await connectAs(a.url, 'alice')
    const bob = await connectAs(b.url, 'bob')
    const carol = await connectAs(c.url, 'carol')
    for (const member of [alice, bob, carol]) await join(member, 'general')

    const count = 600
    const [fromAlice, fromBob] = await Promise.all([
      say(
        alice,
        range(1, count).map((i) => `a${i}`),
        50,
      ),
      say(
        bob,
        range(1, count).map((i) => `b${i}`),
        50,
      ),
    ])
    expect([...fromAlice, ...fromBob].sort((x, y) => x - y)).toEqual(range(1, 2 * count))
    const atCarol = await receivedCount(carol, 'chat_message', 2 * count, 30_000)
    expect(seqsOf(atCarol)).toEqual(range(1, 2 * count))
    const contents = atCarol.map((chat) => (chat.type === 'chat_message' ? chat.data.content : ''))
    // Each sender's messages in the order it sent them.
    expect(contents.filter((text) => text.startsWith('a'))).toEqual(
      range(1, count).map((i) => `a${i}`),
    )
    expect(contents.filter((text) => text.startsWith('b'))).toEqual(
      range(1, count).map((i) => `b${i}`),
    )
    for (const member of [alice, bob])
      expect(seqsOf(await receivedCount(member, 'chat_message', 2 * count))).toEqual(
        range(1, 2 * count),
      )
  })

  it('a member joining while another process writes gets each seq once: replay, then live', async () => {
    const prefix = `t${createId(8)}:`
    const a = await startProcess(prefix)
    const b = await startProcess(prefix)
    const alice = await connectAs(a.url, 'alice')
    await join(alice, 'general')
    const writing = say(
      alice,
      range(1, 300).map((i) => `m${i}`),
      10,
    )
    // Joins land while messages are being written on the other process.
    const late: RawClient[] = []
    for (const userId of ['bob', 'carol', 'dave']) {
      const member = await connectAs(b.url, userId)
      await join(member, 'general')
      late.push(member)
    }
    await writing
    for (const member of late)
      expect(seqsOf(await receivedCount(member, 'chat_message', 300))).toEqual(range(1, 300))
  })

  it('reads from history what a process missed while its subscriber connection was down', async () => {
    const prefix = `t${createId(8)}:`
    const a = await startProcess(prefix)
    const b = await startProcess(prefix)
    const alice = await connectAs(a.url, 'alice')
    const bob = await connectAs(b.url, 'bob')
    await join(alice, 'general')
    await join(bob, 'general')
    await say(alice, ['before'])
    await receivedCount(bob, 'chat_message', 1)

    // Both subscriber connections drop; what is published before they are back is never heard.
    expect(await redisServer.current.command('CLIENT', 'KILL', 'TYPE', 'pubsub')).toBe(':2')
    expect(await say(alice, ['during 1', 'during 2'], 2)).toEqual([2, 3])
    const chats = await receivedCount(bob, 'chat_message', 3)
    expect(seqsOf(chats)).toEqual([1, 2, 3])
    // And live again afterwards, each seq once.
    await say(alice, ['after'])
    expect(seqsOf(await receivedCount(bob, 'chat_message', 4))).toEqual([1, 2, 3, 4])
    expect(seqsOf(await receivedCount(alice, 'chat_message', 4))).toEqual([1, 2, 3, 4])
  })

  it('holds live delivery while Redis is paused (CLIENT PAUSE) and delivers everything after, in order', async () => {
    const prefix = `t${createId(8)}:`
    const a = await startProcess(prefix)
    const b = await startProcess(prefix)
    const alice = await connectAs(a.url, 'alice')
    const bob = await connectAs(b.url, 'bob')
    await join(alice, 'general')
    await join(bob, 'general')
    await say(bob, ['before'])
    await redisServer.current.pause(300)
    const [fromAlice, fromBob] = await Promise.all([
      say(alice, ['a1', 'a2', 'a3'], 3),
      say(bob, ['b1', 'b2'], 2),
    ])
    expect([...fromAlice, ...fromBob].sort((x, y) => x - y)).toEqual(range(2, 6))
    for (const member of [alice, bob])
      expect(seqsOf(await receivedCount(member, 'chat_message', 6))).toEqual(range(1, 6))
  })
})
