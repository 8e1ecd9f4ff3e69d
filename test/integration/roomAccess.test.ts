import { afterEach, describe, expect, it } from 'vitest'
import { createWorld, type World } from '../support/realtimeWorld'

let world: World
afterEach(() => world?.close())

describe('rooms the server refuses, and explicit reconnects', () => {
  it('fails the messages queued for a room whose join is refused instead of keeping them pending', async () => {
    world = await createWorld({ rooms: { staff: { public: false, members: ['alice'] } } })
    const bob = await world.client('bob')
    bob.store.dispatch(bob.actions.joinRoom('staff'))
    const sent = bob.store.dispatch(
      bob.actions.sendChatMessage({ room: 'staff', content: 'let me in' }),
    )
    await bob.waitFor(
      (s) =>
        bob.selectors.selectRoomStatus(s, 'staff') === undefined ||
        bob.selectors.selectRoomStatus(s, 'staff')?.status === 'failed',
      5_000,
      'refusal',
    )
    await bob.waitFor(
      (s) => bob.selectors.selectPendingMessages(s).length === 0,
      5_000,
      'outbox emptied',
    )
    const state = bob.store.getState()
    expect(bob.selectors.selectRoomStatus(state, 'staff')).toMatchObject({
      status: 'failed',
      error: { code: 'FORBIDDEN' },
    })
    expect(bob.selectors.selectMessagesByRoom(state, 'staff')).toEqual([
      expect.objectContaining({
        id: sent.payload.id,
        status: 'failed',
        // NOT_JOINED when it went out right behind the refused join, FORBIDDEN when it waited.
        error: expect.objectContaining({ code: expect.stringMatching(/^(FORBIDDEN|NOT_JOINED)$/) }),
      }),
    ])
    const alice = await world.client('alice', { rooms: ['staff'] })
    expect(alice.selectors.selectRooms(alice.store.getState())).toEqual(['staff'])
  })

  it('reconnects on request even with autoReconnect off', async () => {
    world = await createWorld()
    const alice = await world.client('alice', { autoReconnect: false })
    const opened = () =>
      alice.dispatched.filter((a) => a.type === 'realtime/connection/opened').length
    alice.store.dispatch(alice.actions.reconnect())
    await alice.waitFor(() => opened() === 2, 5_000, 'second open')
    expect(alice.selectors.selectIsConnected(alice.store.getState())).toBe(true)
  })
})
