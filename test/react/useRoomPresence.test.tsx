// @vitest-environment jsdom
import './support/nodeTypedArrays'
import { act, render, screen, waitFor } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocketProvider, useRoomPresence, type RoomPresenceHandle } from '../../src/react'
import { configFor, createAppStore, createWorld, tearDown, type World } from './support/reactWorld'

let world: World | undefined
afterEach(async () => {
  await tearDown(world)
  world = undefined
})

describe('useRoomPresence', () => {
  it('joins the room, lists its members with status and data, and sets yours', async () => {
    world = await createWorld()
    const bob = await world.client('bob', { rooms: ['board'] })
    bob.store.dispatch(bob.actions.setRoomPresence({ room: 'board', data: { cursor: [1, 2] } }))
    let handle: RoomPresenceHandle | undefined
    function Probe() {
      handle = useRoomPresence('board')
      return null
    }
    render(
      <WebSocketProvider config={await configFor(world.server.url, 'alice')}>
        <Probe />
      </WebSocketProvider>,
    )
    await waitFor(() =>
      expect(handle?.members).toEqual([
        { userId: 'alice', status: 'online' },
        { userId: 'bob', status: 'online', data: { cursor: [1, 2] } },
      ]),
    )
    const firstSetPresence = handle!.setPresence

    act(() => handle!.setPresence({ cursor: [3, 4] }))
    await bob.waitFor(
      (s) =>
        JSON.stringify(bob.selectors.selectRoomMembers(s, 'board')[0]) ===
        JSON.stringify({ userId: 'alice', status: 'online', data: { cursor: [3, 4] } }),
      5_000,
      "alice's data",
    )
    bob.store.dispatch(bob.actions.setStatus('away'))
    await waitFor(() => expect(handle?.members[1]).toMatchObject({ userId: 'bob', status: 'away' }))
    expect(handle!.members[0]).toEqual({
      userId: 'alice',
      status: 'online',
      data: { cursor: [3, 4] },
    })
    expect(handle!.setPresence).toBe(firstSetPresence)

    bob.dispose()
    await waitFor(() => expect(handle?.members.map((m) => m.userId)).toEqual(['alice']))
  })

  it("re-renders only the component whose room's members changed", async () => {
    world = await createWorld()
    const app = createAppStore(await configFor(world.server.url, 'alice'))
    const renders: Record<string, number> = {}
    function Members({ room }: { room: string }) {
      renders[room] = (renders[room] ?? 0) + 1
      const { members } = useRoomPresence(room)
      return (
        <ul data-testid={room}>
          {members.map((m) => (
            <li
              key={m.userId}
            >{`${room}:${m.userId}:${m.status}:${JSON.stringify(m.data ?? null)}`}</li>
          ))}
        </ul>
      )
    }
    render(
      <WebSocketProvider store={app.store} realtime={app.realtime}>
        <Members room="room-a" />
        <Members room="room-b" />
      </WebSocketProvider>,
    )
    const bob = await world.client('bob', { rooms: ['room-a'] })
    const carol = await world.client('carol', { rooms: ['room-b'] })
    await screen.findByText('room-a:bob:online:null')
    await screen.findByText('room-b:carol:online:null')
    const before = { a: renders['room-a'] ?? 0, b: renders['room-b'] ?? 0 }

    // Bob's data and status: news for room A only.
    bob.store.dispatch(bob.actions.setRoomPresence({ room: 'room-a', data: 'x' }))
    await screen.findByText('room-a:bob:online:"x"')
    bob.store.dispatch(bob.actions.setStatus('busy'))
    await screen.findByText('room-a:bob:busy:"x"')
    expect(renders['room-a']).toBeGreaterThanOrEqual(before.a + 2)

    // Carol's news reaches alice after bob's (one socket keeps order): B re-renders for it alone.
    carol.store.dispatch(carol.actions.setRoomPresence({ room: 'room-b', data: 'barrier' }))
    await screen.findByText('room-b:carol:online:"barrier"')
    expect(renders['room-b']).toBe(before.b + 1)
  })
})
