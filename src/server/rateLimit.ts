import { createTokenBucket } from '../protocol/tokenBucket'

/**
 * How many frames a connection may send: a token bucket holding `messages` tokens that refills
 * `messages` per `perMs`. Stated to clients in `auth_ok.data.rateLimit`.
 */
export interface RateLimitOptions {
  messages: number
  perMs: number
}

/** The verdict for one frame. */
export type RateDecision =
  | { allowed: true }
  | {
      allowed: false
      /** Until the bucket holds one token again. */
      retryAfterMs: number
      /** The client kept sending while refused: close the connection. */
      abusive: boolean
    }

/** The rate limit of one connection. */
export interface RateLimiter {
  take(now: number): RateDecision
  /** Counts a frame refused for another reason (too many in flight); true when abusive. */
  refuse(now: number): boolean
}

/** Refusals tolerated per `perMs`, as a multiple of `messages`, before the client is closed. */
const ABUSE_FACTOR = 2

/**
 * A token bucket per connection (the one `createTokenBucket` gives the client, so a client that
 * paces itself with a slightly smaller one is never refused). Refusals drain a second bucket of
 * 2 × `messages` per `perMs`: more than that many in a burst, or refusals kept up faster than
 * twice the limit, mark the client abusive.
 *
 * @example
 * const limiter = createRateLimiter({ messages: 100, perMs: 10_000 })
 * const decision = limiter.take(Date.now())
 * if (!decision.allowed) reply({ code: 'RATE_LIMITED', retryAfterMs: decision.retryAfterMs })
 */
export function createRateLimiter({ messages, perMs }: RateLimitOptions): RateLimiter {
  const bucket = createTokenBucket({ capacity: messages, perMs })
  const refusals = createTokenBucket({ capacity: ABUSE_FACTOR * messages, perMs })
  const refuse = (now: number): boolean => !refusals.take(now)
  return {
    take(now) {
      if (bucket.take(now)) return { allowed: true }
      return {
        allowed: false,
        retryAfterMs: Math.max(1, bucket.waitMs(now)),
        abusive: refuse(now),
      }
    },
    refuse,
  }
}
