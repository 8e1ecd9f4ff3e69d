import { describe, expect, it } from 'vitest'
import type { Frame, PresenceEntry } from '../../src/protocol'
import type { RawClient } from '../support/rawClient'
import { connectAs, framesOf, join, joinedAs, roundTrip, startServer } from './harness'

/** The users of a presence_update, sorted by id. */
const users = (frame: Frame) =>
  frame.type === 'presence_update'
    ? [...(frame.data.users ?? [])].sort((a, b) => a.userId.localeCompare(b.userId))
    : []

const mentions = (client: RawClient, userId: string) =>
  client.received.filter(
    (frame) =>
      ((frame.type === 'user_online' || frame.type === 'user_offline') &&
        frame.data.userId === userId) ||
      users(frame).some((entry) => entry.userId === userId),
  )

async function subscribeTo(client: RawClient, userId: string) {
  client.sendFrame('subscribe', { data: { topic: 'user', userId } })
  return client.nextOfType(
    'presence_update',
    (frame) =>
      frame.data.snapshot === true && users(frame).some((entry) => entry.userId === userId),
  )
}

describe('server presence', () => {
  it('sends a snapshot of the user themself right after auth_ok', async () => {
    const server = await startServer()
    const alice = await connectAs(server.url, 'alice')
    const snapshot = await alice.next()
    expect(snapshot).toMatchObject({ type: 'presence_update', data: { snapshot: true } })
    expect(users(snapshot)).toEqual([{ userId: 'alice', status: 'online' }])
  })

  it('announces the first connection as online and the last close as offline with lastSeen', async () => {
    const server = await startServer()
    const carol = await connectAs(server.url, 'carol')
    expect(users(await subscribeTo(carol, 'alice'))).toEqual([
      { userId: 'alice', status: 'offline' },
      { userId: 'carol', status: 'online' },
    ])

    const phone = await connectAs(server.url, 'alice')
    expect((await carol.nextOfType('user_online')).data).toEqual({
      userId: 'alice',
      status: 'online',
    })
    const laptop = await connectAs(server.url, 'alice')
    phone.close()
    await phone.closed
    await roundTrip(laptop)
    await roundTrip(carol)
    expect(carol.received.map((frame) => frame.type)).not.toContain('user_offline')

    const before = Date.now()
    laptop.close()
    const offline = await carol.nextOfType('user_offline')
    expect(offline.data).toMatchObject({ userId: 'alice', status: 'offline' })
    expect(offline.data.lastSeen).toBeGreaterThanOrEqual(before)
    expect(framesOf(carol, 'user_online')).toHaveLength(1)
    expect(framesOf(carol, 'user_offline')).toHaveLength(1)
    expect(users(await subscribeTo(carol, 'alice'))[0]).toEqual(offline.data)
  })

  it('sends the joiner a snapshot of the room after the replay, and the members its entry', async () => {
    const server = await startServer()
    const alice = await joinedAs(server.url, 'alice', 'general')
    const bob = await connectAs(server.url, 'bob')
    await join(bob, 'general')
    const snapshot = await bob.nextOfType(
      'presence_update',
      (frame) => frame.data.snapshot === true,
    )
    expect(users(snapshot)).toEqual([
      { userId: 'alice', status: 'online' },
      { userId: 'bob', status: 'online' },
    ])
    const types = bob.received.map((frame) => frame.type)
    expect(types.lastIndexOf('presence_update')).toBeGreaterThan(types.indexOf('joined'))

    const diff = await alice.nextOfType('presence_update', (frame) => frame.data.snapshot === false)
    expect(users(diff)).toEqual([{ userId: 'bob', status: 'online' }])
  })

  it('sends status and custom status changes to co-members, subscribers and the user, not to others', async () => {
    const server = await startServer()
    const alice = await joinedAs(server.url, 'alice', 'general')
    const bob = await joinedAs(server.url, 'bob', 'general')
    const carol = await connectAs(server.url, 'carol')
    await subscribeTo(carol, 'alice')
    const eve = await joinedAs(server.url, 'eve', 'random')

    alice.sendFrame('presence_update', { data: { status: 'away', customStatus: 'lunch' } })
    const expected = [{ userId: 'alice', status: 'away', customStatus: 'lunch' }]
    const isDiff = (frame: { data: { snapshot?: boolean; users?: PresenceEntry[] } }) =>
      frame.data.snapshot === false && frame.data.users?.[0]?.status === 'away'
    for (const client of [alice, bob, carol])
      expect(users(await client.nextOfType('presence_update', isDiff))).toEqual(expected)

    alice.sendFrame('presence_update', { data: { customStatus: '' } })
    const cleared = await carol.nextOfType('presence_update', (frame) => !frame.data.snapshot)
    expect(users(cleared)).toEqual([{ userId: 'alice', status: 'away' }])

    // Sent to everyone after the diffs went out: a diff for eve would have arrived first.
    server.systemAlert({ message: 'marker' })
    await eve.nextOfType('system_alert')
    expect(mentions(eve, 'alice')).toEqual([])
  })

  it('sends a snapshot after subscribe, and after unsubscribe a last diff removing the user and no more', async () => {
    const server = await startServer()
    const alice = await connectAs(server.url, 'alice')
    const carol = await connectAs(server.url, 'carol')
    expect(users(await subscribeTo(carol, 'alice'))).toEqual([
      { userId: 'alice', status: 'online' },
      { userId: 'carol', status: 'online' },
    ])
    carol.sendFrame('unsubscribe', { data: { topic: 'user', userId: 'alice' } })
    await roundTrip(carol)
    alice.sendFrame('presence_update', { data: { status: 'busy' } })
    await alice.nextOfType('presence_update', (frame) => frame.data.snapshot === false)
    server.systemAlert({ message: 'marker' })
    await carol.nextOfType('system_alert')
    const updates = framesOf(carol, 'presence_update')
    expect(updates).toHaveLength(3)
    expect(updates[2]?.data).toEqual({ snapshot: false, removed: ['alice'] })
  })

  it('tells the members of a room when a member goes offline', async () => {
    const server = await startServer()
    const alice = await joinedAs(server.url, 'alice', 'general')
    const bob = await joinedAs(server.url, 'bob', 'general')
    alice.close()
    expect((await bob.nextOfType('user_offline')).data).toMatchObject({
      userId: 'alice',
      status: 'offline',
    })
  })

  it('continues a snapshot too big for one frame as diffs', async () => {
    const server = await startServer({ maxPayload: 1024 })
    const carol = await connectAs(server.url, 'carol')
    const followed = Array.from({ length: 40 }, (_, i) => `user-${String(i).padStart(2, '0')}`)
    for (const userId of followed.slice(0, -1))
      carol.sendFrame('subscribe', { data: { topic: 'user', userId } })
    await roundTrip(carol)
    const last = carol.received.length
    carol.sendFrame('subscribe', { data: { topic: 'user', userId: followed.at(-1) as string } })
    await roundTrip(carol)
    const frames = carol.received.slice(last).filter((frame) => frame.type === 'presence_update')
    expect(frames.length).toBeGreaterThan(1)
    expect(frames.map((frame) => frame.type === 'presence_update' && frame.data.snapshot)).toEqual(
      frames.map((_, i) => i === 0),
    )
    expect(frames.flatMap(users).map((entry) => entry.userId)).toEqual(
      expect.arrayContaining([...followed, 'carol']),
    )
    expect(frames.flatMap(users)).toHaveLength(41)
    for (const frame of frames) expect(JSON.stringify(frame).length).toBeLessThanOrEqual(1024)
  })

  it("refuses status 'offline' from a client with INVALID_FRAME", async () => {
    const server = await startServer()
    const alice = await connectAs(server.url, 'alice')
    const sent = alice.sendFrame('presence_update', { data: { status: 'offline' } })
    expect((await alice.nextOfType('error')).data).toMatchObject({
      code: 'INVALID_FRAME',
      refId: sent.id,
    })
  })
})
