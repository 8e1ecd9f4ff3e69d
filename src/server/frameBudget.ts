import { MessageType } from '../protocol'
import { createRateLimiter } from './rateLimit'
import type { RateDecision, RateLimitOptions, RateLimiter } from './rateLimit'

/**
 * What a frame is charged to: `flow` (every frame the app sends, and undecodable ones) to the
 * `rateLimit` option; `control` (ping, pong) and `auth` to small fixed budgets of their own.
 */
export type FrameKind = 'flow' | 'control' | 'auth'

/**
 * ping and pong: a burst of 20, then 10 per second. A client pinging every 100 ms or slower
 * (the client's heartbeat pings at most once per `heartbeatInterval`) is never refused.
 */
export const CONTROL_BUDGET: RateLimitOptions = { messages: 20, perMs: 2_000 }

/**
 * auth: a burst of 10, then one per second. A client refreshing its token at 80 % of a lifetime
 * of 2 s or more is never refused.
 */
export const AUTH_BUDGET: RateLimitOptions = { messages: 10, perMs: 10_000 }

/** The rate limits of one connection, one per kind of frame. */
export interface FrameBudget {
  /** Charges one frame of `kind`; `allowed: true` when the connection has no limit for it. */
  take(kind: FrameKind, now: number): RateDecision
  /** Counts a frame refused for another reason (too many in flight); true when abusive. */
  refuse(kind: FrameKind, now: number): boolean
}

const ALLOWED: RateDecision = { allowed: true }

/**
 * The kind a frame type is charged to; `undefined` (a frame that could not be read) is `flow`.
 *
 * @example
 * frameKind('ping') // 'control'
 */
export function frameKind(type: string | undefined): FrameKind {
  if (type === MessageType.AUTH) return 'auth'
  if (type === MessageType.PING || type === MessageType.PONG) return 'control'
  return 'flow'
}

/**
 * One token bucket per kind (each with its own abuse threshold: refusals past 2 × its burst
 * close with 4008). `rateLimit: false` lifts only the `flow` bucket; ping, pong and auth stay
 * bounded, so no setting turns the server into an amplifier.
 *
 * @example
 * const budget = createFrameBudget({ messages: 100, perMs: 10_000 })
 * const decision = budget.take(frameKind(frame.type), Date.now())
 */
export function createFrameBudget(rateLimit: RateLimitOptions | false): FrameBudget {
  const limiters: Record<FrameKind, RateLimiter | undefined> = {
    flow: rateLimit ? createRateLimiter(rateLimit) : undefined,
    control: createRateLimiter(CONTROL_BUDGET),
    auth: createRateLimiter(AUTH_BUDGET),
  }
  return {
    take: (kind, now) => limiters[kind]?.take(now) ?? ALLOWED,
    refuse: (kind, now) => limiters[kind]?.refuse(now) ?? false,
  }
}
