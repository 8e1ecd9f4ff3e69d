import { describe, expect, it } from 'vitest'
import type { Frame, FrameOfType, RoomMemberEntry } from '../../src/protocol'
import type { RawClient } from '../support/rawClient'
import { tokenFor } from '../support/tokens'
import { connect, connectAs, framesOf, join, joinedAs, roundTrip, startServer } from './harness'

type RoomPresenceFrame = FrameOfType<'room_presence'>

const isList = (room: string) => (frame: RoomPresenceFrame) =>
  frame.room === room && frame.data.snapshot === true

/** Sends `room_presence { data }` and waits for its ack. */
async function setData(client: RawClient, room: string, data: unknown) {
  const sent = client.sendFrame('room_presence', { room, data: { data: data as never } })
  await client.nextOfType('ack', (frame) => frame.data.refId === sent.id)
  return sent
}

/** What `client` knows of `room`'s members from every room_presence it got, in order. */
function membersSeen(client: RawClient, room: string): RoomMemberEntry[] {
  const members = new Map<string, RoomMemberEntry>()
  for (const frame of framesOf(client, 'room_presence')) {
    if (frame.room !== room) continue
    if (frame.data.snapshot) members.clear()
    for (const member of frame.data.members ?? []) members.set(member.userId, member)
    for (const userId of frame.data.left ?? []) members.delete(userId)
  }
  return [...members.values()].sort((a, b) => (a.userId < b.userId ? -1 : 1))
}

/** The users a presence_update removed. */
const removedIn = (frames: Frame[]) =>
  frames.flatMap((frame) => (frame.type === 'presence_update' ? (frame.data.removed ?? []) : []))

describe('server room presence', () => {
  it('sends the joiner the member list, sorted, itself included, and the others the joiner', async () => {
    const server = await startServer()
    const bob = await joinedAs(server.url, 'bob', 'board')
    await setData(bob, 'board', { cursor: [1, 2] })
    const alice = await connectAs(server.url, 'alice')
    alice.sendFrame('join', { room: 'board', data: {} })
    const list = await alice.nextOfType('room_presence', isList('board'))
    expect(list.data.members).toEqual([
      { userId: 'alice' },
      { userId: 'bob', data: { cursor: [1, 2] } },
    ])
    // State, not history: no seq.
    expect(list.seq).toBeUndefined()
    const arrival = await bob.nextOfType('room_presence', (f) => f.data.snapshot === false)
    expect(arrival.data).toEqual({ snapshot: false, members: [{ userId: 'alice' }] })
  })

  it('sends every member a data change, the sender included, then acks; the same data again only acks', async () => {
    const server = await startServer()
    const alice = await joinedAs(server.url, 'alice', 'board')
    const bob = await joinedAs(server.url, 'bob', 'board')
    const sent = alice.sendFrame('room_presence', { room: 'board', data: { data: 'drawing' } })
    for (const client of [alice, bob]) {
      const diff = await client.nextOfType(
        'room_presence',
        (f) => f.data.members?.[0]?.data === 'drawing',
      )
      expect(diff.data).toEqual({
        snapshot: false,
        members: [{ userId: 'alice', data: 'drawing' }],
      })
    }
    expect((await alice.nextOfType('ack', (f) => f.data.refId === sent.id)).room).toBe('board')

    await setData(alice, 'board', 'drawing')
    await roundTrip(bob)
    const diffs = framesOf(bob, 'room_presence').filter((f) => f.data.members?.[0]?.data)
    expect(diffs).toHaveLength(1)
  })

  it('lists a user with two connections once, until both have left the room', async () => {
    const server = await startServer()
    const bob = await joinedAs(server.url, 'bob', 'board')
    const laptop = await joinedAs(server.url, 'alice', 'board')
    await setData(laptop, 'board', { tab: 'laptop' })
    const phone = await connectAs(server.url, 'alice')
    await join(phone, 'board')
    const list = await phone.nextOfType('room_presence', isList('board'))
    expect(list.data.members?.map((m) => m.userId)).toEqual(['alice', 'bob'])
    await roundTrip(bob)
    // The second connection is no news for bob.
    expect(membersSeen(bob, 'board')).toEqual([
      { userId: 'alice', data: { tab: 'laptop' } },
      { userId: 'bob' },
    ])
    const framesBefore = framesOf(bob, 'room_presence').length

    laptop.close()
    await laptop.closed
    await roundTrip(phone)
    await roundTrip(bob)
    expect(framesOf(bob, 'room_presence')).toHaveLength(framesBefore)

    phone.close()
    const gone = await bob.nextOfType('room_presence', (f) => f.data.left !== undefined)
    expect(gone.data).toEqual({ snapshot: false, left: ['alice'] })
    expect(membersSeen(bob, 'board')).toEqual([{ userId: 'bob' }])
  })

  it("forgets a user's data when they leave: the others see them go, a rejoin starts without data", async () => {
    const server = await startServer()
    const alice = await joinedAs(server.url, 'alice', 'board')
    const bob = await joinedAs(server.url, 'bob', 'board')
    await setData(alice, 'board', { color: 'red' })
    alice.sendFrame('leave', { room: 'board', data: {} })
    await alice.nextOfType('left')
    expect(
      (await bob.nextOfType('room_presence', (f) => f.data.left !== undefined)).data.left,
    ).toEqual(['alice'])
    await join(alice, 'board')
    const list = await alice.nextOfType('room_presence', isList('board'))
    expect(list.data.members).toEqual([{ userId: 'alice' }, { userId: 'bob' }])
  })

  it('refuses data that is not JSON within 1 KiB, prototype keys, missing data, non-members and private streams', async () => {
    const server = await startServer()
    const alice = await joinedAs(server.url, 'alice', 'board')
    const bob = await joinedAs(server.url, 'bob', 'board')
    const refusal = async (frame: Record<string, unknown>) => {
      alice.send(JSON.stringify({ v: 1, type: 'room_presence', timestamp: Date.now(), ...frame }))
      return (await alice.nextOfType('error', (f) => f.data.refId === frame.id)).data
    }
    const tooBig = 'x'.repeat(1023) // 1,025 bytes as a JSON string
    expect(await refusal({ id: 'big', room: 'board', data: { data: tooBig } })).toMatchObject({
      code: 'INVALID_FRAME',
      message: expect.stringContaining('1024'),
    })
    for (const key of ['__proto__', 'constructor', 'toString']) {
      // Refused before the id is read: the error names no frame.
      alice.send(
        `{"v":1,"id":"k","type":"room_presence","timestamp":1,"room":"board","data":{"data":{"${key}":1}}}`,
      )
      expect((await alice.nextOfType('error')).data).toMatchObject({
        code: 'INVALID_FRAME',
        message: expect.stringContaining('not allowed'),
      })
    }
    expect(await refusal({ id: 'room', room: '__proto__', data: { data: 1 } })).toMatchObject({
      code: 'INVALID_FRAME',
    })
    expect(await refusal({ id: 'none', room: 'board', data: {} })).toMatchObject({
      code: 'INVALID_FRAME',
    })
    expect(await refusal({ id: 'nonmember', room: 'elsewhere', data: { data: 1 } })).toMatchObject({
      code: 'NOT_JOINED',
    })
    expect(await refusal({ id: 'private', room: 'user:alice', data: { data: 1 } })).toMatchObject({
      code: 'FORBIDDEN',
    })

    // Exactly 1 KiB is accepted; bob saw only that.
    await setData(alice, 'board', 'x'.repeat(1022))
    await roundTrip(bob)
    expect(membersSeen(bob, 'board')).toEqual([
      { userId: 'alice', data: 'x'.repeat(1022) },
      { userId: 'bob' },
    ])
  })

  it("chunks a long list to the joiner's frame limit and lists a member whose data cannot fit without it", async () => {
    const server = await startServer({ maxPayload: 64 * 1024 })
    const others = Array.from({ length: 12 }, (_, i) => `user-${String(i).padStart(2, '0')}`)
    for (const userId of others) {
      const client = await joinedAs(server.url, userId, 'board')
      await setData(client, 'board', { note: `${userId} `.repeat(20) })
    }
    const big = await joinedAs(server.url, 'zed', 'board')
    await setData(big, 'board', 'z'.repeat(1000))

    const limited = await connect(server.url)
    limited.sendFrame('auth', { data: { token: await tokenFor('carol'), maxFrameBytes: 1024 } })
    await limited.nextOfType('auth_ok')
    await join(limited, 'board')
    await roundTrip(limited)
    const frames = framesOf(limited, 'room_presence')
    expect(frames.length).toBeGreaterThan(1)
    expect(frames.map((f) => f.data.snapshot)).toEqual(frames.map((_, i) => i === 0))
    for (const frame of frames)
      expect(Buffer.byteLength(JSON.stringify(frame))).toBeLessThanOrEqual(1024)
    const seen = membersSeen(limited, 'board')
    expect(seen.map((m) => m.userId)).toEqual(['carol', ...others, 'zed'])
    expect(seen.find((m) => m.userId === 'user-00')?.data).toEqual({ note: 'user-00 '.repeat(20) })
    expect(seen.find((m) => m.userId === 'zed')).toEqual({ userId: 'zed' })

    // A diff too big for this connection comes without the data; others get it whole.
    await setData(big, 'board', 'y'.repeat(1000))
    const diff = await limited.nextOfType('room_presence', (f) => f.data.snapshot === false)
    expect(diff.data).toEqual({ snapshot: false, members: [{ userId: 'zed' }] })
    expect(membersSeen(big, 'board').find((m) => m.userId === 'zed')?.data).toBe('y'.repeat(1000))
  })
})

describe('server presence: the last word when a user stops being seen', () => {
  it('removes a user for a watcher whose only shared room that user closed, while they stay online elsewhere', async () => {
    const server = await startServer()
    const bob = await joinedAs(server.url, 'bob', 'general')
    const aliceHere = await joinedAs(server.url, 'alice', 'general')
    const aliceElsewhere = await joinedAs(server.url, 'alice', 'other')
    await roundTrip(bob)
    aliceHere.close()
    const last = await bob.nextOfType('presence_update', (f) => f.data.removed !== undefined)
    expect(last.data).toEqual({ snapshot: false, removed: ['alice'] })
    expect(framesOf(bob, 'user_offline')).toEqual([])

    // Nothing about alice reaches bob any more.
    aliceElsewhere.sendFrame('presence_update', { data: { status: 'away' } })
    await aliceElsewhere.nextOfType('presence_update', (f) => f.data.users?.[0]?.status === 'away')
    server.systemAlert({ message: 'marker' })
    await bob.nextOfType('system_alert')
    const about = framesOf(bob, 'presence_update').filter((f) =>
      f.data.users?.some((u) => u.userId === 'alice' && u.status === 'away'),
    )
    expect(about).toEqual([])
  })

  it('removes, on a leave, the leaver for the room and the room for the leaver, but not who is still shared', async () => {
    const server = await startServer()
    const alice = await joinedAs(server.url, 'alice', 'general')
    await join(alice, 'other')
    const bob = await joinedAs(server.url, 'bob', 'general')
    const carol = await joinedAs(server.url, 'carol', 'general')
    await join(carol, 'other')
    await roundTrip(alice)
    alice.sendFrame('leave', { room: 'general', data: {} })
    await alice.nextOfType('left')
    const toBob = await bob.nextOfType('presence_update', (f) => f.data.removed !== undefined)
    expect(toBob.data.removed).toEqual(['alice'])
    const toAlice = await alice.nextOfType('presence_update', (f) => f.data.removed !== undefined)
    expect(toAlice.data.removed).toEqual(['bob'])
    await roundTrip(carol)
    await roundTrip(alice)
    // Carol still shares 'other' with alice: neither loses the other.
    expect(removedIn(carol.received)).toEqual([])
    expect(removedIn(alice.received)).toEqual(['bob'])
  })
})
