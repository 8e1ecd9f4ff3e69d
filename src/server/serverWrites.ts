import type { UnsequencedStreamFrame } from './historyStore'
import type { RealtimeServerLogger } from './serverOptions'
import type { Rooms } from './rooms'
import { StoreFailedError } from './storeCalls'

/**
 * How long the next try of a server write waits after `failures` failures in a row (≥ 1): a
 * random time in [0, min(capMs, baseMs × 2^(failures − 1))) — full jitter, so processes that
 * saw one outage do not all come back at once.
 *
 * @example
 * setTimeout(tryAgain, retryDelay(failures, 250, 10_000))
 */
export function retryDelay(
  failures: number,
  baseMs: number,
  capMs: number,
  random: () => number = Math.random,
): number {
  return random() * Math.min(capMs, baseMs * 2 ** Math.min(Math.max(failures - 1, 0), 30))
}

/** Server appends waiting for the store, all streams together; past it new ones are refused. */
export const MAX_PENDING_SERVER_WRITES = 10_000
/** The first retry waits up to this (full jitter); each failure doubles it up to the cap. */
export const RETRY_BASE_MS = 250
export const RETRY_CAP_MS = 10_000
/** How long `close()` lets the pending appends reach the store before it gives them up. */
export const SERVER_WRITES_CLOSE_MS = 5000

/** Tuning of the server's own appends; every field has a default. */
export interface ServerWritesOptions {
  /** Pending appends (all streams) beyond which new ones are refused. Default 10,000. */
  maxPending?: number
  /** Upper bound of the first retry's wait; it doubles per failure. Default 250 ms. */
  retryBaseMs?: number
  /** The most a retry waits. Default 10 s. */
  retryCapMs?: number
  /** How long `close()` waits for the pending appends. Default 5 s. */
  closeGraceMs?: number
}

/**
 * Where every append the server makes itself goes (notifications, event updates, reminders):
 * nothing of it is lost to a store that fails or hangs for a while.
 */
export interface ServerWrites {
  /**
   * Queues `frame` for `stream` behind the stream's earlier server appends and stores it as
   * soon as the store takes it. False when refused (the queue is full, or closed): logged.
   */
  append(stream: string, frame: UnsequencedStreamFrame): boolean
  /** Appends queued and not yet stored. */
  readonly pending: number
  /** Appends refused since the start (the queue was full or closed). */
  readonly dropped: number
  /**
   * Refuses new appends, gives the pending ones `closeGraceMs` to be stored, then gives up the
   * rest and logs how many. Safe to repeat.
   */
  close(): Promise<void>
}

export interface ServerWritesDeps extends ServerWritesOptions {
  rooms: Rooms
  logger: RealtimeServerLogger
  /** [0, 1); `Math.random` unless a test fixes it. */
  random?: () => number
}

/** One stream's server appends not stored yet, oldest first; only the head is being tried. */
interface StreamWrites {
  frames: UnsequencedStreamFrame[]
  /** Failed tries of the head in a row. */
  failures: number
  timer: ReturnType<typeof setTimeout> | undefined
  running: boolean
}

/** Server-originated frames dedupe by their own id; `\0` keeps these keys apart from users'. */
export const serverKey = (frame: UnsequencedStreamFrame): string => `\u0000${frame.id}`

const PREFIX = 'redux-realtime server:'

/**
 * Creates the one queue of the server's own appends. Per stream, frames are stored in the order
 * they were made, each once: every try of a frame carries its dedupe key `\0<id>`, so a try
 * that timed out but landed makes the next one a duplicate (acked, not stored again), and the
 * next frame goes only after. A store failure (`StoreFailedError`) keeps the frame at the head
 * and tries again after a random wait in [0, min(cap, base × 2^failures)) (full jitter); other
 * streams go on meanwhile. A frame whose id a user's message took already, or any other error,
 * is logged and dropped: trying again cannot help.
 *
 * Refused, not queued, beyond `maxPending` (logged once per episode, counted in `dropped`):
 * `server.notify` and `publishEvent` stay synchronous and never throw for it, since reminders
 * call them from timers (a throw would take the process down) and an event's appends to its
 * subscribers would stop half-way.
 *
 * @example
 * const writes = createServerWrites({ rooms, logger })
 * writes.append('user:alice', checkedFrame('notify', 'notification', fields))
 * await writes.close() // on server.close(), before the store goes
 */
export function createServerWrites(deps: ServerWritesDeps): ServerWrites {
  const { rooms, logger } = deps
  const maxPending = deps.maxPending ?? MAX_PENDING_SERVER_WRITES
  const baseMs = deps.retryBaseMs ?? RETRY_BASE_MS
  const capMs = deps.retryCapMs ?? RETRY_CAP_MS
  const closeGraceMs = deps.closeGraceMs ?? SERVER_WRITES_CLOSE_MS
  const random = deps.random ?? Math.random
  const streams = new Map<string, StreamWrites>()
  /** Streams whose head failed its last try. */
  const failing = new Set<string>()
  let pending = 0
  let dropped = 0
  /** Refused in the current full episode (logged when it ends). */
  let refusedNow = 0
  let closed = false
  /** Past close's grace: nothing is tried any more. */
  let stopped = false
  let closing: Promise<void> | undefined
  /** Resolves `close()`'s wait once nothing is pending. */
  let drained: (() => void) | undefined

  const done = (stream: string, writes: StreamWrites): void => {
    writes.frames.shift()
    writes.failures = 0
    pending--
    if (writes.frames.length === 0) streams.delete(stream)
    if (refusedNow > 0 && pending < maxPending) {
      logger.error(
        `${PREFIX} ${refusedNow} server appends (notifications, event updates) were refused while ${maxPending} waited for the store; ${dropped} since the start`,
      )
      refusedNow = 0
    }
    if (pending === 0) drained?.()
  }

  const retryLater = (stream: string, writes: StreamWrites, error: StoreFailedError): void => {
    writes.failures++
    // Logged once per outage, not per stream: one outage may hold thousands of users' streams.
    if (writes.failures === 1 && failing.add(stream).size === 1)
      logger.warn(
        `${PREFIX} the store did not take ${writes.frames[0]?.type} for ${stream}; the server's appends are tried again until it does (${pending} pending)`,
        error,
      )
    if (stopped) return
    writes.timer = setTimeout(
      () => {
        writes.timer = undefined
        void run(stream, writes)
      },
      retryDelay(writes.failures, baseMs, capMs, random),
    )
    writes.timer.unref?.()
  }

  /** Stores the stream's frames in order until one fails (then a timer tries it again). */
  async function run(stream: string, writes: StreamWrites): Promise<void> {
    if (writes.running) return
    writes.running = true
    try {
      for (let frame = writes.frames[0]; frame; frame = writes.frames[0]) {
        try {
          const result = await rooms.publish(stream, frame, serverKey(frame))
          if (stopped) return
          if (result.conflict)
            logger.error(
              `${PREFIX} ${frame.type} ${frame.id} not stored: the id is already used in ${stream} by a user's message`,
            )
        } catch (error) {
          if (stopped) return
          if (error instanceof StoreFailedError) return retryLater(stream, writes, error)
          logger.error(`${PREFIX} could not append ${frame.type} to ${stream}`, error)
        }
        if (failing.delete(stream) && failing.size === 0)
          logger.warn(
            `${PREFIX} the store takes the server's appends again (${pending - 1} pending)`,
          )
        done(stream, writes)
      }
    } finally {
      writes.running = false
    }
  }

  return {
    append(stream, frame) {
      if (closed || pending >= maxPending) {
        dropped++
        if (closed)
          logger.error(`${PREFIX} ${frame.type} for ${stream} refused: the server is closing`)
        else if (refusedNow++ === 0)
          logger.error(
            `${PREFIX} ${frame.type} for ${stream} refused: ${maxPending} server appends already wait for the store (more are refused, and counted, until it takes them)`,
          )
        return false
      }
      pending++
      let writes = streams.get(stream)
      if (!writes) {
        writes = { frames: [], failures: 0, timer: undefined, running: false }
        streams.set(stream, writes)
      }
      writes.frames.push(frame)
      // A stream waiting out a failure keeps its order: the timer's try comes first.
      if (writes.frames.length === 1) void run(stream, writes)
      return true
    },

    get pending() {
      return pending
    },

    get dropped() {
      return dropped
    },

    close() {
      closing ??= (async () => {
        closed = true
        if (pending > 0) {
          // Waiting ones are tried now, not after their backoff: the store may be back.
          for (const [stream, writes] of streams) {
            if (writes.timer === undefined) continue
            clearTimeout(writes.timer)
            writes.timer = undefined
            void run(stream, writes)
          }
          let timer: ReturnType<typeof setTimeout> | undefined
          await new Promise<void>((resolve) => {
            drained = resolve
            timer = setTimeout(resolve, closeGraceMs)
          })
          clearTimeout(timer)
        }
        stopped = true
        for (const writes of streams.values()) clearTimeout(writes.timer)
        if (pending > 0)
          logger.error(
            `${PREFIX} closed with ${pending} server appends (notifications, event updates) the store did not take within ${closeGraceMs} ms: they are lost`,
          )
        dropped += pending
        pending = 0
        streams.clear()
        failing.clear()
      })()
      return closing
    },
  }
}
