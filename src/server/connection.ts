import type { RawData, WebSocket } from 'ws'
import {
  CloseCode,
  decodeFrame,
  encodeFrame,
  isValidId,
  makeFrame,
  MessageType,
  unbatch,
  WebSocketErrorCode,
} from '../protocol'
import type { Frame, Rejection } from '../protocol'
import { createAdmission } from './admission'
import { refuseAuth } from './authFrame'
import { handleClientFrame } from './clientFrames'
import type { ClientConnection, ErrorReply, ServerContext, Session } from './context'
import { createOutbound } from './outbound'
import { createSerialQueue } from './serialQueue'
import { createTokenExpiry } from './tokenExpiry'

function toText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8')
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8')
  return Buffer.from(data).toString('utf8')
}

/** The id and type of a frame refused before parsing (too big), so the error can name it. */
function peek(text: string): { id?: string; type?: string } {
  try {
    const value: unknown = JSON.parse(text)
    if (typeof value !== 'object' || value === null) return {}
    const { id, type } = value as { id?: unknown; type?: unknown }
    return {
      ...(isValidId(id) ? { id } : {}),
      ...(typeof type === 'string' ? { type } : {}),
    }
  } catch {
    return {}
  }
}

/** A close reason must fit in 123 bytes. */
function closeReason(reason: string): string {
  return Buffer.byteLength(reason) <= 123 ? reason : reason.slice(0, 100)
}

/**
 * How to answer a frame the codec refused. An unreadable frame before any session, or an `auth`
 * that fails validation (a 16 KB token), closes with 4001 at once; any other gets an error.
 */
function refusal(result: Rejection, text: unknown, authenticated: boolean) {
  const oversize = result.reason === 'oversize'
  const peeked = oversize && typeof text === 'string' ? peek(text) : result
  const refId = peeked.id
  const code = oversize ? WebSocketErrorCode.MESSAGE_TOO_LARGE : WebSocketErrorCode.INVALID_FRAME
  const isAuth = peeked.type === MessageType.AUTH
  const closes = !authenticated || isAuth
  const message = closes
    ? `${isAuth ? 'invalid auth frame' : 'invalid frame before auth'}: ${result.message}`
    : result.message
  return { refId, code, closes, message }
}

/**
 * Serves one socket: decodes each message, admits it against the limits (`admission.ts`), and
 * handles frames strictly one after another so async steps (token checks, `authorize`,
 * history) keep arrival order. Sends go through `outbound.ts`: nothing above the connection's
 * `maxFrameBytes`, and nothing to a client that stopped reading. The session's token expiry is
 * watched: at `expiresAt` the client is told (`TOKEN_EXPIRED`), `tokenExpiryGraceMs` later
 * without a fresh `auth` it is closed with 4002.
 *
 * @example
 * wss.on('connection', (socket) => serveConnection(socket, context))
 */
export function serveConnection(socket: WebSocket, context: ServerContext): ClientConnection {
  const { options } = context
  const queue = createSerialQueue()
  let session: Session | undefined
  let closing = false
  let closed = false

  const outbound = createOutbound(socket, {
    maxPayload: options.maxPayload,
    maxBufferedBytes: options.maxBufferedBytes,
    logger: options.logger,
    describe: () => session?.userId ?? 'an unauthenticated connection',
    close: (code, reason) => connection.close(code, reason),
  })

  const expiry = createTokenExpiry(options.tokenExpiryGraceMs, {
    onExpired: () =>
      connection.sendError({
        code: WebSocketErrorCode.TOKEN_EXPIRED,
        message: `the token expired; send auth with a fresh token within ${options.tokenExpiryGraceMs} ms or the connection closes (4002)`,
      }),
    onGraceOver: () => connection.close(CloseCode.TOKEN_EXPIRED, 'token expired'),
  })

  // Acks may be packed with the other answers of a turn (`outbound.ts`).
  const send = (frame: Frame): void =>
    outbound.sendText(encodeFrame(frame), undefined, frame.type === MessageType.ACK)

  const connection: ClientConnection = {
    get session() {
      return session
    },
    get closed() {
      return closed || closing
    },
    get userId() {
      return session?.userId
    },
    get maxFrameBytes() {
      return outbound.maxFrameBytes
    },
    startSession(next, limit, expiresAt) {
      session = next
      outbound.maxFrameBytes = limit
      clearTimeout(authTimer)
      expiry.set(expiresAt)
    },
    tokenExpired: (now) => expiry.expired(now),
    sendText: (text, bytes, packable) => outbound.sendText(text, bytes, packable),
    sendBurst: (texts) => outbound.sendBurst(texts),
    sendPaced: (next) => outbound.sendPaced(next),
    send,
    sendError: ({ room, ...data }: ErrorReply) =>
      send(makeFrame(MessageType.ERROR, { ...(room ? { room } : {}), data })),
    close(code, reason) {
      if (closing) return
      // What the turn owes (an error saying why, acks) goes before the close.
      outbound.endTurn()
      closing = true
      expiry.clear()
      socket.close(code, closeReason(reason))
    },
  }

  const authTimer = setTimeout(() => {
    if (!session) refuseAuth(connection, 'auth timeout')
  }, options.authTimeoutMs)

  const admission = createAdmission({ options, connection, pending: () => queue.pending })

  const enqueue = (refId: string | undefined, task: () => void | Promise<void>): void => {
    void queue
      .run(async () => {
        if (connection.closed) return
        try {
          await task()
        } catch (error) {
          options.logger.error('redux-realtime server: frame handling failed', error)
          connection.sendError({
            code: WebSocketErrorCode.SERVER_ERROR,
            message: 'the server failed to handle this frame',
            ...(refId ? { refId } : {}),
          })
        }
        // The last frame queued was handled: the turn's answers go out.
        if (queue.pending === 1) outbound.endTurn()
      })
      .catch(() => undefined)
  }

  const receive = (data: RawData, isBinary: boolean): void => {
    if (connection.closed) return
    const text = isBinary ? data : toText(data)
    const result = decodeFrame(text, { maxBytes: options.maxPayload })
    if (!result.ok) {
      const { refId, code, closes, message } = refusal(result, text, session !== undefined)
      if (closes) return refuseAuth(connection, message, refId)
      if (!admission.admit(undefined)) return
      enqueue(refId, () => connection.sendError({ code, message, ...(refId ? { refId } : {}) }))
      return
    }
    const frames = unbatch(result.frame)
    // A client's batch is one turn: what its frames are owed goes out packed at its end.
    if (result.frame.type === MessageType.BATCH) outbound.beginTurn(frames.length)
    for (const frame of frames) {
      if (connection.closed) return
      if (admission.admit(frame))
        enqueue(frame.id, () => handleClientFrame(frame, connection, context))
    }
  }

  socket.on('message', receive)
  // ws reports protocol violations (e.g. maxPayload, 1009) here and closes the socket itself.
  socket.on('error', () => undefined)
  socket.once('close', () => {
    closed = true
    clearTimeout(authTimer)
    expiry.clear()
    if (session) context.connectionCap.release(session.userId, connection)
    // Before leaving the rooms: their members are among those who see the user go offline.
    if (session) context.presence.disconnected(connection, session.userId)
    context.rooms.leaveAll(connection)
    context.documents.disconnected(connection)
  })
  return connection
}
