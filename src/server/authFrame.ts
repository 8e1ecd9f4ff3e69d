import { CloseCode, createId, makeFrame, MessageType, WebSocketErrorCode } from '../protocol'
import type { AuthFrame } from '../protocol'
import type { ClientConnection, ServerContext } from './context'
import { MIN_CLIENT_FRAME_BYTES } from './frameLimit'

/**
 * Answers with `AUTHENTICATION_FAILED` and closes with 4001.
 *
 * @example
 * refuseAuth(connection, 'authenticate first', frame.id)
 */
export function refuseAuth(connection: ClientConnection, message: string, refId?: string): void {
  connection.sendError({
    code: WebSocketErrorCode.AUTHENTICATION_FAILED,
    message,
    ...(refId ? { refId } : {}),
  })
  connection.close(CloseCode.AUTH_FAILED, message)
}

/**
 * `auth`: verifies the token and answers `auth_ok` with the server's limits and the session's
 * `expiresAt`. On a live session it is a refresh: same user only, the session, its rooms and its
 * connection slot are kept, and only the expiry moves (an expired session is revived). A first
 * auth takes one of the user's `maxConnectionsPerUser` slots, or is refused with
 * `TOO_MANY_CONNECTIONS` and close 4029.
 *
 * @example
 * await handleAuth(frame, connection, context)
 */
export async function handleAuth(
  frame: AuthFrame,
  connection: ClientConnection,
  context: ServerContext,
): Promise<void> {
  const check = await context.verifyToken(frame.data.token)
  if (connection.closed) return
  if (!check.ok) return refuseAuth(connection, check.reason, frame.id)
  const current = connection.session
  if (current && current.userId !== check.userId) {
    return refuseAuth(connection, 'a refreshed token must be for the same user', frame.id)
  }
  const { maxPayload, rateLimit, maxInFlight, maxConnectionsPerUser } = context.options
  const clientLimit = frame.data.maxFrameBytes
  if (clientLimit !== undefined && clientLimit < MIN_CLIENT_FRAME_BYTES) {
    return refuseAuth(
      connection,
      `data.maxFrameBytes must be at least ${MIN_CLIENT_FRAME_BYTES}, got ${clientLimit}`,
      frame.id,
    )
  }
  if (!current && !(await context.connectionCap.admit(check.userId, connection))) {
    if (connection.closed) return
    const message = `${check.userId} already has ${maxConnectionsPerUser} connections open (maxConnectionsPerUser)`
    connection.sendError({
      code: WebSocketErrorCode.TOO_MANY_CONNECTIONS,
      message,
      refId: frame.id,
    })
    return connection.close(CloseCode.TOO_MANY_CONNECTIONS, 'too many connections for this user')
  }
  // Closed while a shared cap answered: its close found no session, so the slot is freed here.
  if (!current && connection.closed) return context.connectionCap.release(check.userId, connection)
  const session = current ?? { userId: check.userId, sessionId: createId() }
  // A refresh that does not state a limit keeps the one stated before.
  const limit = Math.min(maxPayload, clientLimit ?? connection.maxFrameBytes)
  connection.startSession(session, limit, check.expiresAt)
  connection.send(
    makeFrame(MessageType.AUTH_OK, {
      data: {
        ...session,
        epoch: context.epoch,
        maxFrameBytes: maxPayload,
        expiresAt: check.expiresAt,
        ...(rateLimit
          ? { rateLimit: { messages: rateLimit.messages, perMs: rateLimit.perMs } }
          : {}),
        maxInFlight,
      },
    }),
  )
  // A refreshed token on a live socket is not a new connection.
  if (!current) context.presence.connected(connection, session.userId)
}
