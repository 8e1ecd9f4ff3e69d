import { Redis } from 'ioredis'
import { afterEach, describe, expect, it } from 'vitest'
import type { Frame } from '../../src/protocol'
import { createId } from '../../src/protocol'
import type { RealtimeServer } from '../../src/server'
import type { StreamBroker } from '../../src/server/broker'
import { createRedisBroker } from '../../src/server/redis/broker'
import { createRedisEvents } from '../../src/server/redis/events'
import { createRedisHistory } from '../../src/server/redis/history'
import type { RawClient } from '../support/rawClient'
import { useRedisServer } from '../support/redisServer'
import { framesOf, joinedAs, roundTrip, startServer } from './harness'

const HOUR = 3_600_000
const redisServer = useRedisServer()
const servers: RealtimeServer[] = []
const brokers: StreamBroker[] = []
const clients: Redis[] = []
afterEach(async () => {
  // Before their Redis clients go: a board polls until its server closes.
  await Promise.all(servers.splice(0).map((server) => server.close()))
  await Promise.all(brokers.splice(0).map((broker) => broker.close()))
  await Promise.all(clients.splice(0).map((redis) => redis.quit().catch(() => undefined)))
})

/** One server process on the shared Redis, polling for reminders every 20 ms. */
async function startProcess(prefix: string, errors: unknown[] = []) {
  const redis = new Redis(redisServer.current.url)
  clients.push(redis)
  const broker = createRedisBroker({ redis, prefix })
  brokers.push(broker)
  const server = await startServer({
    rateLimit: false,
    history: createRedisHistory({ redis, historySize: 100, prefix }),
    broker,
    eventBoard: createRedisEvents({
      redis,
      prefix,
      pollMs: 20,
      onError: (message) => errors.push(message),
    }),
  })
  servers.push(server)
  return { server, redis, url: server.url }
}

/** A user on their private stream, subscribed to events once the server has handled it. */
async function subscriber(url: string, userId: string): Promise<RawClient> {
  const client = await joinedAs(url, userId, `user:${userId}`)
  client.sendFrame('subscribe', { data: { topic: 'events' } })
  await roundTrip(client)
  return client
}

/** Waits (bounded) until `client` holds `count` frames `predicate` accepts; resolves with them. */
async function holds(
  client: RawClient,
  predicate: (frame: Frame) => boolean,
  count = 1,
): Promise<Frame[]> {
  const deadline = Date.now() + 10_000
  for (;;) {
    const matching = client.received
      .flatMap((frame) => (frame.type === 'batch' ? frame.data.frames : [frame]))
      .filter(predicate)
    if (matching.length >= count) return matching
    if (Date.now() > deadline)
      throw new Error(`${matching.length} of ${count} awaited frames came within 10 s`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

const seen = (client: RawClient) =>
  framesOf(client, 'event_update').map((frame) => [frame.data.id, frame.data.title])

const reminderOf = (eventId: string) => (frame: Frame) =>
  frame.type === 'notification' &&
  frame.data.kind === 'event_reminder' &&
  frame.data.eventId === eventId

describe('the event board across server processes on one Redis', () => {
  it('sends an event published on A to a subscriber on B, live, and replays it to one subscribing later on C', async () => {
    const prefix = `t${createId(8)}:`
    const a = await startProcess(prefix)
    const b = await startProcess(prefix)
    const c = await startProcess(prefix)
    const bob = await subscriber(b.url, 'bob')

    const startsAt = Date.now() + HOUR
    const standup = a.server.publishEvent({ id: 'standup', title: 'Standup', startsAt })
    await holds(bob, (frame) => frame.type === 'event_update')
    // Updated on another process: after it, with a later updatedAt. (Each waits for the one
    // before: two processes' appends to one stream are in no set order.)
    b.server.publishEvent({ id: 'standup', title: 'Standup (moved)', startsAt: startsAt + HOUR })
    await holds(bob, (frame) => frame.type === 'event_update', 2)
    c.server.publishEvent({ id: 'retro', title: 'Retro', startsAt })
    await holds(bob, (frame) => frame.type === 'event_update', 3)
    expect(seen(bob)).toEqual([
      ['standup', 'Standup'],
      ['standup', 'Standup (moved)'],
      ['retro', 'Retro'],
    ])
    const [first, moved] = framesOf(bob, 'event_update')
    expect(first?.data).toEqual(standup)
    expect(moved?.data.updatedAt).toBeGreaterThan(standup.updatedAt)

    // A subscription on C replays what A and B published: each event once, as last published.
    const carol = await subscriber(c.url, 'carol')
    await holds(carol, (frame) => frame.type === 'event_update', 2)
    expect(seen(carol)).toEqual([
      ['standup', 'Standup (moved)'],
      ['retro', 'Retro'],
    ])
    // Subscribed already (from another process): nothing is replayed again; unsubscribe holds
    // everywhere.
    const carolPhone = await subscriber(a.url, 'carol')
    carolPhone.sendFrame('unsubscribe', { data: { topic: 'events' } })
    await roundTrip(carolPhone)
    b.server.publishEvent({ id: 'demo', title: 'Demo', startsAt })
    await holds(bob, (frame) => frame.type === 'event_update' && frame.data.id === 'demo')
    a.server.notify('carol', { title: 'marker' })
    await holds(carol, (frame) => frame.type === 'notification')
    expect(seen(carol)).toHaveLength(2)
  })

  it('sends a reminder once with three processes polling, to subscribers on any of them', async () => {
    const prefix = `t${createId(8)}:`
    const a = await startProcess(prefix)
    const b = await startProcess(prefix)
    const c = await startProcess(prefix)
    const bob = await subscriber(b.url, 'bob')
    const carol = await subscriber(c.url, 'carol')
    const startsAt = Date.now() + HOUR
    a.server.publishEvent({ id: 'first', title: 'First', startsAt, remindAt: [Date.now() + 200] })
    // The second is due many polls of every process later: once it came, any copy of the first
    // would have come too.
    a.server.publishEvent({ id: 'second', title: 'Second', startsAt, remindAt: [Date.now() + 600] })
    // Re-armed on another process: the old time is replaced, not added.
    b.server.publishEvent({ id: 'first', title: 'First', startsAt, remindAt: [Date.now() + 300] })
    for (const member of [bob, carol]) {
      await holds(member, reminderOf('second'))
      expect(framesOf(member, 'notification').map((frame) => frame.data.eventId)).toEqual([
        'first',
        'second',
      ])
    }
    expect(framesOf(bob, 'notification')[0]?.data.title).toBe('Reminder: First')
  })

  it('sends a reminder once when the process that published it was closed before it was due', async () => {
    const prefix = `t${createId(8)}:`
    const a = await startProcess(prefix)
    const b = await startProcess(prefix)
    const c = await startProcess(prefix)
    const bob = await subscriber(b.url, 'bob')
    const startsAt = Date.now() + HOUR
    a.server.publishEvent({ id: 'launch', title: 'Launch', startsAt, remindAt: [Date.now() + 400] })
    a.server.publishEvent({
      id: 'dropped',
      title: 'Dropped',
      startsAt,
      remindAt: [Date.now() + 400],
    })
    a.server.publishEvent({ id: 'dropped', title: 'Dropped', startsAt, status: 'cancelled' })
    // Stored before A goes: its own event update reached bob.
    await holds(bob, (frame) => frame.type === 'event_update', 3)
    await a.server.close()
    await a.redis.quit()
    c.server.publishEvent({ id: 'later', title: 'Later', startsAt, remindAt: [Date.now() + 900] })
    await holds(bob, reminderOf('later'))
    expect(framesOf(bob, 'notification').map((frame) => frame.data.eventId)).toEqual([
      'launch',
      'later',
    ])
  })

  it('replays only stored events the codec accepts, reporting the others', async () => {
    const prefix = `t${createId(8)}:`
    const errors: unknown[] = []
    const a = await startProcess(prefix, errors)
    a.server.publishEvent({ id: 'ok', title: 'Fine', startsAt: Date.now() + HOUR })
    const bob = await subscriber(a.url, 'bob')
    await holds(bob, (frame) => frame.type === 'event_update')
    const all = `${prefix}{%events}:all`
    await a.redis.hset(all, 'bad', '{"id":"bad","title":7}', 'worse', 'not json', '__proto__', '{}')
    const carol = await subscriber(a.url, 'carol')
    a.server.notify('carol', { title: 'marker' })
    await holds(carol, (frame) => frame.type === 'notification')
    expect(seen(carol)).toEqual([['ok', 'Fine']])
    expect(errors).toHaveLength(3)
  })
})
