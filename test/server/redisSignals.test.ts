import { Redis } from 'ioredis'
import { afterEach, describe, expect, it } from 'vitest'
import type { Frame } from '../../src/protocol'
import { createId } from '../../src/protocol'
import type { StreamBroker } from '../../src/server/broker'
import { createRedisBroker } from '../../src/server/redis/broker'
import { createRedisHistory, liveChannel } from '../../src/server/redis/history'
import { createRedisReceipts } from '../../src/server/redis/signals'
import type { RawClient } from '../support/rawClient'
import { useRedisServer } from '../support/redisServer'
import { tokenFor } from '../support/tokens'
import { connect, connectAs, framesOf, join, joinedAs, startServer } from './harness'

const redisServer = useRedisServer()
const brokers: StreamBroker[] = []
const clients: Redis[] = []
afterEach(async () => {
  await Promise.all(brokers.splice(0).map((broker) => broker.close()))
  await Promise.all(clients.splice(0).map((redis) => redis.quit().catch(() => undefined)))
})

/** One server process on the shared Redis: its own connection, history, broker and receipts. */
async function startProcess(
  prefix: string,
  errors: unknown[] = [],
  historyStoreTimeoutMs = 10_000,
) {
  const redis = new Redis(redisServer.current.url)
  clients.push(redis)
  const broker = createRedisBroker({ redis, prefix, onError: (_, error) => errors.push(error) })
  brokers.push(broker)
  return startServer({
    rateLimit: false,
    history: createRedisHistory({ redis, historySize: 100, prefix }),
    broker,
    receipts: createRedisReceipts({ redis, prefix }),
    historyStoreTimeoutMs,
  })
}

/** Waits (bounded) until `client` holds a frame `predicate` accepts. */
async function holds(client: RawClient, predicate: (frame: Frame) => boolean): Promise<void> {
  const flat = () =>
    client.received.flatMap((frame) => (frame.type === 'batch' ? frame.data.frames : [frame]))
  const deadline = Date.now() + 10_000
  while (!flat().some(predicate)) {
    if (Date.now() > deadline) throw new Error('the awaited frame did not come within 10 s')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

const typingFrom = (client: RawClient, type: 'typing_start' | 'typing_stop') =>
  framesOf(client, type).map((frame) => [frame.room, frame.userId])

describe('room signals across server processes on one Redis', () => {
  it('relays typing from a member on A to members on A and B once, never to the sender or a non-member', async () => {
    const prefix = `t${createId(8)}:`
    const a = await startProcess(prefix)
    const b = await startProcess(prefix)
    const alice = await joinedAs(a.url, 'alice', 'general')
    const carol = await joinedAs(a.url, 'carol', 'general')
    const bob = await joinedAs(b.url, 'bob', 'general')
    // On B: joined another room; connected only. On A: joined another room.
    const erin = await joinedAs(b.url, 'erin', 'random')
    const dave = await connectAs(b.url, 'dave')
    const frank = await joinedAs(a.url, 'frank', 'random')

    alice.sendFrame('typing_start', { room: 'general', data: {} })
    await holds(bob, (frame) => frame.type === 'typing_start')
    // A later signal of the same process comes after it on every socket: what came by then is all.
    for (const nonMember of [dave, erin]) await join(nonMember, 'general')
    alice.sendFrame('typing_stop', { room: 'general', data: {} })
    for (const member of [bob, carol, dave, erin])
      await holds(member, (frame) => frame.type === 'typing_stop')
    for (const member of [bob, carol]) {
      expect(typingFrom(member, 'typing_start')).toEqual([['general', 'alice']])
      expect(typingFrom(member, 'typing_stop')).toEqual([['general', 'alice']])
    }
    expect(typingFrom(dave, 'typing_start')).toEqual([])
    expect(typingFrom(erin, 'typing_start')).toEqual([])
    // Bob's typing reaches alice after any echo of her own would have (one channel, in order).
    bob.sendFrame('typing_start', { room: 'general', data: {} })
    await holds(alice, (frame) => frame.type === 'typing_start')
    expect(typingFrom(alice, 'typing_start')).toEqual([['general', 'bob']])
    expect(typingFrom(alice, 'typing_stop')).toEqual([])
    await holds(carol, (frame) => frame.type === 'typing_start' && frame.userId === 'bob')
    expect(typingFrom(frank, 'typing_start')).toEqual([])
    expect(typingFrom(carol, 'typing_start')).toEqual([
      ['general', 'alice'],
      ['general', 'bob'],
    ])
  })

  it('relays volatile app messages across processes in order (the latest last), unstored, unacked, with no seq', async () => {
    const prefix = `t${createId(8)}:`
    const a = await startProcess(prefix)
    const b = await startProcess(prefix)
    const alice = await joinedAs(a.url, 'alice', 'board')
    const carol = await joinedAs(a.url, 'carol', 'board')
    const bob = await joinedAs(b.url, 'bob', 'board')
    const count = 20
    for (let x = 1; x <= count; x++)
      alice.sendFrame('app_message', {
        room: 'board',
        data: { type: 'cursor', data: { x }, volatile: true },
      })
    const cursorsAt = (client: RawClient) =>
      framesOf(client, 'app_message')
        .filter((frame) => frame.data.type === 'cursor')
        .map((frame) => (frame.data.data as { x: number }).x)
    for (const member of [bob, carol]) {
      await holds(member, (frame) => frame.type === 'app_message' && frame.data.volatile === true)
      await holds(
        member,
        (frame) => frame.type === 'app_message' && (frame.data.data as { x: number }).x === count,
      )
      expect(cursorsAt(member)).toEqual(Array.from({ length: count }, (_, i) => i + 1))
      for (const frame of framesOf(member, 'app_message')) {
        expect(frame).toMatchObject({ room: 'board', userId: 'alice', data: { volatile: true } })
        expect(frame.seq).toBeUndefined()
      }
    }

    // Not stored: a durable message after them is the room's first, and a later joiner's
    // replay holds only it.
    const durable = bob.sendFrame('app_message', {
      room: 'board',
      data: { type: 'card_moved', data: { id: 'c1' } },
    })
    const ack = await bob.nextOfType('ack', (frame) => frame.data.refId === durable.id)
    expect(ack.data.seq).toBe(1)
    const late = await connectAs(b.url, 'dave')
    const joined = await join(late, 'board')
    expect(joined.data.headSeq).toBe(1)
    await holds(late, (frame) => frame.type === 'app_message')
    expect(framesOf(late, 'app_message').map((frame) => frame.id)).toEqual([durable.id])
    // The sender: no ack and no copy of its volatile ones (the durable one comes back to it).
    await holds(alice, (frame) => frame.id === durable.id)
    expect(cursorsAt(alice)).toEqual([])
    expect(framesOf(alice, 'ack')).toEqual([])
  })

  it('keeps read receipts in Redis: relayed across processes, never moved back, sent to a later joiner on a third', async () => {
    const prefix = `t${createId(8)}:`
    const a = await startProcess(prefix)
    const b = await startProcess(prefix)
    const c = await startProcess(prefix)
    const alice = await joinedAs(a.url, 'alice', 'general')
    const bobPhone = await joinedAs(a.url, 'bob', 'general')
    const bob = await joinedAs(b.url, 'bob', 'general')
    const positions = (client: RawClient) =>
      framesOf(client, 'read_receipt').map((frame) => [frame.userId, frame.data.seq])

    bob.sendFrame('read_receipt', { room: 'general', data: { messageId: 'm5', seq: 5 } })
    for (const member of [alice, bobPhone, bob])
      await holds(member, (frame) => frame.type === 'read_receipt')
    // From bob's phone on A: lower than what bob's laptop on B recorded, so ignored everywhere.
    bobPhone.sendFrame('read_receipt', { room: 'general', data: { messageId: 'm3', seq: 3 } })
    bobPhone.sendFrame('read_receipt', { room: 'general', data: { messageId: 'm6', seq: 6 } })
    for (const member of [alice, bobPhone, bob])
      await holds(member, (frame) => frame.type === 'read_receipt' && frame.data.seq === 6)
    for (const member of [alice, bobPhone, bob])
      expect(positions(member)).toEqual([
        ['bob', 5],
        ['bob', 6],
      ])
    for (const frame of framesOf(alice, 'read_receipt')) expect(frame.seq).toBeUndefined()

    alice.sendFrame('read_receipt', { room: 'general', data: { messageId: 'm6', seq: 6 } })
    await holds(bob, (frame) => frame.type === 'read_receipt' && frame.userId === 'alice')
    const carol = await connectAs(c.url, 'carol')
    await join(carol, 'general')
    await holds(carol, (frame) => frame.type === 'read_receipt' && frame.userId === 'bob')
    await holds(carol, (frame) => frame.type === 'read_receipt' && frame.userId === 'alice')
    expect(positions(carol).sort()).toEqual([
      ['alice', 6],
      ['bob', 6],
    ])
  })

  it('drops a forged signal on a live channel: wrong room, a stored type, a non-volatile app message', async () => {
    const prefix = `t${createId(8)}:`
    const errors: unknown[] = []
    const a = await startProcess(prefix, errors)
    const alice = await joinedAs(a.url, 'alice', 'general')
    const publisher = new Redis(redisServer.current.url)
    clients.push(publisher)
    const channel = liveChannel(prefix, 'general')
    const forged = (frame: object) => `!${createId()} ${JSON.stringify(frame)}`
    const base = { v: 1, timestamp: Date.now(), userId: 'mallory' }
    for (const message of [
      forged({ ...base, id: 'f1', type: 'typing_start', room: 'other', data: {} }),
      forged({ ...base, id: 'f2', type: 'chat_message', room: 'general', data: { content: 'x' } }),
      forged({
        ...base,
        id: 'f3',
        type: 'app_message',
        room: 'general',
        data: { type: 'cursor', data: null },
      }),
      forged({ ...base, id: 'f4', type: 'typing_start', room: 'general', data: {}, seq: 1 }),
      '!not a process id',
    ])
      await publisher.spublish(channel, message)
    await publisher.spublish(
      channel,
      forged({ ...base, id: 'ok', type: 'typing_start', room: 'general', data: {} }),
    )
    await holds(alice, (frame) => frame.type === 'typing_start')
    expect(framesOf(alice, 'typing_start').map((frame) => frame.id)).toEqual(['ok'])
    expect(framesOf(alice, 'chat_message')).toEqual([])
    expect(framesOf(alice, 'app_message')).toEqual([])
    expect(errors).toHaveLength(5)
  })

  it('refuses a read receipt with a retryable SERVER_ERROR while Redis does not answer, and takes it again after', async () => {
    const prefix = `t${createId(8)}:`
    const a = await startProcess(prefix, [], 100)
    const alice = await joinedAs(a.url, 'alice', 'general')
    await redisServer.current.pause(400)
    const refused = alice.sendFrame('read_receipt', {
      room: 'general',
      data: { messageId: 'm1', seq: 1 },
    })
    const error = await alice.nextOfType('error', (frame) => frame.data.refId === refused.id)
    expect(error.data).toMatchObject({ code: 'SERVER_ERROR', retryAfterMs: 1000 })
    expect(error.room).toBe('general')
    // The pause is over once a command answers again.
    expect(await redisServer.current.command('PING')).toBe('+PONG')
    alice.sendFrame('read_receipt', { room: 'general', data: { messageId: 'm2', seq: 2 } })
    const receipt = await alice.nextOfType('read_receipt', (frame) => frame.data.seq === 2)
    expect(receipt.userId).toBe('alice')
  })

  it("relays a volatile message to a member on another process only when it fits that member's maxFrameBytes", async () => {
    const prefix = `t${createId(8)}:`
    const a = await startProcess(prefix)
    const b = await startProcess(prefix)
    const alice = await joinedAs(a.url, 'alice', 'board')
    const carol = await joinedAs(b.url, 'carol', 'board')
    const bob = await connect(b.url)
    bob.sendFrame('auth', { data: { token: await tokenFor('bob'), maxFrameBytes: 1024 } })
    await bob.nextOfType('auth_ok')
    await join(bob, 'board')
    const publish = (text: string) =>
      alice.sendFrame('app_message', {
        room: 'board',
        data: { type: 'note', data: { text }, volatile: true },
      })
    const big = publish('x'.repeat(2000))
    const small = publish('small')
    for (const member of [bob, carol]) await holds(member, (frame) => frame.id === small.id)
    expect(framesOf(carol, 'app_message').map((frame) => frame.id)).toEqual([big.id, small.id])
    expect(framesOf(bob, 'app_message').map((frame) => frame.id)).toEqual([small.id])
  })
})
