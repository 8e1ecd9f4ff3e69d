// @vitest-environment jsdom
import './support/nodeTypedArrays'
import { act, render, waitFor } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocketProvider, useEvents, type EventsHandle } from '../../src/react'
import { configFor, createWorld, tearDown, type World } from './support/reactWorld'

let world: World | undefined
afterEach(async () => {
  await tearDown(world)
  world = undefined
})

describe('useEvents', () => {
  it('lists upcoming events published after subscribing, soonest first', async () => {
    world = await createWorld()
    let events: EventsHandle | undefined
    function Probe() {
      events = useEvents()
      return null
    }
    render(
      <WebSocketProvider config={await configFor(world.server.url, 'alice')}>
        <Probe />
      </WebSocketProvider>,
    )
    act(() => events!.subscribeToEvents())
    await waitFor(() => expect(events?.isSubscribed).toBe(true))
    const hour = 3_600_000
    const later = Date.now() + 2 * hour
    const soon = Date.now() + hour
    // Give the server the subscribe frame before publishing.
    await new Promise((r) => setTimeout(r, 100))
    world.server.publishEvent({ id: 'retro', title: 'Retro', startsAt: later })
    world.server.publishEvent({ id: 'standup', title: 'Standup', startsAt: soon })
    world.server.publishEvent({ id: 'past', title: 'Yesterday', startsAt: Date.now() - 24 * hour })
    await waitFor(() => expect(events?.events).toHaveLength(3))
    expect(events!.upcomingEvents.map((e) => e.id)).toEqual(['standup', 'retro'])
    expect(events!.getEventById('retro')?.title).toBe('Retro')
    expect(events!.getEventById('nope')).toBeUndefined()

    world.server.publishEvent({ id: 'retro', title: 'Retro', startsAt: later, status: 'cancelled' })
    await waitFor(() => expect(events?.upcomingEvents.map((e) => e.id)).toEqual(['standup']))

    act(() => events!.unsubscribeFromEvents())
    await waitFor(() => expect(events?.isSubscribed).toBe(false))
  })
})
