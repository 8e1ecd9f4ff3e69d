import type { RateLimitData } from '../src/protocol/frames'
import { createTokenBucket, type TokenBucket } from '../src/protocol/tokenBucket'

/** The share of the server's stated rate the client uses: the rest absorbs network jitter. */
const SAFETY = 0.8

/**
 * Client-side flow control: a token bucket built from the rate limit the server states in
 * `auth_ok`, slightly smaller, so a well-behaved client never trips the server's limit. Every
 * frame the server counts (all but `ping` and `auth`; a `batch` counts its frames) spends from
 * it, whoever sent it; the outbox sends only what the bucket allows and waits for the rest.
 */
export interface FlowControl {
  /** A socket authenticated: a fresh bucket for its limit (none: no pacing). */
  reset(limit: RateLimitData | undefined): void
  spend(frames: number): void
  /** Whole frames that may go now. */
  allowance(): number
  /** How long until one more frame may go. */
  waitMs(): number
}

export function createFlowControl(now: () => number): FlowControl {
  let bucket: TokenBucket | null = null
  return {
    reset(limit) {
      bucket = limit
        ? createTokenBucket({
            capacity: Math.max(1, Math.floor(limit.messages * SAFETY)),
            perMs: limit.perMs,
          })
        : null
    },
    spend(frames) {
      bucket?.spend(now(), frames)
    },
    allowance() {
      return bucket ? Math.max(0, Math.floor(bucket.available(now()))) : Infinity
    },
    waitMs() {
      return bucket ? bucket.waitMs(now(), 1) : 0
    },
  }
}
