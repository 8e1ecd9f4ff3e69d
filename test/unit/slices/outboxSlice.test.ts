import { describe, expect, it } from 'vitest'
import { outbox } from '../../../slices/actions'
import { outboxReducer } from '../../../slices/outboxSlice'
import { T0, entry, error, reduce } from './fixtures'

const ids = (state: { entries: Array<{ id: string }> }) => state.entries.map((e) => e.id)

describe('outbox reducer', () => {
  it('holds enqueued messages oldest first', () => {
    const state = reduce(outboxReducer, [
      outbox.enqueued({ entry: entry('general', 'a') }),
      outbox.enqueued({ entry: entry('random', 'b') }),
      outbox.enqueued({ entry: entry('general', 'c') }),
    ])
    expect(ids(state)).toEqual(['a', 'b', 'c'])
    expect(state.entries[1]).toEqual(entry('random', 'b'))
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
    expect(state.entries).toEqual([])
  })
})
