/** The expiry of one connection's session, and the grace after it. */
export interface TokenExpiry {
  /** (Re)arms for a session that expires at `expiresAt` (epoch ms); cancels a running grace. */
  set(expiresAt: number): void
  /** True from `expiresAt` on, until a fresh token is `set`. */
  expired(now: number): boolean
  /** Stops every timer (the socket closed). */
  clear(): void
}

export interface TokenExpiryHandlers {
  /** At `expiresAt`: tell the client (it may still send a fresh `auth`). */
  onExpired(): void
  /** `graceMs` after `expiresAt` with no fresh token: close the socket. */
  onGraceOver(): void
}

/** setTimeout fires at once for delays above 2^31 - 1 ms (~24.8 days): wait in steps. */
const MAX_DELAY_MS = 2_147_483_647

/**
 * Timers for a session's token: one at `expiresAt`, then one `graceMs` later. Checking
 * `expired(now)` on each frame is what refuses frames; the timers only tell the client and
 * close a socket that stays silent.
 *
 * @example
 * const expiry = createTokenExpiry(5000, { onExpired: tellClient, onGraceOver: close4002 })
 * expiry.set(check.expiresAt)
 * if (expiry.expired(Date.now())) refuse(frame)
 */
export function createTokenExpiry(graceMs: number, handlers: TokenExpiryHandlers): TokenExpiry {
  let expiresAt = Number.POSITIVE_INFINITY
  let timer: ReturnType<typeof setTimeout> | undefined

  const at = (time: number, then: () => void): void => {
    clearTimeout(timer)
    const delay = Math.max(0, time - Date.now())
    timer = setTimeout(
      () => (delay > MAX_DELAY_MS ? at(time, then) : then()),
      Math.min(delay, MAX_DELAY_MS),
    )
  }

  return {
    set(next) {
      expiresAt = next
      at(next, () => {
        handlers.onExpired()
        at(next + graceMs, () => handlers.onGraceOver())
      })
    },
    expired: (now) => now >= expiresAt,
    clear() {
      clearTimeout(timer)
      timer = undefined
    },
  }
}
