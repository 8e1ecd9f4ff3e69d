/** How many frames a connection may send per window. */
export interface RateLimitOptions {
  messages: number
  perMs: number
}

/** The verdict for one frame. */
export type RateDecision =
  | { allowed: true }
  | {
      allowed: false
      /** When the current window ends. */
      retryAfterMs: number
      /** The client kept sending past three times the limit: close the connection. */
      abusive: boolean
    }

/** A fixed-window counter for one connection. */
export interface RateLimiter {
  take(now: number): RateDecision
}

/** Beyond this multiple of the limit in one window the client is not backing off. */
const ABUSE_FACTOR = 3

/**
 * Counts frames in fixed windows of `perMs`. Refused frames count too, so a client that ignores
 * `RATE_LIMITED` reaches the abuse threshold.
 *
 * @example
 * const limiter = createRateLimiter({ messages: 100, perMs: 10_000 })
 * const decision = limiter.take(Date.now())
 * if (!decision.allowed) reply({ code: 'RATE_LIMITED', retryAfterMs: decision.retryAfterMs })
 */
export function createRateLimiter({ messages, perMs }: RateLimitOptions): RateLimiter {
  let windowStart = Number.NEGATIVE_INFINITY
  let count = 0
  return {
    take(now) {
      if (now - windowStart >= perMs) {
        windowStart = now
        count = 0
      }
      count++
      if (count <= messages) return { allowed: true }
      return {
        allowed: false,
        retryAfterMs: Math.max(0, Math.ceil(windowStart + perMs - now)),
        abusive: count > ABUSE_FACTOR * messages,
      }
    },
  }
}
