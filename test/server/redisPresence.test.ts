import { Redis } from 'ioredis'
import { afterEach, describe, expect, it } from 'vitest'
import type { Frame, PresenceEntry } from '../../src/protocol'
import { createId } from '../../src/protocol'
import type { PresenceEngine } from '../../src/server/presenceEngine'
import { createRedisPresence } from '../../src/server/redis/presence'
import type { RawClient } from '../support/rawClient'
import { useRedisServer } from '../support/redisServer'
import { connectAs, framesOf, join, roundTrip, startServer } from './harness'

const redisServer = useRedisServer()
const engines: PresenceEngine[] = []
const clients: Redis[] = []
afterEach(async () => {
  await Promise.all(engines.splice(0).map((engine) => engine.close()))
  await Promise.all(clients.splice(0).map((redis) => redis.quit().catch(() => undefined)))
})

/** One server process on the shared Redis, with small TTLs so a dead one is swept soon. */
async function startProcess(prefix: string) {
  const redis = new Redis(redisServer.current.url)
  clients.push(redis)
  const engine = createRedisPresence({ redis, prefix, ttlMs: 300, sweepMs: 50, onError: () => {} })
  engines.push(engine)
  const server = await startServer({ rateLimit: false, presenceEngine: engine })
  return { server, redis, url: server.url }
}

/** The latest `userId` entry `client` was told of (snapshot, diff, online, offline), if any. */
function latestEntry(client: RawClient, userId: string): PresenceEntry | undefined {
  let latest: PresenceEntry | undefined
  const flat = (frames: Frame[]): Frame[] =>
    frames.flatMap((frame) => (frame.type === 'batch' ? flat(frame.data.frames) : [frame]))
  for (const frame of flat(client.received)) {
    if (frame.type === 'user_online' || frame.type === 'user_offline') {
      if (frame.data.userId === userId) latest = frame.data
    } else if (frame.type === 'presence_update') {
      latest = frame.data.users?.find((entry) => entry.userId === userId) ?? latest
    }
  }
  return latest
}

/** Waits (bounded) until `client`'s latest entry of `userId` satisfies `check`. */
async function seen(
  client: RawClient,
  userId: string,
  check: (entry: PresenceEntry | undefined) => boolean,
  timeoutMs = 10_000,
): Promise<PresenceEntry | undefined> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const entry = latestEntry(client, userId)
    if (check(entry)) return entry
    if (Date.now() > deadline)
      throw new Error(`${userId} is ${JSON.stringify(entry)} at the watcher after ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/** The room's member list as `client` was told it (snapshot, then diffs), sorted. */
function roomMembers(client: RawClient, room: string): string[] {
  const members = new Set<string>()
  for (const frame of client.received) {
    if (frame.type !== 'room_presence' || frame.room !== room) continue
    if (frame.data.snapshot) members.clear()
    for (const member of frame.data.members ?? []) members.add(member.userId)
    for (const userId of frame.data.left ?? []) members.delete(userId)
  }
  return [...members].sort()
}

/** Waits (bounded) until `client`'s list of `room` is `expected`. */
async function listed(client: RawClient, room: string, expected: string[]): Promise<void> {
  const deadline = Date.now() + 10_000
  while (JSON.stringify(roomMembers(client, room)) !== JSON.stringify(expected)) {
    if (Date.now() > deadline)
      throw new Error(
        `${room} lists ${roomMembers(client, room).join(', ')}, not ${expected.join(', ')}`,
      )
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

const subscribe = (client: RawClient, userId: string) =>
  client.sendFrame('subscribe', { data: { topic: 'user', userId } })

describe('presence across server processes on one Redis', () => {
  it('is ready only once it hears other processes (its subscription confirmed), so a server waits for it', async () => {
    const prefix = `t${createId(8)}:`
    const redis = new Redis(redisServer.current.url)
    const probe = new Redis(redisServer.current.url)
    clients.push(redis, probe)
    await Promise.all([redis.ping(), probe.ping()])
    const engine = createRedisPresence({ redis, prefix, onError: () => {} })
    engines.push(engine)
    await engine.ready()
    // Asked on a connection already open, right away: the engine's subscriber is subscribed.
    const [, count] = (await probe.pubsub('NUMSUB', `${prefix}presence`)) as [string, number]
    expect(count).toBe(1)

    // The server's start waits for it too: a change published the moment it listens is heard.
    const { server } = await startProcess(prefix)
    const other = new Redis(redisServer.current.url)
    clients.push(other)
    const [, afterStart] = (await other.pubsub('NUMSUB', `${prefix}presence`)) as [string, number]
    expect(afterStart).toBe(2)
    expect(server.url).toMatch(/^ws:/)
  })

  it('shows a user on process A online, their status changes and their going offline to a watcher on B', async () => {
    const prefix = `t${createId(8)}:`
    const a = await startProcess(prefix)
    const b = await startProcess(prefix)
    const carol = await connectAs(b.url, 'carol')
    subscribe(carol, 'alice')
    expect(await seen(carol, 'alice', Boolean)).toEqual({ userId: 'alice', status: 'offline' })

    const alice = await connectAs(a.url, 'alice')
    const online = await carol.nextOfType('user_online')
    expect(online.data).toEqual({ userId: 'alice', status: 'online' })

    alice.sendFrame('presence_update', { data: { status: 'away', customStatus: 'lunch' } })
    expect(await seen(carol, 'alice', (entry) => entry?.status === 'away')).toEqual({
      userId: 'alice',
      status: 'away',
      customStatus: 'lunch',
    })

    const before = Date.now()
    alice.close()
    const offline = await carol.nextOfType('user_offline')
    expect(offline.data).toMatchObject({
      userId: 'alice',
      status: 'offline',
      customStatus: 'lunch',
    })
    expect(offline.data.lastSeen).toBeGreaterThanOrEqual(before)
    expect(framesOf(carol, 'user_online')).toHaveLength(1)
  })

  it('gives a process started later the snapshot of a user already online elsewhere', async () => {
    const prefix = `t${createId(8)}:`
    const a = await startProcess(prefix)
    const alice = await connectAs(a.url, 'alice')
    alice.sendFrame('presence_update', { data: { status: 'busy' } })
    await roundTrip(alice)
    const c = await startProcess(prefix)
    const dave = await connectAs(c.url, 'dave')
    subscribe(dave, 'alice')
    expect(await seen(dave, 'alice', (entry) => entry?.status !== 'offline' && !!entry)).toEqual({
      userId: 'alice',
      status: 'busy',
    })
  })

  it('keeps a user online while another process holds a connection of theirs, with one status', async () => {
    const prefix = `t${createId(8)}:`
    const a = await startProcess(prefix)
    const b = await startProcess(prefix)
    const carol = await connectAs(b.url, 'carol')
    subscribe(carol, 'alice')
    await seen(carol, 'alice', Boolean)
    const phone = await connectAs(a.url, 'alice')
    await carol.nextOfType('user_online')
    const laptop = await connectAs(b.url, 'alice')
    // The status set on A is alice's on B too: her own connection there hears it.
    phone.sendFrame('presence_update', { data: { status: 'busy' } })
    await seen(laptop, 'alice', (entry) => entry?.status === 'busy')
    await seen(carol, 'alice', (entry) => entry?.status === 'busy')

    phone.close()
    await phone.closed
    // A's last connection closed, B's is open: after a marker through both, no offline came.
    const marker = await connectAs(a.url, 'erin')
    marker.close()
    await marker.closed
    await roundTrip(carol)
    await roundTrip(laptop)
    expect(framesOf(carol, 'user_offline')).toEqual([])
    expect(latestEntry(carol, 'alice')).toEqual({ userId: 'alice', status: 'busy' })

    laptop.close()
    expect((await carol.nextOfType('user_offline')).data).toMatchObject({ userId: 'alice' })
  })

  it('sends watchers the offline diff of a user whose process died (stopped refreshing, no cleanup)', async () => {
    const prefix = `t${createId(8)}:`
    const a = await startProcess(prefix)
    const b = await startProcess(prefix)
    const carol = await connectAs(b.url, 'carol')
    subscribe(carol, 'alice')
    await seen(carol, 'alice', Boolean)
    const alice = await connectAs(a.url, 'alice')
    await carol.nextOfType('user_online')

    // A's Redis connection goes away without a word: nothing is withdrawn, nothing refreshed.
    a.redis.disconnect()
    const offline = await carol.nextOfType('user_offline', () => true, 10_000)
    expect(offline.data).toMatchObject({ userId: 'alice', status: 'offline' })
    expect(offline.data.lastSeen).toBeGreaterThan(0)
    // Alice's socket on A is still open: the diff came from B's sweep, not from a close.
    await roundTrip(alice)
    expect(framesOf(carol, 'user_offline')).toHaveLength(1)
  })

  it('loads again what a process missed while its subscriber connection was down', async () => {
    const prefix = `t${createId(8)}:`
    const a = await startProcess(prefix)
    const b = await startProcess(prefix)
    const carol = await connectAs(b.url, 'carol')
    subscribe(carol, 'alice')
    subscribe(carol, 'bob')
    await seen(carol, 'bob', Boolean)
    const alice = await connectAs(a.url, 'alice')
    await carol.nextOfType('user_online')

    // Both subscriber connections drop; what is published before they are back is never heard.
    expect(await redisServer.current.command('CLIENT', 'KILL', 'TYPE', 'pubsub')).toBe(':2')
    alice.close()
    await connectAs(a.url, 'bob')
    expect(await seen(carol, 'alice', (entry) => entry?.status === 'offline')).toMatchObject({
      userId: 'alice',
      status: 'offline',
    })
    expect(await seen(carol, 'bob', (entry) => entry?.status === 'online')).toEqual({
      userId: 'bob',
      status: 'online',
    })
  })

  it('subscribes again once after its subscriber connection dropped, itself, not also through ioredis', async () => {
    const prefix = `t${createId(8)}:`
    await startProcess(prefix)
    const monitor = await new Redis(redisServer.current.url).monitor()
    const subscribes: string[][] = []
    let marked = false
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (args[0]?.toLowerCase() === 'subscribe') subscribes.push(args)
      if (args[0]?.toLowerCase() === 'echo' && args[1] === prefix) marked = true
    })
    const until = async (done: () => boolean) => {
      const deadline = Date.now() + 10_000
      while (!done() && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 10))
    }
    try {
      expect(await redisServer.current.command('CLIENT', 'KILL', 'TYPE', 'pubsub')).toBe(':1')
      await until(() => subscribes.length > 0)
      // The reconnect's subscribes go out together; a marker sent after the first is seen comes
      // after all of them. One subscribe, the engine's: one ioredis sends itself on reconnecting
      // is a promise nobody handles (a close before its reply made it an unhandled rejection).
      await redisServer.current.command('ECHO', prefix)
      await until(() => marked)
      expect(marked).toBe(true)
      expect(subscribes).toEqual([['subscribe', `${prefix}presence`]])
    } finally {
      monitor.disconnect()
    }
  })

  it('keeps the status chosen on one process when the user connects to another that did not know them', async () => {
    const prefix = `t${createId(8)}:`
    const a = await startProcess(prefix)
    const b = await startProcess(prefix)
    const phone = await connectAs(a.url, 'alice')
    const carol = await connectAs(a.url, 'carol')
    subscribe(carol, 'alice')
    phone.sendFrame('presence_update', { data: { status: 'busy' } })
    await seen(carol, 'alice', (entry) => entry?.status === 'busy')

    // Nobody on B follows alice: B learns her status only when she connects there.
    const laptop = await connectAs(b.url, 'alice')
    await seen(laptop, 'alice', (entry) => entry?.status === 'busy')
    // A marker from B after whatever B published of her: carol never saw her reset to online.
    laptop.sendFrame('presence_update', { data: { customStatus: 'marker' } })
    expect(await seen(carol, 'alice', (entry) => entry?.customStatus === 'marker')).toEqual({
      userId: 'alice',
      status: 'busy',
      customStatus: 'marker',
    })
    const statuses = carol.received.flatMap((frame) =>
      frame.type === 'presence_update'
        ? (frame.data.users ?? []).filter((entry) => entry.userId === 'alice')
        : [],
    )
    expect(statuses.map((entry) => entry.status)).toEqual(['online', 'busy', 'busy'])
  })

  it('shows members of one room on different processes each other, until one leaves or goes', async () => {
    const prefix = `t${createId(8)}:`
    const a = await startProcess(prefix)
    const b = await startProcess(prefix)
    const alice = await connectAs(a.url, 'alice')
    await join(alice, 'general')
    const bob = await connectAs(b.url, 'bob')
    await join(bob, 'general')
    // Bob's process read alice from the room; alice's process heard bob join.
    expect(await seen(bob, 'alice', (entry) => entry?.status === 'online')).toEqual({
      userId: 'alice',
      status: 'online',
    })
    await seen(alice, 'bob', (entry) => entry?.status === 'online')

    alice.sendFrame('presence_update', { data: { status: 'away' } })
    await seen(bob, 'alice', (entry) => entry?.status === 'away')

    // Alice leaves the room: bob stops seeing her (a last `removed`), she stays online.
    alice.sendFrame('leave', { room: 'general', data: {} })
    await bob.nextOfType(
      'presence_update',
      (frame) => frame.data.removed?.includes('alice') === true,
    )
    await join(alice, 'general')
    const back = await bob.nextOfType('presence_update', (frame) =>
      (frame.data.users ?? []).some((entry) => entry.userId === 'alice'),
    )
    expect(back.data.users).toContainEqual({ userId: 'alice', status: 'away' })

    // Bob goes: alice, his co-member on the other process, gets him offline.
    bob.close()
    expect((await alice.nextOfType('user_offline')).data).toMatchObject({ userId: 'bob' })
  })

  it('sends room co-members on other processes the offline diff of a user whose process died', async () => {
    const prefix = `t${createId(8)}:`
    const a = await startProcess(prefix)
    const b = await startProcess(prefix)
    const alice = await connectAs(a.url, 'alice')
    await join(alice, 'general')
    const bob = await connectAs(b.url, 'bob')
    await join(bob, 'general')
    await seen(bob, 'alice', (entry) => entry?.status === 'online')

    a.redis.disconnect()
    const offline = await bob.nextOfType('user_offline', () => true, 10_000)
    expect(offline.data).toMatchObject({ userId: 'alice', status: 'offline' })
    // And the room index no longer names her: a process joining later does not see her online.
    const c = await startProcess(prefix)
    const carol = await connectAs(c.url, 'carol')
    await join(carol, 'general')
    await seen(carol, 'bob', (entry) => entry?.status === 'online')
    expect(latestEntry(carol, 'alice')).toBeUndefined()
  })

  it('lists the members of one room on every process in room_presence, and their leaving', async () => {
    const prefix = `t${createId(8)}:`
    const a = await startProcess(prefix)
    const b = await startProcess(prefix)
    const alice = await connectAs(a.url, 'alice')
    await join(alice, 'board')
    const bob = await connectAs(b.url, 'bob')
    await join(bob, 'board')
    const bobOnA = await connectAs(a.url, 'bob')
    await join(bobOnA, 'board')
    await listed(bob, 'board', ['alice', 'bob'])
    await listed(alice, 'board', ['alice', 'bob'])

    // Bob leaves on B while still in the room on A: nobody is told he left.
    bob.sendFrame('leave', { room: 'board', data: {} })
    // A fence through the channel: B's next change reaches A after its leave did.
    bob.sendFrame('presence_update', { data: { customStatus: 'fence' } })
    await seen(alice, 'bob', (entry) => entry?.customStatus === 'fence')
    expect(roomMembers(alice, 'board')).toEqual(['alice', 'bob'])
    expect(framesOf(alice, 'room_presence').filter((f) => f.data.left?.includes('bob'))).toEqual([])
    bobOnA.sendFrame('leave', { room: 'board', data: {} })
    await alice.nextOfType('room_presence', (frame) => frame.data.left?.includes('bob') === true)
    expect(
      framesOf(alice, 'room_presence').filter((frame) => frame.data.left?.includes('bob')),
    ).toHaveLength(1)
    await listed(alice, 'board', ['alice'])
  })

  it('carries the data a member sets in a room to members on other processes, live and on join', async () => {
    const prefix = `t${createId(8)}:`
    const a = await startProcess(prefix)
    const b = await startProcess(prefix)
    const alice = await connectAs(a.url, 'alice')
    await join(alice, 'board')
    const bob = await connectAs(b.url, 'bob')
    await join(bob, 'board')
    await listed(bob, 'board', ['alice', 'bob'])

    const hasCursor = (frame: { data: { members?: Array<{ userId: string; data?: unknown }> } }) =>
      frame.data.members?.some((m) => m.userId === 'alice' && m.data !== undefined) === true
    alice.sendFrame('room_presence', { room: 'board', data: { data: { cursor: [3, 4] } } })
    const live = await bob.nextOfType('room_presence', hasCursor)
    expect(live.data.members).toEqual([{ userId: 'alice', data: { cursor: [3, 4] } }])

    // A process whose first member joins later reads it with the room.
    const c = await startProcess(prefix)
    const carol = await connectAs(c.url, 'carol')
    await join(carol, 'board')
    const read = await carol.nextOfType('room_presence', hasCursor)
    expect(read.data.members).toContainEqual({ userId: 'alice', data: { cursor: [3, 4] } })
  })
})
