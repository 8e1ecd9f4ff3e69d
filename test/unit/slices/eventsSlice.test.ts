import { describe, expect, it } from 'vitest'
import { events } from '../../../slices/actions'
import { eventsReducer } from '../../../slices/eventsSlice'
import type { EventData } from '../../../src/protocol/frames'
import { T0, reduce } from './fixtures'

const HOUR = 3_600_000

const event = (id: string, fields: Partial<EventData> = {}): EventData => ({
  id,
  title: `event ${id}`,
  startsAt: T0 + HOUR,
  status: 'scheduled',
  updatedAt: T0,
  ...fields,
})
const received = (...items: EventData[]) => events.received({ events: items, at: T0 })

describe('events reducer', () => {
  it('adds events by id', () => {
    const state = reduce(eventsReducer, [received(event('a'), event('b'))])
    expect(Object.keys(state.byId).sort()).toEqual(['a', 'b'])
    expect(state.byId.a).toEqual(event('a'))
  })

  it('replaces an event by a newer version', () => {
    const state = reduce(eventsReducer, [
      received(event('a')),
      received(event('a', { title: 'moved', updatedAt: T0 + 1 })),
    ])
    expect(state.byId.a).toMatchObject({ title: 'moved', updatedAt: T0 + 1 })
  })

  it('keeps the newer version when an older one arrives later, in another burst or the same', () => {
    const newer = event('a', { title: 'newer', updatedAt: T0 + 10 })
    const older = event('a', { title: 'older', updatedAt: T0 + 5 })
    expect(reduce(eventsReducer, [received(newer), received(older)]).byId.a).toEqual(newer)
    expect(reduce(eventsReducer, [received(newer, older)]).byId.a).toEqual(newer)
  })

  it('records whether this client subscribed to event updates', () => {
    const on = reduce(eventsReducer, [events.subscriptionChanged({ subscribed: true })])
    expect(on.subscribed).toBe(true)
    expect(reduce(eventsReducer, [events.subscriptionChanged({ subscribed: false })], on)).toEqual({
      byId: {},
      subscribed: false,
    })
  })

  it('keeps an event whose id is named like an Object.prototype member', () => {
    const state = reduce(eventsReducer, [
      received(event('toString', { updatedAt: T0 + 1 })),
      received(event('toString', { title: 'stale', updatedAt: T0 })),
    ])
    expect(Object.entries(state.byId)).toEqual([
      ['toString', event('toString', { updatedAt: T0 + 1 })],
    ])
  })
})
