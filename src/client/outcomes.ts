import type { UnknownAction } from '@reduxjs/toolkit'
import { WebSocketError, type WebSocketErrorInfo } from '../errors'
import { WebSocketErrorCode } from '../protocol/codes'
import { connection } from '../../slices/actions'
import type { Verdict } from './waiters'

/**
 * The end of a connection attempt: opened, or closed for good (not about to reconnect). The
 * error is the close's own, else the state's last error if it is newer than the attempt,
 * else a `CONNECTION_FAILED` saying how it closed.
 */
export function connectionOutcome(
  since: number,
  lastError: () => WebSocketErrorInfo | null,
): (action: UnknownAction) => Verdict {
  return (action) => {
    if (connection.opened.match(action)) return 'resolve'
    if (!connection.closed.match(action) || action.payload.willReconnect) return undefined
    const { error, code, reason } = action.payload
    const last = lastError()
    const info = error ?? (last && last.timestamp >= since ? last : undefined)
    return info
      ? WebSocketError.fromInfo(info)
      : new WebSocketError(
          WebSocketErrorCode.CONNECTION_FAILED,
          `connection closed (${code}): ${reason}`,
          { context: 'connection' },
        )
  }
}

/** A token sent on a live socket: accepted (`auth_ok`), refused, or the connection ended. */
export function authenticationOutcome(
  since: number,
  lastError: () => WebSocketErrorInfo | null,
): (action: UnknownAction) => Verdict {
  const closed = connectionOutcome(since, lastError)
  return (action) => {
    if (connection.errorsReceived.match(action)) {
      const refusal = action.payload.errors.find(
        (e) => e.code === WebSocketErrorCode.AUTHENTICATION_FAILED,
      )
      return refusal
        ? new WebSocketError(refusal.code, refusal.message, { context: 'auth' })
        : undefined
    }
    return closed(action)
  }
}
