import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createReminders, MAX_TIMER_MS } from '../../src/server/reminders'

describe('createReminders', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('fires once per future time and skips times already past', () => {
    const fired: number[] = []
    createReminders().set('e', [999_000, 1_000_500, 1_000_200, 1_000_500], (at) => fired.push(at))
    vi.advanceTimersByTime(1000)
    expect(fired).toEqual([1_000_200, 1_000_500])
  })

  it("replaces a key's timers on set and drops them on clear", () => {
    const fired: string[] = []
    const reminders = createReminders()
    reminders.set('a', [1_000_100], () => fired.push('a1'))
    reminders.set('a', [1_000_300], () => fired.push('a2'))
    reminders.set('b', [1_000_200], () => fired.push('b'))
    reminders.clear('b')
    vi.advanceTimersByTime(1000)
    expect(fired).toEqual(['a2'])
  })

  it('clears every timer with clearAll', () => {
    const fire = vi.fn()
    const reminders = createReminders()
    reminders.set('a', [1_000_100], fire)
    reminders.set('b', [1_000_200], fire)
    reminders.clearAll()
    vi.advanceTimersByTime(1000)
    expect(fire).not.toHaveBeenCalled()
    expect(vi.getTimerCount()).toBe(0)
  })

  it('waits past the largest setTimeout delay in steps and fires on time', () => {
    const at = 1_000_000 + MAX_TIMER_MS + 5_000
    const fire = vi.fn()
    createReminders().set('far', [at], fire)
    vi.advanceTimersByTime(MAX_TIMER_MS)
    expect(fire).not.toHaveBeenCalled()
    expect(vi.getTimerCount()).toBe(1)
    vi.advanceTimersByTime(5_000)
    expect(fire).toHaveBeenCalledWith(at)
  })
})
