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

/** Frames that never count against the rate limit, and get headroom above `maxInFlight`. */
const RATE_EXEMPT = new Set<string>([MessageType.PING, MessageType.AUTH])

/** `retryAfterMs` for a frame refused because too many are in flight: the queue drains fast. */
const IN_FLIGHT_RETRY_MS = 50

/** Unanswered frames, as a multiple of `maxInFlight`, beyond which even ping and auth wait. */
const EXEMPT_IN_FLIGHT_FACTOR = 2

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
 * Serves one socket: decodes each message, applies the rate limit and `maxInFlight`, and handles
 * frames strictly one after another so async steps (token checks, `authorize`, history) keep
 * arrival order. Nothing larger than the connection's `maxFrameBytes` is ever sent to it.
 *
 * @example
 * wss.on('connection', (socket) => serveConnection(socket, context))
 */
export function serveConnection(socket: WebSocket, context: ServerContext): ClientConnection {
  const { options } = context
  const queue = createSerialQueue()
  const limiter = options.rateLimit ? createRateLimiter(options.rateLimit) : undefined
  let session: Session | undefined
  let maxFrameBytes = options.maxPayload
  let closing = false
  let closed = false

  const sendText = (text: string, bytes?: number): void => {
    if (socket.readyState !== WebSocket.OPEN) return
    // A UTF-16 unit is at most 3 UTF-8 bytes: short texts need no measuring.
    const size = bytes ?? (text.length * 3 <= maxFrameBytes ? 0 : Buffer.byteLength(text))
    if (size > maxFrameBytes) {
      options.logger.warn(
        `redux-realtime server: dropped a ${size}-byte frame for ${session?.userId ?? 'an unauthenticated connection'}, above its maxFrameBytes of ${maxFrameBytes}`,
      )
      return
    }
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
    get maxFrameBytes() {
      return maxFrameBytes
    },
    startSession(next, limit) {
      session = next
      maxFrameBytes = limit
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

  // Refusals skip the queue: queueing them would grow what the limits are there to bound.
  const refuse = (frame: Frame | undefined, retryAfterMs: number, why: string): void => {
    const refId = frame?.id
    connection.sendError({
      code: WebSocketErrorCode.RATE_LIMITED,
      message: `${why}; retry after ${retryAfterMs} ms`,
      retryAfterMs,
      ...(refId ? { refId } : {}),
    })
  }

  const closeAbusive = (): false => {
    connection.close(CloseCode.RATE_LIMITED, 'rate limit exceeded')
    return false
  }

  /** Counts a frame against the rate limit and `maxInFlight`; false means it is dropped. */
  const admit = (frame: Frame | undefined): boolean => {
    const exempt = frame !== undefined && RATE_EXEMPT.has(frame.type)
    const now = Date.now()
    const inFlightLimit = exempt
      ? EXEMPT_IN_FLIGHT_FACTOR * options.maxInFlight
      : options.maxInFlight
    if (queue.pending >= inFlightLimit) {
      if (limiter?.refuse(now)) return closeAbusive()
      refuse(frame, IN_FLIGHT_RETRY_MS, `more than ${options.maxInFlight} frames in flight`)
      return false
    }
    if (!limiter || exempt) return true
    const decision = limiter.take(now)
    if (decision.allowed) return true
    if (decision.abusive) return closeAbusive()
    refuse(frame, decision.retryAfterMs, 'too many frames')
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
