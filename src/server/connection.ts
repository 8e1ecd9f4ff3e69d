import { WebSocket } from 'ws'
import type { RawData } from 'ws'
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
import type { Frame } from '../protocol'
import { handleClientFrame } from './clientFrames'
import type { ClientConnection, ErrorReply, ServerContext, Session } from './context'
import { createRateLimiter } from './rateLimit'
import { createSerialQueue } from './serialQueue'

/** Frames that never count against the rate limit. */
const RATE_EXEMPT = new Set<string>([MessageType.PING, MessageType.AUTH])

function toText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8')
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8')
  return Buffer.from(data).toString('utf8')
}

/** The id of a frame refused before parsing (too big), so the error can name it. */
function peekId(text: string): string | undefined {
  try {
    const value: unknown = JSON.parse(text)
    const id =
      typeof value === 'object' && value !== null ? (value as { id?: unknown }).id : undefined
    return isValidId(id) ? id : undefined
  } catch {
    return undefined
  }
}

/** A close reason must fit in 123 bytes. */
function closeReason(reason: string): string {
  return Buffer.byteLength(reason) <= 123 ? reason : reason.slice(0, 100)
}

/**
 * Serves one socket: decodes each message, applies the rate limit, and handles frames strictly
 * one after another so async steps (token checks, `authorize`, history) keep arrival order.
 *
 * @example
 * wss.on('connection', (socket) => serveConnection(socket, context))
 */
export function serveConnection(socket: WebSocket, context: ServerContext): ClientConnection {
  const { options } = context
  const queue = createSerialQueue()
  const limiter = options.rateLimit ? createRateLimiter(options.rateLimit) : undefined
  let session: Session | undefined
  let closing = false
  let closed = false

  const sendText = (text: string): void => {
    if (socket.readyState !== WebSocket.OPEN) return
    try {
      socket.send(text)
    } catch (error) {
      options.logger.warn('redux-realtime server: send failed', error)
    }
  }

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
    startSession(next) {
      session = next
      clearTimeout(authTimer)
    },
    sendText,
    send: (frame: Frame) => sendText(encodeFrame(frame)),
    sendError: ({ room, ...data }: ErrorReply) =>
      sendText(encodeFrame(makeFrame(MessageType.ERROR, { ...(room ? { room } : {}), data }))),
    close(code, reason) {
      if (closing) return
      closing = true
      socket.close(code, closeReason(reason))
    },
  }

  const authTimer = setTimeout(() => {
    if (session) return
    connection.sendError({
      code: WebSocketErrorCode.AUTHENTICATION_FAILED,
      message: 'auth timeout',
    })
    connection.close(CloseCode.AUTH_FAILED, 'auth timeout')
  }, options.authTimeoutMs)

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
      })
      .catch(() => undefined)
  }

  /** Counts a frame against the limit; false means it is dropped. */
  const admit = (frame: Frame | undefined): boolean => {
    if (!limiter || (frame && RATE_EXEMPT.has(frame.type))) return true
    const decision = limiter.take(Date.now())
    if (decision.allowed) return true
    if (decision.abusive) {
      connection.close(CloseCode.RATE_LIMITED, 'rate limit exceeded')
      return false
    }
    const { retryAfterMs } = decision
    const refId = frame?.id
    enqueue(refId, () =>
      connection.sendError({
        code: WebSocketErrorCode.RATE_LIMITED,
        message: `too many frames; retry after ${retryAfterMs} ms`,
        retryAfterMs,
        ...(refId ? { refId } : {}),
      }),
    )
    return false
  }

  const receive = (data: RawData, isBinary: boolean): void => {
    if (connection.closed) return
    const text = isBinary ? data : toText(data)
    const result = decodeFrame(text, { maxBytes: options.maxPayload })
    if (!result.ok) {
      if (!admit(undefined)) return
      const oversize = result.reason === 'oversize'
      const code = oversize
        ? WebSocketErrorCode.MESSAGE_TOO_LARGE
        : WebSocketErrorCode.INVALID_FRAME
      const refId = oversize && typeof text === 'string' ? peekId(text) : result.id
      enqueue(refId, () =>
        connection.sendError({ code, message: result.message, ...(refId ? { refId } : {}) }),
      )
      return
    }
    for (const frame of unbatch(result.frame)) {
      if (connection.closed) return
      if (admit(frame)) enqueue(frame.id, () => handleClientFrame(frame, connection, context))
    }
  }

  socket.on('message', receive)
  // ws reports protocol violations (e.g. maxPayload, 1009) here and closes the socket itself.
  socket.on('error', () => undefined)
  socket.once('close', () => {
    closed = true
    clearTimeout(authTimer)
    // Before leaving the rooms: their members are among those who see the user go offline.
    if (session) context.presence.disconnected(connection, session.userId)
    context.rooms.leaveAll(connection)
  })
  return connection
}
