import { afterEach, describe, expect, it } from 'vitest'
import { createWorld, type World } from '../support/realtimeWorld'

let world: World
afterEach(() => world?.close())

describe('presence through the reference server', () => {
  it('follows a room co-member online → away → custom status → offline, across two connections', async () => {
    world = await createWorld()
    const alice = await world.client('alice', { rooms: ['general'] })
    const bobLaptop = await world.client('bob', { rooms: ['general'] })
    const bobPhone = await world.client('bob', { rooms: ['general'] })
    const status = () => alice.selectors.selectUserStatus(alice.store.getState(), 'bob')

    await alice.waitFor(
      (s) => alice.selectors.selectOnlineUsers(s).includes('bob'),
      5_000,
      'bob online',
    )
    expect(status()).toMatchObject({ status: 'online' })

    bobLaptop.store.dispatch(bobLaptop.actions.setStatus('away'))
    await alice.waitFor(
      (s) => alice.selectors.selectUserStatus(s, 'bob')?.status === 'away',
      5_000,
      'away',
    )
    bobLaptop.store.dispatch(bobLaptop.actions.setCustomStatus('In a meeting'))
    await alice.waitFor(
      (s) => alice.selectors.selectUserStatus(s, 'bob')?.customStatus === 'In a meeting',
      5_000,
      'custom',
    )
    // Bob's other device agrees.
    await bobPhone.waitFor(
      (s) => bobPhone.selectors.selectUserStatus(s, 'bob')?.customStatus === 'In a meeting',
      5_000,
      'own devices',
    )

    bobLaptop.store.dispatch(bobLaptop.actions.disconnect())
    await new Promise((r) => setTimeout(r, 200))
    // Still online: the phone is connected.
    expect(status()?.status).not.toBe('offline')
    const before = Date.now()
    bobPhone.store.dispatch(bobPhone.actions.disconnect())
    await alice.waitFor(
      (s) => alice.selectors.selectUserStatus(s, 'bob')?.status === 'offline',
      5_000,
      'offline',
    )
    expect(alice.selectors.selectOnlineUsers(alice.store.getState())).not.toContain('bob')
    expect(status()?.lastSeen).toBeGreaterThanOrEqual(before - 1000)
  })

  it('tracks a subscribed user outside any shared room, and not an unrelated one', async () => {
    world = await createWorld()
    const alice = await world.client('alice')
    const bob = await world.client('bob')
    const eve = await world.client('eve')
    alice.store.dispatch(alice.actions.subscribeToUser('bob'))
    await alice.waitFor(
      (s) => alice.selectors.selectUserStatus(s, 'bob')?.status === 'online',
      5_000,
      'snapshot',
    )
    bob.store.dispatch(bob.actions.setStatus('busy'))
    eve.store.dispatch(eve.actions.setStatus('away'))
    await alice.waitFor(
      (s) => alice.selectors.selectUserStatus(s, 'bob')?.status === 'busy',
      5_000,
      'busy',
    )
    expect(alice.selectors.selectUserStatus(alice.store.getState(), 'eve')).toBeUndefined()
    expect(alice.selectors.selectPresenceSubscriptions(alice.store.getState())).toEqual(['bob'])
  })
})
