/**
 * A token bucket: holds up to `capacity` tokens and refills `capacity` of them per `perMs`.
 * The server limits each connection with one; the client paces itself with one built from the
 * limit the server states in `auth_ok` (a little smaller, for jitter). Pure: time is passed in.
 *
 * @example
 * const bucket = createTokenBucket({ capacity: 100, perMs: 10_000 })
 * if (bucket.take(Date.now())) send(frame)
 * else setTimeout(retry, bucket.waitMs(Date.now()))
 */
export interface TokenBucket {
  /** Takes `n` tokens if there are that many; false (and nothing taken) otherwise. */
  take(now: number, n?: number): boolean
  /** Takes `n` tokens whatever is left (the balance may go negative): frames that had to go. */
  spend(now: number, n?: number): void
  /** Tokens available now (fractional; negative after overspending). */
  available(now: number): number
  /** How long until `n` tokens are available; 0 when they are. */
  waitMs(now: number, n?: number): number
}

export interface TokenBucketOptions {
  capacity: number
  perMs: number
}

export function createTokenBucket({ capacity, perMs }: TokenBucketOptions): TokenBucket {
  if (!(capacity > 0) || !(perMs > 0)) {
    throw new RangeError(
      `createTokenBucket: capacity and perMs must be positive, got ${capacity} and ${perMs}`,
    )
  }
  const ratePerMs = capacity / perMs
  let tokens = capacity
  let last = Number.NEGATIVE_INFINITY

  function refill(now: number): void {
    // A clock that steps back refills nothing rather than draining the bucket.
    if (now > last) {
      tokens =
        last === Number.NEGATIVE_INFINITY
          ? capacity
          : Math.min(capacity, tokens + (now - last) * ratePerMs)
      last = now
    }
  }

  return {
    take(now, n = 1) {
      refill(now)
      if (tokens + 1e-9 < n) return false
      tokens -= n
      return true
    },
    spend(now, n = 1) {
      refill(now)
      tokens -= n
    },
    available(now) {
      refill(now)
      return tokens
    },
    waitMs(now, n = 1) {
      refill(now)
      const missing = Math.min(n, capacity) - tokens
      return missing <= 1e-9 ? 0 : Math.ceil(missing / ratePerMs)
    },
  }
}
