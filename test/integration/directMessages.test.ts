import { afterEach, describe, expect, it } from 'vitest'
import { generatePrivateRoomId } from '../../src'
import { createWorld, type World } from '../support/realtimeWorld'

let world: World
afterEach(() => world?.close())

describe('direct messages through the reference server', () => {
  it('reach only sender and addressee, pending then sent, named by generatePrivateRoomId', async () => {
    world = await createWorld()
    const alice = await world.client('alice')
    const bob = await world.client('bob')
    const eve = await world.client('eve')

    const sent = alice.store.dispatch(
      alice.actions.sendDirectMessage({ to: 'bob', content: 'psst, bob' }),
    )
    expect(alice.selectors.selectDirectMessages(alice.store.getState(), 'bob')).toEqual([
      expect.objectContaining({
        id: sent.payload.id,
        status: 'pending',
        data: { to: 'bob', content: 'psst, bob' },
      }),
    ])
    await bob.waitFor(
      (s) => bob.selectors.selectDirectMessages(s, 'alice').length === 1,
      5_000,
      'the DM',
    )
    await alice.waitFor(
      (s) => alice.selectors.selectPendingMessages(s).length === 0,
      5_000,
      'the ack',
    )

    // A later DM from eve to bob proves eve's stream was live; she never got alice's.
    eve.store.dispatch(eve.actions.sendDirectMessage({ to: 'bob', content: 'hi bob, eve here' }))
    await bob.waitFor(
      (s) => bob.selectors.selectDirectMessages(s, 'eve').length === 1,
      5_000,
      "eve's DM",
    )
    const eveState = eve.store.getState()
    expect(eve.selectors.selectDirectMessages(eveState, 'alice')).toEqual([])
    expect(eve.selectors.selectDirectMessages(eveState, 'bob').map((m) => m.data.content)).toEqual([
      'hi bob, eve here',
    ])

    expect(bob.selectors.selectDirectMessages(bob.store.getState(), 'alice')).toEqual([
      expect.objectContaining({
        id: sent.payload.id,
        userId: 'alice',
        data: { to: 'bob', content: 'psst, bob' },
      }),
    ])
    expect(alice.selectors.selectDirectMessages(alice.store.getState(), 'bob')).toEqual([
      expect.objectContaining({ id: sent.payload.id, status: 'sent' }),
    ])
    expect(
      bob.selectors
        .selectConversations(bob.store.getState())
        .map((c) => c.id)
        .sort(),
    ).toEqual([generatePrivateRoomId('alice', 'bob'), generatePrivateRoomId('bob', 'eve')].sort())
  })

  it('delivers DMs written while the addressee was offline exactly once when they come back', async () => {
    world = await createWorld()
    const alice = await world.client('alice')
    const bob = await world.client('bob')
    alice.store.dispatch(alice.actions.sendDirectMessage({ to: 'bob', content: 'first' }))
    await bob.waitFor((s) => bob.selectors.selectDirectMessages(s, 'alice').length === 1)

    bob.store.dispatch(bob.actions.disconnect())
    for (const content of ['second', 'third']) {
      alice.store.dispatch(alice.actions.sendDirectMessage({ to: 'bob', content }))
    }
    await alice.waitFor((s) => alice.selectors.selectPendingMessages(s).length === 0)
    bob.store.dispatch(bob.actions.connect())
    await bob.waitFor(
      (s) => bob.selectors.selectDirectMessages(s, 'alice').length === 3,
      5_000,
      'missed DMs',
    )
    await bob.waitFor((s) => bob.selectors.selectIsConnected(s))
    expect(
      bob.selectors.selectDirectMessages(bob.store.getState(), 'alice').map((m) => m.data.content),
    ).toEqual(['first', 'second', 'third'])
  })
})
