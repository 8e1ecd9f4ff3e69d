/** How the outbox answers the server's errors about its messages: pause, resend or fail. */
import { WebSocketErrorCode } from '../src/protocol/codes'
import type { ErrorData } from '../src/protocol/frames'
import { backoffDelay } from './backoff'
import type { RealtimeContext } from './context'
import { streamOf } from './outboxEntries'
import { failEntries } from './outboxFailures'
import type { OutboxState } from './outboxState'

/** The pause after `RATE_LIMITED` or `SERVER_ERROR` when the server does not say how long. */
const DEFAULT_RETRY_MS = 1000

/**
 * Errors whose `refId` is a queued entry: `RATE_LIMITED` pauses and resends it, `SERVER_ERROR`
 * resends it and what followed it on its stream after a growing backoff, `TOKEN_EXPIRED` pauses
 * until the next `auth_ok`; any other fails it. The caller runs the sending pass after.
 */
export function answerServerErrors(
  ctx: RealtimeContext,
  state: OutboxState,
  errors: readonly ErrorData[],
): void {
  for (const error of errors) {
    const entry = error.refId !== undefined ? state.queue.get(error.refId) : undefined
    if (!entry) continue
    if (error.code === WebSocketErrorCode.RATE_LIMITED) {
      state.unsend(entry.id)
      state.pausedUntil = Math.max(
        state.pausedUntil,
        ctx.now() + (error.retryAfterMs ?? DEFAULT_RETRY_MS),
      )
    } else if (error.code === WebSocketErrorCode.SERVER_ERROR) {
      // Not stored (its store failed): it and what followed it on its stream go again, in
      // order, after a backoff that grows while the server keeps failing. The server refuses
      // what this connection sent after it on the stream until it comes again: those in flight
      // are unsent again (their refusals follow).
      const { inFlight } = state
      const stream = streamOf(entry, ctx.session.userId)
      let after = false
      for (const other of state.queue.values()) {
        after ||= other.id === entry.id
        if (after && inFlight.has(other.id) && streamOf(other, ctx.session.userId) === stream)
          inFlight.delete(other.id)
      }
      state.unsentStale = true
      const now = ctx.now()
      if (now >= state.pausedUntil) state.serverFailures++
      const base = error.retryAfterMs ?? DEFAULT_RETRY_MS
      const wait = Math.max(
        base,
        backoffDelay(state.serverFailures, base, Math.max(base, ctx.config.maxReconnectDelay)),
      )
      state.pausedUntil = Math.max(state.pausedUntil, now + wait)
    } else if (error.code === WebSocketErrorCode.TOKEN_EXPIRED) {
      // Not processed: it goes again once a fresh token is accepted.
      state.unsend(entry.id)
      state.pausedUntil = Infinity
    } else {
      failEntries(ctx, state.settled, [entry], error.code, () => error.message)
    }
  }
}
