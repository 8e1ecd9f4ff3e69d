import { CloseCode, MessageType, WebSocketErrorCode } from '../protocol'
import type { Frame } from '../protocol'
import { refuseAuth } from './authFrame'
import type { ClientConnection } from './context'
import { createFrameBudget, frameKind } from './frameBudget'
import type { ResolvedServerOptions } from './serverOptions'

/** Decides, as each frame arrives and before it is queued, whether it is handled at all. */
export interface Admission {
  /** Counts `frame` (`undefined`: one that could not be read) against every limit; false drops it. */
  admit(frame: Frame | undefined): boolean
}

/** Frames (auth included, each frame of a batch counted) a connection may send before `auth_ok`. */
export const MAX_FRAMES_BEFORE_AUTH = 16

/** `auth` frames a connection may send before its first `auth_ok`. */
export const MAX_AUTH_ATTEMPTS = 2

/** `retryAfterMs` for a frame refused because too many are in flight: the queue drains fast. */
const IN_FLIGHT_RETRY_MS = 50

/** Unanswered frames, as a multiple of `maxInFlight`, beyond which even ping and auth wait. */
const CONTROL_IN_FLIGHT_FACTOR = 2

export interface AdmissionDeps {
  options: Pick<ResolvedServerOptions, 'rateLimit' | 'maxInFlight'>
  connection: ClientConnection
  /** Frames queued and not yet handled. */
  pending: () => number
}

/**
 * Every frame a client sends is counted: app frames against `rateLimit`, ping/pong and auth
 * against their own budgets (`frameBudget.ts`), all of them against `maxInFlight` (control
 * frames get twice that). A refused frame gets `RATE_LIMITED` with `retryAfterMs`; a client
 * that keeps going past 2 × a budget in refusals is closed with 4008. Before the first
 * `auth_ok`, at most `MAX_AUTH_ATTEMPTS` auths and `MAX_FRAMES_BEFORE_AUTH` frames are taken
 * (a repeated id is dropped uncounted); past that, 4001. Refusals skip the queue: queueing them would grow what limits are there to
 * bound.
 *
 * @example
 * const admission = createAdmission({ options, connection, pending: () => queue.pending })
 * if (admission.admit(frame)) enqueue(frame)
 */
export function createAdmission({ options, connection, pending }: AdmissionDeps): Admission {
  const budget = createFrameBudget(options.rateLimit)
  let framesBeforeAuth = 0
  let authsBeforeAuth = 0

  const refuse = (frame: Frame | undefined, retryAfterMs: number, why: string): false => {
    const refId = frame?.id
    connection.sendError({
      code: WebSocketErrorCode.RATE_LIMITED,
      message: `${why}; retry after ${retryAfterMs} ms`,
      retryAfterMs,
      ...(refId ? { refId } : {}),
    })
    return false
  }

  const closeAbusive = (): false => {
    connection.close(CloseCode.RATE_LIMITED, 'rate limit exceeded')
    return false
  }

  /** Ids of the frames taken before auth_ok (at most MAX_FRAMES_BEFORE_AUTH of them). */
  const idsBeforeAuth = new Set<string>()

  /**
   * False when the frame is not handled: a repeat (by id) of one already taken before auth_ok,
   * which a network that duplicates frames sends, is dropped without counting (its original is
   * being answered); past the bounds the connection is closed.
   */
  const withinPreAuthBounds = (frame: Frame | undefined): boolean => {
    if (connection.session) return true
    if (frame) {
      if (idsBeforeAuth.has(frame.id)) return false
      idsBeforeAuth.add(frame.id)
    }
    framesBeforeAuth++
    if (frame?.type === MessageType.AUTH) authsBeforeAuth++
    if (authsBeforeAuth > MAX_AUTH_ATTEMPTS) {
      refuseAuth(connection, `more than ${MAX_AUTH_ATTEMPTS} auth frames before auth_ok`, frame?.id)
      return false
    }
    if (framesBeforeAuth > MAX_FRAMES_BEFORE_AUTH) {
      refuseAuth(connection, `more than ${MAX_FRAMES_BEFORE_AUTH} frames before auth_ok`, frame?.id)
      return false
    }
    return true
  }

  return {
    admit(frame) {
      if (!withinPreAuthBounds(frame)) return false
      const kind = frameKind(frame?.type)
      const now = Date.now()
      const inFlightLimit =
        kind === 'flow' ? options.maxInFlight : CONTROL_IN_FLIGHT_FACTOR * options.maxInFlight
      if (pending() >= inFlightLimit) {
        if (budget.refuse(kind, now)) return closeAbusive()
        return refuse(
          frame,
          IN_FLIGHT_RETRY_MS,
          `more than ${options.maxInFlight} frames in flight`,
        )
      }
      const decision = budget.take(kind, now)
      if (decision.allowed) return true
      if (decision.abusive) return closeAbusive()
      const what = kind === 'flow' ? 'too many frames' : `too many ${frame?.type ?? ''} frames`
      return refuse(frame, decision.retryAfterMs, what)
    },
  }
}
