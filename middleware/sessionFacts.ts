/** The session facts handlers read, written from this middleware's own connection events before any handler runs. */
import type { UnknownAction } from '@reduxjs/toolkit'
import { WebSocketError } from '../src/errors'
import { WebSocketErrorCode } from '../src/protocol/codes'
import { connection } from '../slices/actions'
import type { RealtimeContext } from './context'

/** `auth_ok` starts (or refreshes) the session, a close ends it; connect/authenticate outcomes settle. */
export function observeSession(ctx: RealtimeContext, action: UnknownAction): void {
  const { outcomes } = ctx
  if (connection.opened.match(action)) {
    const { userId, sessionId, maxFrameBytes, rateLimit, maxInFlight, expiresAt } = action.payload
    // A second auth_ok on the same socket is a token refresh, not a new session: the
    // server's bucket for this connection did not refill, so neither does ours.
    const refresh = ctx.session.authenticated
    outcomes.resolve('authenticate', '', { userId, sessionId })
    ctx.session = {
      authenticated: true,
      refresh,
      userId,
      sessionId,
      ...(maxFrameBytes !== undefined ? { maxFrameBytes } : {}),
      ...(rateLimit !== undefined ? { rateLimit } : {}),
      ...(maxInFlight !== undefined ? { maxInFlight } : {}),
      ...(expiresAt !== undefined ? { expiresAt } : {}),
    }
    if (refresh) return
    outcomes.resolve('connect', '', { userId, sessionId })
    ctx.liveness.lastFrameAt = ctx.now()
    ctx.flow.reset(rateLimit)
    ctx.transport.authenticated()
  } else if (connection.closed.match(action)) {
    ctx.session = { ...ctx.session, authenticated: false }
    ctx.authsPending = 0
    const { willReconnect, error, code, reason } = action.payload
    if (!willReconnect) {
      const why = error
        ? WebSocketError.fromInfo(error)
        : new WebSocketError(
            WebSocketErrorCode.CONNECTION_FAILED,
            `connection closed (${code}): ${reason}`,
            { context: 'connection' },
          )
      outcomes.reject('connect', '', why)
      outcomes.reject('authenticate', '', why)
    }
  }
}
