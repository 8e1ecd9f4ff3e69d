import { WebSocket } from 'ws'
import { CloseCode, encodeFrame, makeFrame, MessageType, WebSocketErrorCode } from '../protocol'
import { packAnswers, type EncodedText } from './answerBatches'
import { createBufferAccount } from './bufferAccount'
import { REPLAY_BATCH_FRAMES } from './joinReplay'
import type { RealtimeServerLogger } from './serverOptions'

/** The send side of one socket: the connection's frame limit and its send buffer's bound. */
export interface Outbound {
  /** The largest message it may be sent; `maxPayload` until the client states its own. */
  maxFrameBytes: number
  /**
   * Sends an encoded frame unless it is above `maxFrameBytes` or the client reads too slowly.
   * A `packable` one (an ack, a stream frame) sent during a turn of several frames waits for
   * the turn's end and goes out packed with the others (see `beginTurn`).
   */
  sendText(text: string, bytes?: number, packable?: boolean): void
  /**
   * The `frames` of a client's `batch` are being handled: until `endTurn` (at the latest at
   * the end of this event-loop turn), what may be packed (acks, its own messages echoed, other
   * stream frames) is collected and then sent in as few `batch` frames as fit its
   * `maxFrameBytes` (`packAnswers`). Anything else sent meanwhile goes after what was collected,
   * so order is kept. Frames sent one by one are answered frame by frame, as before.
   */
  beginTurn(frames: number): void
  /** The turn's frames were handled: what they are owed goes out now. */
  endTurn(): void
  /**
   * Sends a join's answer (`joined` and the replay) with one buffer check before the first, so
   * a replay never cuts itself off half way; while it drains it does not count towards the limit
   * (see `bufferAccount.ts`).
   */
  sendBurst(texts: Iterable<string>): void
  /**
   * Sends a long answer one frame at a time: `next()` gives the next encoded frame (undefined:
   * done), asked for only once the previous one is written out (ws's send callback), so other
   * frames (pongs, live updates) go out in between and the buffer holds one part at a time.
   * While undrained each part is set aside like a replay; stops when the socket closes or the
   * connection is dropped as a slow consumer. Several paced answers go one after another.
   */
  sendPaced(next: () => string | undefined): void
}

export interface OutboundOptions {
  maxPayload: number
  maxBufferedBytes: number
  logger: RealtimeServerLogger
  /** Who is at the other end, for log lines. */
  describe(): string
  /** Closes the connection (marks it closing for everything else). */
  close(code: number, reason: string): void
}

/**
 * A slow consumer's close frame sits behind everything it did not read: after this, the socket
 * is cut so its buffer is freed (ws itself would wait 30 s).
 */
export const SLOW_CONSUMER_TERMINATE_MS = 2000

/**
 * Wraps `socket.send`, which never blocks: a peer that stops reading only grows
 * `socket.bufferedAmount`. Before each send that is checked against `maxBufferedBytes` (replays
 * being drained set aside); past it the connection gets a `SLOW_CONSUMER` error (it may never read it), is closed with 4009
 * and cut `SLOW_CONSUMER_TERMINATE_MS` later, and nothing more is sent to it. Fan-out to
 * others never waits for it: no send is awaited anywhere.
 *
 * @example
 * const outbound = createOutbound(socket, { maxPayload, maxBufferedBytes, logger, describe, close })
 * outbound.sendText(encodeFrame(frame))
 */
export function createOutbound(socket: WebSocket, options: OutboundOptions): Outbound {
  const { maxBufferedBytes, logger } = options
  const account = createBufferAccount(maxBufferedBytes)
  let dropped = false
  let cut: ReturnType<typeof setTimeout> | undefined
  /** The current turn's client frames, what it owes so far, and its end at the latest. */
  let turnFrames = 0
  let owed: EncodedText[] = []
  let turnEnd: ReturnType<typeof setImmediate> | undefined
  socket.once('close', () => {
    clearTimeout(cut)
    clearImmediate(turnEnd)
    owed = []
  })

  const write = (text: string, written?: (error?: Error) => void): void => {
    try {
      if (written) socket.send(text, written)
      else socket.send(text)
    } catch (error) {
      written?.()
      logger.warn('redux-realtime server: send failed', error)
    }
  }

  const dropSlowConsumer = (): void => {
    dropped = true
    owed = []
    const buffered = socket.bufferedAmount
    logger.warn(
      `redux-realtime server: dropped slow consumer ${options.describe()}: ${buffered} bytes unsent, above maxBufferedBytes of ${maxBufferedBytes}`,
    )
    const message = `${buffered} bytes wait unread, above the server's maxBufferedBytes of ${maxBufferedBytes}; reconnect and resume`
    write(
      encodeFrame(
        makeFrame(MessageType.ERROR, { data: { code: WebSocketErrorCode.SLOW_CONSUMER, message } }),
      ),
    )
    options.close(CloseCode.SLOW_CONSUMER, 'slow consumer')
    cut = setTimeout(() => socket.terminate(), SLOW_CONSUMER_TERMINATE_MS)
  }

  /** False when nothing may be sent: closed, or just dropped as a slow consumer. */
  const canSend = (): boolean => {
    if (dropped || socket.readyState !== WebSocket.OPEN) return false
    if (!account.over(socket.bufferedAmount)) return true
    dropSlowConsumer()
    return false
  }

  const sendWithinLimit = (text: string, replay: boolean, bytes?: number): void => {
    const limit = outbound.maxFrameBytes
    const size = bytes ?? Buffer.byteLength(text)
    if (size > limit) {
      logger.warn(
        `redux-realtime server: dropped a ${size}-byte frame for ${options.describe()}, above its maxFrameBytes of ${limit}`,
      )
      return
    }
    // A replay frame stays set aside until ws has written it out (its send callback).
    write(text, replay ? account.replaySent(size) : undefined)
  }

  /** Paced answers, one after another: the first is being sent (parts never interleave). */
  const paced: Array<() => string | undefined> = []
  const pace = (): void => {
    const next = paced[0]
    if (!next) return
    const done = (): void => {
      paced.shift()
      pace()
    }
    if (!canSend()) return void paced.splice(0)
    const text = next()
    if (text === undefined) return done()
    const size = Buffer.byteLength(text)
    if (size > outbound.maxFrameBytes) {
      logger.warn(
        `redux-realtime server: stopped a paced answer for ${options.describe()}: a ${size}-byte part is above its maxFrameBytes of ${outbound.maxFrameBytes}`,
      )
      return done()
    }
    sendOwed() // what the turn owes goes first, as before any other frame
    const drained = account.replaySent(size)
    let called = false
    write(text, (error?: Error) => {
      // write() calls back at once when send throws; ws calls back with an error on close.
      if (called) return
      called = true
      drained()
      if (error) paced.splice(0)
      else setImmediate(pace)
    })
  }

  /** Sends what the turn owes so far, packed; each message is checked like any send. */
  const sendOwed = (): void => {
    if (owed.length === 0) return
    const texts = packAnswers(owed, outbound.maxFrameBytes)
    owed = []
    for (const text of texts) if (canSend()) write(text)
  }

  const endTurn = (): void => {
    clearImmediate(turnEnd)
    turnEnd = undefined
    turnFrames = 0
    sendOwed()
  }

  const outbound: Outbound = {
    maxFrameBytes: options.maxPayload,
    sendText(text, bytes, packable = false) {
      if (!packable || turnFrames < 2) {
        sendOwed()
        if (canSend()) sendWithinLimit(text, false, bytes)
        return
      }
      if (!canSend()) return
      const size = bytes ?? Buffer.byteLength(text)
      if (size > outbound.maxFrameBytes) return sendWithinLimit(text, false, size)
      owed.push({ text, bytes: size })
      // A long turn does not hold more than one batch's worth.
      if (owed.length >= REPLAY_BATCH_FRAMES) sendOwed()
    },
    sendBurst(texts) {
      sendOwed()
      if (!canSend()) return
      for (const text of texts)
        if (socket.readyState === WebSocket.OPEN) sendWithinLimit(text, true)
    },
    sendPaced(next) {
      paced.push(next)
      if (paced.length === 1) pace()
    },
    beginTurn(frames) {
      turnFrames += frames
      turnEnd ??= setImmediate(endTurn)
    },
    endTurn,
  }
  return outbound
}
