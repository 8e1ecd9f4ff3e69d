import { afterEach, describe, expect, it } from 'vitest'
import { createWorld, type World } from '../support/realtimeWorld'

let world: World
afterEach(() => world?.close())

const HOUR = 3_600_000

describe('event updates and reminders', () => {
  it('creates, updates and cancels events for subscribers only, and sends a reminder', async () => {
    world = await createWorld()
    const start = Date.now() + HOUR
    world.server.publishEvent({ id: 'launch', title: 'Launch', startsAt: start })
    const alice = await world.client('alice')
    const bob = await world.client('bob')

    alice.store.dispatch(alice.actions.subscribeToEvents())
    await alice.waitFor(
      (s) => alice.selectors.selectEventById(s, 'launch') !== undefined,
      5_000,
      'existing event',
    )

    world.server.publishEvent({
      id: 'standup',
      title: 'Standup',
      startsAt: start - HOUR / 2,
      location: 'Room 1',
    })
    world.server.publishEvent({ id: 'launch', title: 'Launch (moved)', startsAt: start + HOUR })
    await alice.waitFor(
      (s) => alice.selectors.selectEventById(s, 'launch')?.title === 'Launch (moved)',
      5_000,
      'update',
    )
    const upcoming = alice.selectors.selectUpcomingEvents(alice.store.getState(), Date.now())
    expect(upcoming.map((e) => e.id)).toEqual(['standup', 'launch']) // sorted by start

    world.server.publishEvent({
      id: 'standup',
      title: 'Standup',
      startsAt: start - HOUR / 2,
      status: 'cancelled',
    })
    await alice.waitFor(
      (s) => alice.selectors.selectEventById(s, 'standup')?.status === 'cancelled',
      5_000,
      'cancel',
    )
    expect(
      alice.selectors.selectUpcomingEvents(alice.store.getState(), Date.now()).map((e) => e.id),
    ).toEqual(['launch'])

    world.server.publishEvent({
      id: 'soon',
      title: 'Coffee',
      startsAt: Date.now() + HOUR,
      remindAt: [Date.now() + 200],
    })
    await alice.waitFor(
      (s) =>
        alice.selectors
          .selectNotifications(s)
          .some((n) => n.kind === 'event_reminder' && n.eventId === 'soon'),
      5_000,
      'reminder',
    )
    expect(bob.selectors.selectEventById(bob.store.getState(), 'launch')).toBeUndefined()
    expect(bob.selectors.selectNotifications(bob.store.getState())).toEqual([])
  })

  it('stops updates after unsubscribeFromEvents', async () => {
    world = await createWorld()
    const alice = await world.client('alice')
    alice.store.dispatch(alice.actions.subscribeToEvents())
    world.server.publishEvent({ id: 'one', title: 'One', startsAt: Date.now() + HOUR })
    await alice.waitFor(
      (s) => alice.selectors.selectEventById(s, 'one') !== undefined,
      5_000,
      'one',
    )
    alice.store.dispatch(alice.actions.unsubscribeFromEvents())
    await new Promise((r) => setTimeout(r, 100))
    world.server.publishEvent({ id: 'two', title: 'Two', startsAt: Date.now() + HOUR })
    world.server.notify('alice', { title: 'marker' })
    await alice.waitFor((s) => alice.selectors.selectNotifications(s).length === 1, 5_000, 'marker')
    expect(alice.selectors.selectEventById(alice.store.getState(), 'two')).toBeUndefined()
    expect(alice.selectors.selectIsSubscribedToEvents(alice.store.getState())).toBe(false)
  })
})
