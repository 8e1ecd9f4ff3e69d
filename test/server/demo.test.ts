import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { startDemo } from '../../src/server/demo'
import type { DemoTarget } from '../../src/server/demo'

function fakeTarget() {
  const calls = {
    notify: [] as Array<{ userId: string; title: string }>,
    alerts: [] as string[],
    events: [] as Array<{ id: string; status?: string; startsAt: number; remindAt?: number[] }>,
  }
  const target: DemoTarget = {
    notify: (userId, notification) => {
      calls.notify.push({ userId, title: notification.title })
      return `n${calls.notify.length}`
    },
    systemAlert: (alert) => void calls.alerts.push(alert.message),
    publishEvent: (event) => {
      calls.events.push(event)
      return { ...event, status: event.status ?? 'scheduled', updatedAt: Date.now() }
    },
  }
  return { target, calls }
}

beforeEach(() => {
  vi.useFakeTimers({ now: Date.parse('2026-11-25T12:00:00Z') })
})
afterEach(() => {
  vi.useRealTimers()
})

describe('demo traffic', () => {
  it('publishes three events at once: soon with a reminder in a minute, tomorrow, and one cancelled later', () => {
    const { target, calls } = fakeTarget()
    const demo = startDemo(target)
    const now = Date.now()
    expect(calls.events).toHaveLength(3)
    const [standup, review, launch] = calls.events
    expect(standup).toMatchObject({ startsAt: now + 600_000, remindAt: [now + 60_000] })
    expect(review?.startsAt).toBe(now + 24 * 3_600_000)
    expect(launch?.status).toBeUndefined()

    vi.advanceTimersByTime(90_000)
    expect(calls.events[3]).toMatchObject({ id: launch?.id, status: 'cancelled' })
    demo.stop()
  })

  it('sends one system alert after 20 s and a notification to each demo user every 45 s, bounded', () => {
    const { target, calls } = fakeTarget()
    const demo = startDemo(target, { maxRounds: 3 })
    vi.advanceTimersByTime(19_999)
    expect(calls.alerts).toEqual([])
    vi.advanceTimersByTime(1)
    expect(calls.alerts).toHaveLength(1)

    vi.advanceTimersByTime(45_000 - 20_000)
    expect(calls.notify.map((call) => call.userId)).toEqual(['alice', 'bob', 'eve'])
    vi.advanceTimersByTime(45_000 * 10)
    expect(calls.notify).toHaveLength(9)
    expect(calls.alerts).toHaveLength(1)
    expect(vi.getTimerCount()).toBe(0)
    demo.stop()
  })

  it('welcomes each user once', () => {
    const { target, calls } = fakeTarget()
    const demo = startDemo(target, { maxWelcomes: 2 })
    demo.welcome('alice')
    demo.welcome('alice')
    demo.welcome('zed')
    demo.welcome('one-too-many')
    expect(calls.notify).toEqual([
      { userId: 'alice', title: 'Welcome, alice!' },
      { userId: 'zed', title: 'Welcome, zed!' },
    ])
    demo.stop()
  })

  it('clears every timer on stop and pushes nothing after', () => {
    const { target, calls } = fakeTarget()
    const demo = startDemo(target)
    demo.stop()
    expect(vi.getTimerCount()).toBe(0)
    demo.welcome('alice')
    vi.advanceTimersByTime(3_600_000)
    expect(calls.notify).toEqual([])
    expect(calls.alerts).toEqual([])
  })

  it('logs a push that throws (e.g. the server closed) and keeps going', () => {
    const { target } = fakeTarget()
    const warn = vi.fn()
    const demo = startDemo(
      {
        ...target,
        systemAlert: () => {
          throw new Error('server.systemAlert: the server is closed')
        },
      },
      { logger: { warn } },
    )
    vi.advanceTimersByTime(20_000)
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/systemAlert failed: .*closed/))
    demo.stop()
  })
})
