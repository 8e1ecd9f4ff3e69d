import { makeFrame } from '../src/protocol/build'
import { WebSocketErrorCode } from '../src/protocol/codes'
import type { JsonValue } from '../src/protocol/frames'
import { connection, outbox, rooms, setRoomPresence } from '../slices/actions'
import type { Handler, RealtimeContext } from './context'
import { devText } from '../src/dev'

/** Errors after which the data goes again (after `retryAfterMs`, or the next `auth_ok`). */
const RETRYABLE = new Set<string>([
  WebSocketErrorCode.RATE_LIMITED,
  WebSocketErrorCode.TOKEN_EXPIRED,
  WebSocketErrorCode.SERVER_ERROR,
])
const DEFAULT_RETRY_MS = 1000

/**
 * Your data in each room (`setRoomPresence`): remembered per room, sent once the room is
 * joined on the current socket, and again after every `joined` (a reconnect, a rejoin);
 * forgotten on leave. Latest wins: one `room_presence` per room is in flight at a time, and
 * calls made until its `ack` send only the last data. It spends from the flow control bucket
 * like any frame and waits for it (one timer) when it is empty. Not queued in the outbox:
 * there is nothing to deliver exactly once, only a latest value.
 */
export function buildRoomPresenceHandler(ctx: RealtimeContext): Handler {
  /** Room → the latest data this client set there. */
  const latest = new Map<string, JsonValue>()
  /** Rooms whose latest data the current socket has not sent yet. */
  const unsent = new Set<string>()
  /** Room → the id of its `room_presence` written and not yet acked. */
  const sending = new Map<string, string>()
  let pausedUntil = 0
  let timer: ReturnType<typeof setTimeout> | undefined

  function wakeIn(delayMs: number): void {
    clearTimeout(timer)
    timer = setTimeout(flush, Math.max(0, delayMs))
  }

  function flush(): void {
    clearTimeout(timer)
    timer = undefined
    if (!ctx.session.authenticated || unsent.size === 0) return
    const now = ctx.now()
    if (now < pausedUntil)
      return Number.isFinite(pausedUntil) ? wakeIn(pausedUntil - now) : undefined
    for (const room of unsent) {
      if (sending.has(room) || !ctx.streams.isLive(room)) continue
      if (ctx.flow.allowance() < 1) return wakeIn(ctx.flow.waitMs())
      const frame = makeFrame('room_presence', { room, data: { data: latest.get(room) ?? null } })
      if (!ctx.send(frame)) return
      unsent.delete(room)
      sending.set(room, frame.id)
    }
  }

  function forget(room: string): void {
    latest.delete(room)
    unsent.delete(room)
    sending.delete(room)
  }

  /** The room whose in-flight frame `refId` is, taken out of `sending`. */
  function settle(refId: string | undefined): string | undefined {
    for (const [room, id] of sending) {
      if (id !== refId) continue
      sending.delete(room)
      return room
    }
    return undefined
  }

  return (action) => {
    if (setRoomPresence.match(action)) {
      const { room, data } = action.payload
      if (!ctx.streams.isTracked(room)) {
        throw new Error(
          `setRoomPresence: room "${room}" was not joined${devText(() => (process.env.NODE_ENV !== 'production' ? `. Dispatch joinRoom('${room}') first; your data then goes out once the room is joined and again after every rejoin.` : ''))}`,
        )
      }
      latest.set(room, data)
      unsent.add(room)
      flush()
    } else if (outbox.acked.match(action)) {
      let settled = false
      for (const { refId } of action.payload.acks) settled = settle(refId) !== undefined || settled
      if (settled) flush()
    } else if (connection.errorsReceived.match(action)) {
      for (const error of action.payload.errors) {
        const room = settle(error.refId)
        if (room === undefined || !RETRYABLE.has(error.code)) continue
        unsent.add(room)
        const wait =
          error.code === WebSocketErrorCode.TOKEN_EXPIRED
            ? Infinity
            : (error.retryAfterMs ?? DEFAULT_RETRY_MS)
        pausedUntil = Math.max(pausedUntil, ctx.now() + wait)
      }
      flush()
    } else if (rooms.joined.match(action)) {
      const { room } = action.payload
      if (!latest.has(room)) return
      unsent.add(room)
      flush()
    } else if (connection.opened.match(action)) {
      // A fresh token ends a TOKEN_EXPIRED pause.
      if (pausedUntil === Infinity) pausedUntil = 0
      flush()
    } else if (connection.closed.match(action)) {
      // Sent again after each room's next `joined`.
      sending.clear()
      unsent.clear()
      pausedUntil = 0
      clearTimeout(timer)
      timer = undefined
    } else if (
      rooms.leaveRequested.match(action) ||
      rooms.left.match(action) ||
      rooms.joinFailed.match(action)
    ) {
      forget(action.payload.room)
    }
  }
}
