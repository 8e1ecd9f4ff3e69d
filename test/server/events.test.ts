import { describe, expect, it } from 'vitest'
import type { EventInput } from '../../src/server'
import type { RawClient } from '../support/rawClient'
import { connectAs, framesOf, join, joinedAs, roundTrip, startServer } from './harness'

const HOUR = 3_600_000

function subscribeToEvents(client: RawClient): void {
  client.sendFrame('subscribe', { data: { topic: 'events' } })
}

/** Event updates seen on a client's private stream, as [event id, status, title]. */
const seen = (client: RawClient) =>
  framesOf(client, 'event_update').map((frame) => [
    frame.data.id,
    frame.data.status,
    frame.data.title,
  ])

describe('server events', () => {
  it('appends every current event to the private stream of a user who subscribes', async () => {
    const server = await startServer()
    const standup = server.publishEvent({
      id: 'standup',
      title: 'Standup',
      startsAt: Date.now() + HOUR,
    })
    expect(standup).toMatchObject({ id: 'standup', status: 'scheduled' })
    expect(standup.updatedAt).toBeGreaterThan(0)
    server.publishEvent({
      id: 'retro',
      title: 'Retro',
      startsAt: Date.now() + 2 * HOUR,
      location: 'Room 4',
    })

    const alice = await joinedAs(server.url, 'alice', 'user:alice')
    subscribeToEvents(alice)
    await alice.nextOfType('event_update', (frame) => frame.data.id === 'retro')
    const [first] = framesOf(alice, 'event_update')
    expect(first).toMatchObject({ room: 'user:alice', seq: 1, data: standup })
    expect(seen(alice)).toEqual([
      ['standup', 'scheduled', 'Standup'],
      ['retro', 'scheduled', 'Retro'],
    ])
  })

  it('sends creates, updates and cancellations to subscribers only', async () => {
    const server = await startServer()
    const alice = await joinedAs(server.url, 'alice', 'user:alice')
    const bob = await joinedAs(server.url, 'bob', 'user:bob')
    subscribeToEvents(alice)
    // Handled after the subscribe, so publishing below reaches alice.
    await join(alice, 'user:alice', { epoch: server.epoch, seq: 0 })

    const startsAt = Date.now() + HOUR
    const created = server.publishEvent({ id: 'launch', title: 'Launch', startsAt })
    const updated = server.publishEvent({ id: 'launch', title: 'Launch v2', startsAt })
    const cancelled = server.publishEvent({
      id: 'launch',
      title: 'Launch v2',
      startsAt,
      status: 'cancelled',
    })
    expect(updated.updatedAt).toBeGreaterThan(created.updatedAt)
    expect(cancelled.status).toBe('cancelled')
    await alice.nextOfType('event_update', (frame) => frame.data.status === 'cancelled')
    expect(seen(alice)).toEqual([
      ['launch', 'scheduled', 'Launch'],
      ['launch', 'scheduled', 'Launch v2'],
      ['launch', 'cancelled', 'Launch v2'],
    ])

    // Appended to bob's stream after the events: a copy for bob would have come first.
    server.notify('bob', { title: 'marker' })
    await bob.nextOfType('notification')
    expect(seen(bob)).toEqual([])
  })

  it('appends nothing on a repeated subscribe, from any connection of the user', async () => {
    const server = await startServer()
    server.publishEvent({ id: 'standup', title: 'Standup', startsAt: Date.now() + HOUR })
    const phone = await joinedAs(server.url, 'alice', 'user:alice')
    subscribeToEvents(phone)
    await phone.nextOfType('event_update')
    const laptop = await connectAs(server.url, 'alice')
    subscribeToEvents(laptop)
    subscribeToEvents(phone)
    await join(laptop, 'user:alice', { epoch: server.epoch, seq: 1 })
    await roundTrip(phone)
    server.notify('alice', { title: 'marker' })
    await phone.nextOfType('notification')
    expect(seen(phone)).toHaveLength(1)
    expect(framesOf(laptop, 'event_update')).toEqual([])
  })

  it('stops sending after unsubscribe', async () => {
    const server = await startServer()
    const alice = await joinedAs(server.url, 'alice', 'user:alice')
    subscribeToEvents(alice)
    alice.sendFrame('unsubscribe', { data: { topic: 'events' } })
    await join(alice, 'user:alice', { epoch: server.epoch, seq: 0 })
    server.publishEvent({ id: 'standup', title: 'Standup', startsAt: Date.now() + HOUR })
    server.notify('alice', { title: 'marker' })
    await alice.nextOfType('notification')
    expect(seen(alice)).toEqual([])
  })

  it('reaches an offline subscriber through the replay of the next join', async () => {
    const server = await startServer()
    const alice = await connectAs(server.url, 'alice')
    subscribeToEvents(alice)
    await join(alice, 'user:alice')
    alice.close()
    await alice.closed
    server.publishEvent({ id: 'standup', title: 'Standup', startsAt: Date.now() + HOUR })
    const again = await connectAs(server.url, 'alice')
    await join(again, 'user:alice', { epoch: server.epoch, seq: 0 })
    const replay = await again.nextOfType('batch')
    expect(replay.data.frames.map((frame) => frame.type)).toEqual(['event_update'])
  })

  it('sends subscribers an event_reminder notification at remindAt, and none for a cancelled event', async () => {
    const server = await startServer()
    const alice = await joinedAs(server.url, 'alice', 'user:alice')
    subscribeToEvents(alice)
    await join(alice, 'user:alice', { epoch: server.epoch, seq: 0 })
    const startsAt = Date.now() + HOUR
    server.publishEvent({ id: 'dropped', title: 'Dropped', startsAt, remindAt: [Date.now() + 100] })
    server.publishEvent({ id: 'dropped', title: 'Dropped', startsAt, status: 'cancelled' })
    server.publishEvent({ id: 'demo', title: 'Demo', startsAt, remindAt: [Date.now() + 200] })

    const reminder = await alice.nextOfType('notification')
    expect(reminder.data).toEqual({
      title: 'Reminder: Demo',
      kind: 'event_reminder',
      eventId: 'demo',
      severity: 'info',
    })
    expect(framesOf(alice, 'notification')).toHaveLength(1)
  })

  it('throws a TypeError naming the field for an event clients would refuse', async () => {
    const server = await startServer()
    const bad = (event: Partial<EventInput>) => () => server.publishEvent(event as EventInput)
    expect(bad({ id: 'e', title: 'x' })).toThrow(/^publishEvent: startsAt/)
    expect(bad({ id: 'has space', title: 'x', startsAt: 1 })).toThrow(/id/)
    expect(bad({ id: 'e', title: 'x', startsAt: 1, remindAt: [-5] })).toThrow(/remindAt/)
  })

  it('throws a TypeError for an event id that is an Object.prototype member name, storing nothing', async () => {
    const server = await startServer()
    for (const id of ['toString', '__proto__', 'constructor', 'valueOf', 'prototype']) {
      expect(() => server.publishEvent({ id, title: 'x', startsAt: 1 })).toThrow(TypeError)
      expect(() => server.publishEvent({ id, title: 'x', startsAt: 1 })).toThrow(
        /^publishEvent: id/,
      )
    }
    server.publishEvent({ id: 'ok', title: 'fine', startsAt: 1 })
    const alice = await joinedAs(server.url, 'alice', 'user:alice')
    alice.sendFrame('subscribe', { data: { topic: 'events' } })
    const update = await alice.nextOfType('event_update')
    expect(update.data.id).toBe('ok')
  })

  it('refuses to publish after close', async () => {
    const server = await startServer()
    await server.close()
    expect(() => server.publishEvent({ id: 'e', title: 'x', startsAt: 1 })).toThrow(/closed/)
    expect(() => server.notify('alice', { title: 'x' })).toThrow(/closed/)
  })
})
