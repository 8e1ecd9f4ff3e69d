import { describe, expect, it } from 'vitest'
import { calculateHealthScore } from '../../src/health'
import type { PerformanceMetrics } from '../../slices/types'

const quiet: PerformanceMetrics = {
  messagesReceived: 0,
  messagesSent: 0,
  averageLatency: 0,
  connectionUptime: 0,
  reconnectionCount: 0,
  errorCount: 0,
  lastUpdate: 0,
}

describe('calculateHealthScore', () => {
  it('scores a quiet, fast connection 100', () => {
    expect(calculateHealthScore(quiet)).toBe(100)
    expect(calculateHealthScore({ ...quiet, averageLatency: 100 })).toBe(100)
  })

  it('takes up to 40 points for latency, linearly from 100 ms to 1000 ms', () => {
    expect(calculateHealthScore({ ...quiet, averageLatency: 550 })).toBe(80)
    expect(calculateHealthScore({ ...quiet, averageLatency: 1000 })).toBe(60)
    expect(calculateHealthScore({ ...quiet, averageLatency: 60_000 })).toBe(60)
  })

  it('takes up to 30 points for errors per message', () => {
    expect(
      calculateHealthScore({ ...quiet, messagesReceived: 5, messagesSent: 5, errorCount: 1 }),
    ).toBe(97)
    expect(calculateHealthScore({ ...quiet, errorCount: 50 })).toBe(70)
  })

  it('takes 10 points per reconnection, at most 30', () => {
    expect(calculateHealthScore({ ...quiet, reconnectionCount: 2 })).toBe(80)
    expect(calculateHealthScore({ ...quiet, reconnectionCount: 9 })).toBe(70)
  })

  it('stays an integer between 0 and 100 for any metrics', () => {
    const worst = { ...quiet, averageLatency: 1e9, errorCount: 1e9, reconnectionCount: 1e9 }
    expect(calculateHealthScore(worst)).toBe(0)
    expect(calculateHealthScore({ ...quiet, averageLatency: -50 })).toBe(100)
    expect(Number.isInteger(calculateHealthScore({ ...quiet, averageLatency: 333 }))).toBe(true)
  })
})
