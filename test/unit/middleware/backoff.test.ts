import { describe, expect, it } from 'vitest'
import { backoffDelay } from '../../../middleware/backoff'

const BASE = 500
const CAP = 30_000

function ceilingFor(attempt: number): number {
  return Math.min(CAP, BASE * 2 ** (attempt - 1))
}

describe('backoffDelay', () => {
  it('stays within [0, min(cap, base·2^(attempt−1))] for attempts 1 to 40 at both random extremes', () => {
    for (let attempt = 1; attempt <= 40; attempt++) {
      const ceiling = ceilingFor(attempt)
      const high = backoffDelay(attempt, BASE, CAP, () => 0.999999)
      const low = backoffDelay(attempt, BASE, CAP, () => 0)
      expect(high, `attempt ${attempt}`).toBeGreaterThanOrEqual(0)
      expect(high, `attempt ${attempt}`).toBeLessThanOrEqual(ceiling)
      // The top of the range is reachable: full jitter, not a fraction of it.
      expect(high, `attempt ${attempt}`).toBeGreaterThanOrEqual(ceiling - 1)
      expect(low, `attempt ${attempt}`).toBe(0)
    }
  })

  it('doubles the ceiling with each attempt until the cap', () => {
    const top = (attempt: number) => backoffDelay(attempt, BASE, CAP, () => 0.999999)
    expect(top(1)).toBe(499)
    expect(top(2)).toBe(999)
    expect(top(3)).toBe(1999)
    expect(top(6)).toBe(15_999)
    expect(top(7)).toBe(29_999)
    expect(top(8)).toBe(29_999)
  })

  it('returns whole milliseconds', () => {
    for (let attempt = 1; attempt <= 40; attempt++) {
      for (const r of [0, 0.123456789, 0.5, 0.987654321, 0.999999]) {
        expect(Number.isInteger(backoffDelay(attempt, 333, 12_345, () => r))).toBe(true)
      }
    }
  })

  it('spreads delays over the whole range with Math.random (full jitter)', () => {
    const attempt = 5
    const ceiling = ceilingFor(attempt) // 8000 ms
    const samples = Array.from({ length: 2000 }, () => backoffDelay(attempt, BASE, CAP))
    for (const delay of samples) {
      expect(delay).toBeGreaterThanOrEqual(0)
      expect(delay).toBeLessThanOrEqual(ceiling)
    }
    expect(samples.filter((d) => d < ceiling / 4).length).toBeGreaterThan(300)
    expect(samples.filter((d) => d > (ceiling * 3) / 4).length).toBeGreaterThan(300)
    expect(new Set(samples).size).toBeGreaterThan(1000)
    const mean = samples.reduce((a, b) => a + b, 0) / samples.length
    const variance = samples.reduce((a, d) => a + (d - mean) ** 2, 0) / (samples.length - 1)
    // Uniform on [0, c] has sd c/√12 ≈ 0.289·c; a fixed or narrow jitter would be far below.
    expect(Math.sqrt(variance)).toBeGreaterThan(ceiling * 0.2)
    expect(mean).toBeGreaterThan(ceiling * 0.4)
    expect(mean).toBeLessThan(ceiling * 0.6)
  })

  it('keeps huge attempt numbers finite and under the cap', () => {
    for (const attempt of [100, 1024, 1e6, Number.MAX_SAFE_INTEGER, Infinity]) {
      const delay = backoffDelay(attempt, BASE, CAP, () => 0.999999)
      expect(Number.isFinite(delay), `attempt ${attempt}`).toBe(true)
      expect(delay, `attempt ${attempt}`).toBeLessThanOrEqual(CAP)
      expect(delay, `attempt ${attempt}`).toBeGreaterThanOrEqual(CAP - 1)
    }
  })

  it('treats an attempt below 1 like the first', () => {
    expect(backoffDelay(0, BASE, CAP, () => 0.999999)).toBe(499)
    expect(backoffDelay(-5, BASE, CAP, () => 0.999999)).toBe(499)
  })
})
