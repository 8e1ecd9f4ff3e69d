import { describe, expect, it } from 'vitest'
import { outbox } from '../../../slices/actions'
import { outboxReducer, type OutboxSliceState } from '../../../slices/outboxSlice'
import { T0, entry, error, reduce } from './fixtures'

const entries = (state: OutboxSliceState) => state.chunks.flat()
const ids = (state: OutboxSliceState) => entries(state).map((e) => e.id)

describe('outbox reducer', () => {
  it('holds enqueued messages oldest first', () => {
    const state = reduce(outboxReducer, [
      outbox.enqueued({ entry: entry('general', 'a') }),
      outbox.enqueued({ entry: entry('random', 'b') }),
      outbox.enqueued({ entry: entry('general', 'c') }),
    ])
    expect(ids(state)).toEqual(['a', 'b', 'c'])
    expect(entries(state)[1]).toEqual(entry('random', 'b'))
  })

  it('removes acknowledged and failed messages and keeps the rest in order', () => {
    const state = reduce(outboxReducer, [
      outbox.enqueued({ entry: entry('general', 'a') }),
      outbox.enqueued({ entry: entry('general', 'b') }),
      outbox.enqueued({ entry: entry('general', 'c') }),
      outbox.enqueued({ entry: entry('general', 'd') }),
      outbox.acked({ acks: [{ refId: 'a', seq: 1, room: 'general' }, { refId: 'c' }], at: T0 }),
      outbox.failed({ failures: [{ id: 'd', room: 'general', error: error('FORBIDDEN') }] }),
    ])
    expect(ids(state)).toEqual(['b'])
  })

  it('ignores acks for messages it does not hold', () => {
    const state = reduce(outboxReducer, [
      outbox.enqueued({ entry: entry('general', 'a') }),
      outbox.acked({ acks: [{ refId: 'zzz' }], at: T0 }),
    ])
    expect(ids(state)).toEqual(['a'])
  })

  it('adds restored messages it does not already hold', () => {
    const state = reduce(outboxReducer, [
      outbox.enqueued({ entry: entry('general', 'a') }),
      outbox.restored({ entries: [entry('general', 'a'), entry('general', 'b')] }),
    ])
    expect(ids(state)).toEqual(['a', 'b'])
  })

  it('does not hold an overflowed message', () => {
    const state = reduce(outboxReducer, [
      outbox.overflowed({ entry: entry('general', 'x'), error: error('QUEUE_FULL') }),
    ])
    expect(entries(state)).toEqual([])
    expect(state.count).toBe(0)
  })

  it('keeps order and count across chunks: 1,000 queued, some acked out of order, some failed', () => {
    const queued = Array.from({ length: 1000 }, (_, i) => `m${i}`)
    let state = reduce(
      outboxReducer,
      queued.map((id) => outbox.enqueued({ entry: entry('general', id) })),
    )
    expect(state.count).toBe(1000)
    expect(state.chunks.length).toBeGreaterThan(1)
    expect(ids(state)).toEqual(queued)
    const before = state
    state = outboxReducer(
      state,
      outbox.acked({ acks: [{ refId: 'm0' }, { refId: 'm500' }, { refId: 'm999' }], at: T0 }),
    )
    state = outboxReducer(
      state,
      outbox.failed({ failures: [{ id: 'm1', room: 'general', error: error('FORBIDDEN') }] }),
    )
    const gone = new Set(['m0', 'm1', 'm500', 'm999'])
    expect(ids(state)).toEqual(queued.filter((id) => !gone.has(id)))
    expect(state.count).toBe(996)
    // Chunks with nothing removed keep their identity.
    expect(state.chunks.filter((c) => before.chunks.includes(c)).length).toBe(
      before.chunks.length - 3,
    )
    // An ack for an id it does not hold changes nothing.
    expect(outboxReducer(state, outbox.acked({ acks: [{ refId: 'zzz' }], at: T0 }))).toBe(state)
  })
})
