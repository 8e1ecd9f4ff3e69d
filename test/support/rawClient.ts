import { WebSocket } from 'ws'
import { decodeFrame, makeFrame } from '../../src/protocol'
import type { Frame, FrameOfType } from '../../src/protocol'

type FrameFields<T extends Frame['type']> = Parameters<typeof makeFrame<T>>[1]

/** A bare `ws` client speaking frames, for testing the server without the middleware. */
export interface RawClient {
  socket: WebSocket
  /** Every frame received, in order. */
  received: Frame[]
  /** Server output that the shared codec rejected (should stay empty). */
  problems: string[]
  /** Sends a frame as JSON, or raw text / bytes as given. */
  send(payload: Frame | string | Buffer): void
  /** Builds a frame with `makeFrame`, sends it and returns it. */
  sendFrame<T extends Frame['type']>(type: T, fields: FrameFields<T>): FrameOfType<T>
  /** The first frame after the previous match that satisfies `predicate`. */
  next(predicate?: (frame: Frame) => boolean, timeoutMs?: number): Promise<Frame>
  nextOfType<T extends Frame['type']>(
    type: T,
    predicate?: (frame: FrameOfType<T>) => boolean,
    timeoutMs?: number,
  ): Promise<FrameOfType<T>>
  /** Sends `auth` and resolves with `auth_ok` (or rejects with the error frame's message). */
  authenticate(token: string): Promise<FrameOfType<'auth_ok'>>
  closed: Promise<{ code: number; reason: string }>
  close(): void
}

export interface RawClientOptions {
  origin?: string
  /** false delivers one message per event loop task, like a browser. */
  allowSynchronousEvents?: boolean
}

const DEFAULT_TIMEOUT_MS = 2000

/**
 * Opens a socket and resolves once it is open (rejects on a refused upgrade).
 *
 * @example
 * const alice = await connectRaw(server.url)
 * await alice.authenticate(await tokenFor('alice'))
 * alice.sendFrame('join', { room: 'general', data: {} })
 * const joined = await alice.nextOfType('joined')
 */
export function connectRaw(url: string, options: RawClientOptions = {}): Promise<RawClient> {
  const socket = new WebSocket(url, {
    ...(options.origin ? { origin: options.origin } : {}),
    allowSynchronousEvents: options.allowSynchronousEvents ?? true,
  })
  const received: Frame[] = []
  const problems: string[] = []
  let cursor = 0
  let waiter: { predicate: (frame: Frame) => boolean; resolve: (frame: Frame) => void } | undefined

  const match = (predicate: (frame: Frame) => boolean): Frame | undefined => {
    for (let i = cursor; i < received.length; i++) {
      const frame = received[i] as Frame
      if (predicate(frame)) {
        cursor = i + 1
        return frame
      }
    }
    cursor = received.length
    return undefined
  }

  socket.on('message', (data, isBinary) => {
    // binaryType is the default 'nodebuffer', so text arrives as one Buffer.
    const text = isBinary ? data : (data as Buffer).toString('utf8')
    const result = decodeFrame(text, { maxBytes: 16 * 1024 * 1024 })
    if (!result.ok) return void problems.push(`${result.reason}: ${result.message}`)
    received.push(result.frame)
    if (waiter && waiter.predicate(result.frame)) {
      cursor = received.length
      const { resolve } = waiter
      waiter = undefined
      resolve(result.frame)
    }
  })
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  )

  const next = (
    predicate: (frame: Frame) => boolean = () => true,
    timeoutMs = DEFAULT_TIMEOUT_MS,
  ) => {
    if (waiter) throw new Error('rawClient: only one next() may wait at a time')
    const found = match(predicate)
    if (found) return Promise.resolve(found)
    return new Promise<Frame>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiter = undefined
        const seen = received.map((frame) => frame.type).join(', ')
        reject(new Error(`rawClient: no matching frame within ${timeoutMs} ms (received: ${seen})`))
      }, timeoutMs)
      waiter = {
        predicate,
        resolve: (frame) => {
          clearTimeout(timer)
          resolve(frame)
        },
      }
    })
  }

  const client: RawClient = {
    socket,
    received,
    problems,
    send: (payload) =>
      socket.send(
        typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload),
      ),
    sendFrame(type, fields) {
      const frame = makeFrame(type, fields)
      client.send(frame)
      return frame
    },
    next,
    nextOfType: (type, predicate = () => true, timeoutMs) =>
      next(
        (frame) => frame.type === type && predicate(frame as never),
        timeoutMs,
      ) as Promise<never>,
    async authenticate(token) {
      const request = client.sendFrame('auth', { data: { token } })
      const reply = await next(
        (frame) =>
          frame.type === 'auth_ok' || (frame.type === 'error' && frame.data.refId === request.id),
      )
      if (reply.type !== 'auth_ok') throw new Error(`auth failed: ${JSON.stringify(reply.data)}`)
      return reply
    },
    closed,
    close: () => socket.close(),
  }

  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(client))
    socket.once('error', reject)
    // Errors after open end in 'close', which `closed` reports.
    socket.on('error', () => undefined)
  })
}
