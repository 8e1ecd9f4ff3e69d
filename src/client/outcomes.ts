import type { UnknownAction } from '@reduxjs/toolkit'
import { WebSocketError, type WebSocketErrorInfo } from '../errors'
import { WebSocketErrorCode } from '../protocol/codes'
import { connection, outbox, rooms } from '../../slices/actions'
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

/** A message: acknowledged by the server, or failed (rejected, too large, outbox full, room refused). */
export function sendOutcome(
  id: string,
  room: string | undefined,
): (action: UnknownAction) => Verdict {
  return (action) => {
    if (outbox.acked.match(action)) {
      return action.payload.acks.some((ack) => ack.refId === id) ? 'resolve' : undefined
    }
    if (outbox.failed.match(action)) {
      const failure = action.payload.failures.find((f) => f.id === id)
      return failure ? WebSocketError.fromInfo(failure.error) : undefined
    }
    if (outbox.overflowed.match(action)) {
      return action.payload.entry.id === id
        ? WebSocketError.fromInfo(action.payload.error)
        : undefined
    }
    // The message waits for its room; a refused join means it can never go out.
    if (rooms.joinFailed.match(action) && room !== undefined && action.payload.room === room) {
      return WebSocketError.fromInfo(action.payload.error)
    }
    return undefined
  }
}

/** A join: confirmed by the server, refused, or abandoned by a leave. */
export function joinOutcome(room: string): (action: UnknownAction) => Verdict {
  return (action) => {
    if (rooms.joined.match(action) && action.payload.room === room) return 'resolve'
    if (rooms.joinFailed.match(action) && action.payload.room === room) {
      return WebSocketError.fromInfo(action.payload.error)
    }
    if (rooms.leaveRequested.match(action) && action.payload.room === room) {
      return new WebSocketError(
        WebSocketErrorCode.NOT_JOINED,
        `room "${room}" was left before the join completed`,
        { context: 'join' },
      )
    }
    return undefined
  }
}
