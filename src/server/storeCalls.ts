import { WebSocketErrorCode } from '../protocol'
import type { ClientConnection, ErrorReply } from './context'
import type { HistoryStore } from './historyStore'

/** What an error frame refusing a write or a join for a failed store tells the client to wait. */
export const STORE_RETRY_AFTER_MS = 1000

/** A history (or document) store call that rejected or did not settle in time. */
export class StoreFailedError extends Error {
  override readonly name = 'StoreFailedError'
  /** The stream (or document) the call was about. */
  readonly stream: string
  constructor(stream: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.stream = stream
  }
}

/**
 * One store call, failed once `ms` passed without it settling: a store that hangs is a store
 * that failed, so nothing queued behind it (a room's writes, a document's) waits forever. What
 * the call may still do later is only ever a write the store dedupes (a resend is acked with
 * its seq) or one a reload includes. A throw from `call` rejects like a rejection.
 *
 * @example
 * const stored = await withinTimeout(() => store.load(name), 10_000, `document store load of ${name}`)
 */
export function withinTimeout<T>(call: () => T | Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms)
    timer.unref?.()
  })
  return Promise.race([Promise.resolve().then(call), timeout]).finally(() => clearTimeout(timer))
}

/**
 * The history store as the server calls it: each call fails with a `StoreFailedError` naming
 * its stream when the store rejects, throws or has not answered within `timeoutMs`. A call
 * that timed out may still be running when the stream's next one starts; a store shared by
 * processes (Redis) is atomic per call anyway, and its client runs commands in order.
 *
 * @example
 * const rooms = createRooms({ history: timedHistory(options.history, 10_000), epoch })
 */
export function timedHistory(history: HistoryStore, timeoutMs: number): HistoryStore {
  const timed = <T>(stream: string, what: string, call: () => T | Promise<T>): Promise<T> =>
    withinTimeout(call, timeoutMs, `history store ${what} of ${stream}`).catch((cause: unknown) => {
      const reason = cause instanceof Error ? cause.message : String(cause)
      throw new StoreFailedError(stream, `history store ${what} of ${stream} failed: ${reason}`, {
        cause,
      })
    })
  return {
    append: (room, frame, dedupeKey) =>
      timed(room, 'append', () => history.append(room, frame, dedupeKey)),
    since: (room, afterSeq) => timed(room, 'read', () => history.since(room, afterSeq)),
    ...(history.conflicts
      ? {
          conflicts: (room: string, id: string, dedupeKey: string) =>
            timed(room, 'id check', () => history.conflicts?.(room, id, dedupeKey) ?? false),
        }
      : {}),
  }
}

/** The error frame for a store failure: retryable, after `retryAfterMs`. */
export function storeFailedReply(what: string, refId: string, room?: string): ErrorReply {
  return {
    code: WebSocketErrorCode.SERVER_ERROR,
    message: `${what}: the server's store is unavailable; retry after ${STORE_RETRY_AFTER_MS} ms`,
    refId,
    retryAfterMs: STORE_RETRY_AFTER_MS,
    ...(room !== undefined ? { room } : {}),
  }
}

/**
 * How long a connection's later writes to a stream wait for the refused one to come again. They
 * are refused meanwhile: what it sent before it learned of the refusal (on the wire already)
 * cannot overtake it. Past this a client that never resends (not the outbox) is served again.
 */
export const STORE_HOLD_MS = 10_000

/**
 * Per connection, the streams whose write failed: the id of the first write refused and when.
 * The writes the client sent after it are refused too, without a store call, until that id
 * comes again (or `STORE_HOLD_MS` passed), so a store that recovers in between never stores a
 * later message before it.
 */
const failedWrites = new WeakMap<ClientConnection, Map<string, { id: string; at: number }>>()

/**
 * Runs one client write (`id`, on the client's `stream`) against the store: the one place where
 * "the store failed" becomes an error frame. On a `StoreFailedError` the connection gets a
 * retryable `SERVER_ERROR` naming `id` (and `room` when given) and the result is undefined;
 * any other throw goes on. While an earlier write to `stream` is refused and not yet resent, a
 * new one is refused the same way, its order kept (`STORE_HOLD_MS`).
 *
 * @example
 * const result = await storeWrite(connection, room, id, room, () => context.rooms.publish(room, frame, key))
 * if (!result) return // refused; the client resends
 */
export async function storeWrite<T>(
  connection: ClientConnection,
  stream: string,
  id: string,
  room: string | undefined,
  write: () => Promise<T>,
): Promise<T | undefined> {
  const failed = failedWrites.get(connection)
  const first = failed?.get(stream)
  if (first !== undefined) {
    if (first.id !== id && Date.now() - first.at < STORE_HOLD_MS) {
      connection.sendError(storeFailedReply(`${id} waits for ${first.id} in ${stream}`, id, room))
      return undefined
    }
    failed?.delete(stream)
  }
  try {
    return await write()
  } catch (error) {
    if (!(error instanceof StoreFailedError)) throw error
    let streams = failedWrites.get(connection)
    if (!streams)
      failedWrites.set(connection, (streams = new Map<string, { id: string; at: number }>()))
    streams.set(stream, { id, at: Date.now() })
    connection.sendError(storeFailedReply(`${id} not stored in ${stream}`, id, room))
    return undefined
  }
}

/**
 * Runs a join's history read: on a `StoreFailedError` the connection gets a retryable
 * `SERVER_ERROR` naming the join and the room (the client joins again) and the result is false.
 *
 * @example
 * if (!(await storeJoin(connection, room, frame.id, () => context.rooms.join(...)))) return
 */
export async function storeJoin(
  connection: ClientConnection,
  room: string,
  joinId: string,
  join: () => Promise<void>,
): Promise<boolean> {
  try {
    await join()
    return true
  } catch (error) {
    if (!(error instanceof StoreFailedError)) throw error
    connection.sendError(storeFailedReply(`could not read the history of ${room}`, joinId, room))
    return false
  }
}
