import { afterEach, describe, expect, it } from 'vitest'
import type { RoomMemberEntry, RoomPresenceMember } from '../../src'
import { connectRaw } from '../support/rawClient'
import type { TestClient } from '../support/realtimeClient'
import { createWorld, type World } from '../support/realtimeWorld'
import { tokenFor } from '../support/tokens'

let world: World
afterEach(() => world?.close())

const members = (client: TestClient, room = 'board'): readonly RoomPresenceMember[] =>
  client.selectors.selectRoomMembers(client.store.getState(), room)

const ids = (client: TestClient, room = 'board') => members(client, room).map((m) => m.userId)

/** Waits until `client` sees exactly `expected` in `room`. */
function sees(client: TestClient, expected: RoomPresenceMember[], room = 'board') {
  const same = (state: ReturnType<TestClient['store']['getState']>) =>
    JSON.stringify(client.selectors.selectRoomMembers(state, room)) === JSON.stringify(expected)
  return client.waitFor(same, 5_000, `${client.userId} sees ${JSON.stringify(expected)}`)
}

/** Counts the `room_presence` frames a client writes. */
function countSent(client: TestClient): () => number {
  let sent = 0
  client.realtime.inspector.subscribe((entry) => {
    if (entry.direction === 'out' && 'frame' in entry && entry.frame.type === 'room_presence')
      sent++
  })
  return () => sent
}

describe('room presence through the reference server', () => {
  it('shows each member both members sorted by user id, with status and data', async () => {
    world = await createWorld()
    const bob = await world.client('bob', { rooms: ['board'] })
    const alice = await world.client('alice', { rooms: ['board'] })
    bob.store.dispatch(bob.actions.setRoomPresence({ room: 'board', data: { cursor: [1, 2] } }))
    alice.store.dispatch(alice.actions.setRoomPresence({ room: 'board', data: 'drawing' }))
    const both: RoomPresenceMember[] = [
      { userId: 'alice', status: 'online', data: 'drawing' },
      { userId: 'bob', status: 'online', data: { cursor: [1, 2] } },
    ]
    await sees(alice, both)
    await sees(bob, both)

    // Status comes from presence; an update of the data arrives.
    bob.store.dispatch(bob.actions.setStatus('away'))
    bob.store.dispatch(bob.actions.setRoomPresence({ room: 'board', data: { cursor: [5, 6] } }))
    await sees(alice, [
      { userId: 'alice', status: 'online', data: 'drawing' },
      { userId: 'bob', status: 'away', data: { cursor: [5, 6] } },
    ])
  })

  it('coalesces: many calls before the first is acked send the latest, in two frames', async () => {
    world = await createWorld()
    const alice = await world.client('alice', { rooms: ['board'] })
    const bob = await world.client('bob', { rooms: ['board'] })
    const sent = countSent(alice)
    for (let x = 0; x < 50; x++) {
      alice.store.dispatch(alice.actions.setRoomPresence({ room: 'board', data: { x } }))
    }
    await sees(bob, [
      { userId: 'alice', status: 'online', data: { x: 49 } },
      { userId: 'bob', status: 'online' },
    ])
    await sees(alice, [
      { userId: 'alice', status: 'online', data: { x: 49 } },
      { userId: 'bob', status: 'online' },
    ])
    // The first went at once; the other 49 waited for its ack and went as one.
    expect(sent()).toBe(2)
  })

  it('re-sends your data after a reconnect and rebuilds the list: no duplicates, no ghosts', async () => {
    world = await createWorld()
    const alice = await world.client('alice', { rooms: ['board'] })
    const bob = await world.client('bob', { rooms: ['board'] })
    const carol = await world.client('carol', { rooms: ['board'] })
    bob.store.dispatch(bob.actions.setRoomPresence({ room: 'board', data: 'bob-data' }))
    await alice.waitFor((s) => alice.selectors.selectRoomMembers(s, 'board').length === 3)
    await sees(alice, [
      { userId: 'alice', status: 'online' },
      { userId: 'bob', status: 'online', data: 'bob-data' },
      { userId: 'carol', status: 'online' },
    ])

    bob.store.dispatch(bob.actions.disconnect())
    await sees(alice, [
      { userId: 'alice', status: 'online' },
      { userId: 'carol', status: 'online' },
    ])
    // Carol leaves while bob is away: bob's old list still has her until he is back.
    carol.dispose()
    await sees(alice, [{ userId: 'alice', status: 'online' }])
    expect(ids(bob)).toEqual(['alice', 'bob', 'carol'])

    bob.store.dispatch(bob.actions.connect())
    const after: RoomPresenceMember[] = [
      { userId: 'alice', status: 'online' },
      { userId: 'bob', status: 'online', data: 'bob-data' },
    ]
    await sees(bob, after)
    await sees(alice, after)

    // A dropped socket (not a disconnect) the same way: alice sees bob go and come back with his data.
    const mark = alice.dispatched.length
    const seenSince = (
      what: (payload: { members: RoomMemberEntry[]; left: string[] }) => boolean,
    ) =>
      alice.dispatched
        .slice(mark)
        .some((a) => alice.actions.roomPresence.changed.match(a) && what(a.payload))
    bob.store.dispatch(bob.actions.reconnect())
    await alice.waitFor(
      () =>
        seenSince((p) => p.left.includes('bob')) &&
        seenSince((p) => p.members.some((m) => m.userId === 'bob' && m.data === 'bob-data')),
      5_000,
      'bob back with his data',
    )
    await sees(alice, after)
    await sees(bob, after)
  })

  it('lists a user with two tabs once, until both have closed', async () => {
    world = await createWorld()
    const bob = await world.client('bob', { rooms: ['board'] })
    const tab1 = await world.client('alice', { rooms: ['board'] })
    const tab2 = await world.client('alice', { rooms: ['board'] })
    tab1.store.dispatch(tab1.actions.setRoomPresence({ room: 'board', data: 'tab1' }))
    const both: RoomPresenceMember[] = [
      { userId: 'alice', status: 'online', data: 'tab1' },
      { userId: 'bob', status: 'online' },
    ]
    await sees(bob, both)
    // Both tabs agree.
    await sees(tab2, both)

    tab1.dispose()
    tab2.store.dispatch(tab2.actions.setRoomPresence({ room: 'board', data: 'tab2' }))
    await sees(bob, [
      { userId: 'alice', status: 'online', data: 'tab2' },
      { userId: 'bob', status: 'online' },
    ])
    tab2.dispose()
    await sees(bob, [{ userId: 'bob', status: 'online' }])
  })

  it('clears on leave: your list is gone, the others see you go, a rejoin sends no old data', async () => {
    world = await createWorld()
    const alice = await world.client('alice', { rooms: ['board'] })
    const bob = await world.client('bob', { rooms: ['board', 'lobby'] })
    bob.store.dispatch(bob.actions.setRoomPresence({ room: 'board', data: 'here' }))
    await sees(alice, [
      { userId: 'alice', status: 'online' },
      { userId: 'bob', status: 'online', data: 'here' },
    ])
    const sent = countSent(bob)

    bob.store.dispatch(bob.actions.leaveRoom('board'))
    expect(members(bob)).toEqual([])
    await sees(alice, [{ userId: 'alice', status: 'online' }])
    expect(() =>
      bob.store.dispatch(bob.actions.setRoomPresence({ room: 'board', data: 'x' })),
    ).toThrow(/joinRoom\('board'\)/)

    bob.store.dispatch(bob.actions.joinRoom('board'))
    await sees(bob, [
      { userId: 'alice', status: 'online' },
      { userId: 'bob', status: 'online' },
    ])
    await sees(alice, [
      { userId: 'alice', status: 'online' },
      { userId: 'bob', status: 'online' },
    ])
    expect(sent()).toBe(0)
  })

  it('refuses hostile data and room names at the API, and the server refuses them on the wire', async () => {
    world = await createWorld()
    const alice = await world.client('alice', { rooms: ['board'] })
    const bob = await world.client('bob', { rooms: ['board'] })
    const set = (room: string, data: unknown) => () =>
      alice.store.dispatch(alice.actions.setRoomPresence({ room, data: data as never }))

    expect(set('board', 'x'.repeat(1023))).toThrow(/1024 bytes/)
    expect(set('board', JSON.parse('{"__proto__":{"polluted":1}}'))).toThrow(/not allowed/)
    expect(set('board', { constructor: 1 })).toThrow(/not allowed/)
    expect(set('board', () => 1)).toThrow(/must be JSON/)
    expect(set('board', { at: new Date() })).toThrow(/must be JSON/)
    expect(set('board', { n: NaN })).toThrow(/must be JSON/)
    expect(set('board', undefined)).toThrow(/setRoomPresence/)
    for (const room of ['__proto__', 'toString', 'has space', ''])
      expect(set(room, 1)).toThrow(/room must be/)
    expect(set('user:alice', 1)).toThrow(/private stream/)
    expect(set('never-joined', 1)).toThrow(/joinRoom\('never-joined'\)/)

    // A client that skips the API: refused with an error frame, the members' state unchanged.
    const raw = await connectRaw(world.server.url)
    await raw.authenticate(await tokenFor('mallory'))
    raw.sendFrame('join', { room: 'board', data: {} })
    await raw.nextOfType('joined')
    raw.send(
      JSON.stringify({
        v: 1,
        id: 'big',
        type: 'room_presence',
        timestamp: Date.now(),
        room: 'board',
        data: { data: 'x'.repeat(2000) },
      }),
    )
    expect((await raw.nextOfType('error', (f) => f.data.refId === 'big')).data.code).toBe(
      'INVALID_FRAME',
    )
    raw.send(
      '{"v":1,"id":"p","type":"room_presence","timestamp":1,"room":"board","data":{"data":{"__proto__":{"polluted":true}}}}',
    )
    expect((await raw.nextOfType('error')).data.code).toBe('INVALID_FRAME')
    const ok = raw.sendFrame('room_presence', { room: 'board', data: { data: 'fine' } })
    await raw.nextOfType('ack', (f) => f.data.refId === ok.id)
    const expected: RoomPresenceMember[] = [
      { userId: 'alice', status: 'online' },
      { userId: 'bob', status: 'online' },
      { userId: 'mallory', status: 'online', data: 'fine' },
    ]
    await sees(alice, expected)
    await sees(bob, expected)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    raw.close()
  })
})

describe('presence: no stale status for a user no longer seen', () => {
  it("drops a user's status when their only room shared with you closes while they stay online elsewhere", async () => {
    world = await createWorld()
    const bob = await world.client('bob', { rooms: ['general'] })
    const aliceHere = await world.client('alice', { rooms: ['general'] })
    const aliceElsewhere = await world.client('alice', { rooms: ['other'] })
    const status = () => bob.selectors.selectUserStatus(bob.store.getState(), 'alice')
    await bob.waitFor((s) => bob.selectors.selectUserStatus(s, 'alice')?.status === 'online')

    aliceHere.dispose()
    // Used to stay 'online' for ever: bob stopped getting alice's news but kept her last status.
    await bob.waitFor(
      (s) => bob.selectors.selectUserStatus(s, 'alice') === undefined,
      5_000,
      'alice removed',
    )
    expect(bob.selectors.selectOnlineUsers(bob.store.getState())).not.toContain('alice')
    expect(status()).toBeUndefined()
    expect(aliceElsewhere.selectors.selectIsConnected(aliceElsewhere.store.getState())).toBe(true)
  })

  it('drops both sides when a user leaves the only room they shared', async () => {
    world = await createWorld()
    const alice = await world.client('alice', { rooms: ['general', 'other'] })
    const bob = await world.client('bob', { rooms: ['general'] })
    await alice.waitFor((s) => alice.selectors.selectUserStatus(s, 'bob')?.status === 'online')
    await bob.waitFor((s) => bob.selectors.selectUserStatus(s, 'alice')?.status === 'online')

    alice.store.dispatch(alice.actions.leaveRoom('general'))
    await bob.waitFor((s) => bob.selectors.selectUserStatus(s, 'alice') === undefined)
    await alice.waitFor((s) => alice.selectors.selectUserStatus(s, 'bob') === undefined)
    expect(alice.selectors.selectUserStatus(alice.store.getState(), 'alice')?.status).toBe('online')
  })
})
