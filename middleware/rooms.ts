import { makeFrame } from '../src/protocol/build'
import { WebSocketErrorCode } from '../src/protocol/codes'
import { createId } from '../src/protocol/ids'
import { isPrivateStream, privateStreamOf } from '../src/protocol/streams'
import { errorInfo, WebSocketError } from '../src/errors'
import { connection, joinRoom, leaveRoom, rooms } from '../slices/actions'
import type { Handler, RealtimeContext } from './context'

/** Errors after which a join is tried again rather than failed. */
const RETRYABLE = new Set<string>([
  WebSocketErrorCode.RATE_LIMITED,
  WebSocketErrorCode.SERVER_ERROR,
  WebSocketErrorCode.TOKEN_EXPIRED,
])
const DEFAULT_RETRY_MS = 1000

/**
 * Room membership: remembers the rooms asked for, joins them (and this user's private stream)
 * with their `{ epoch, seq }` cursor after every `auth_ok`, so the server replays what was
 * missed, and re-joins to resume when a seq gap shows a frame was lost. Each join's id is
 * remembered by the stream cursors: only its own `joined` moves the cursor.
 */
export function buildRoomsHandler(ctx: RealtimeContext): Handler {
  /** Join frame id → room, to match a refusal to its room. */
  const pendingJoins = new Map<string, string>()
  const retries = new Map<string, ReturnType<typeof setTimeout>>()

  function sendJoin(room: string): void {
    const id = createId()
    const frame = makeFrame('join', { id, room, data: ctx.streams.requestJoin(room, id) })
    pendingJoins.set(id, room)
    ctx.send(frame)
  }

  function retryJoin(room: string, afterMs: number): void {
    clearTimeout(retries.get(room))
    retries.set(
      room,
      setTimeout(() => {
        retries.delete(room)
        if (ctx.session.authenticated && ctx.streams.isTracked(room)) sendJoin(room)
      }, afterMs),
    )
  }

  function cancelRetries(): void {
    for (const timer of retries.values()) clearTimeout(timer)
    retries.clear()
  }

  return (action) => {
    if (joinRoom.match(action)) {
      const { room } = action.payload
      if (ctx.streams.isTracked(room)) {
        // Joined already on this socket: nothing to wait for (a join under way settles on joined).
        const position = ctx.streams.position(room)
        if (position) ctx.outcomes.resolve('join', room, { room, ...position })
        return
      }
      ctx.streams.track(room)
      if (ctx.session.authenticated) sendJoin(room)
      ctx.dispatch(rooms.joinRequested({ room }))
    } else if (leaveRoom.match(action)) {
      const { room } = action.payload
      // Settled now: a leave needs no answer (and leaving a room not joined is a no-op).
      ctx.outcomes.resolve('leave', room, { room })
      if (!ctx.streams.isTracked(room)) return
      ctx.streams.forget(room)
      ctx.dispatch(rooms.leaveRequested({ room }))
      ctx.outcomes.reject(
        'join',
        room,
        new WebSocketError(
          WebSocketErrorCode.NOT_JOINED,
          `room "${room}" was left before the join completed`,
          {
            context: 'join',
          },
        ),
      )
      if (ctx.session.authenticated) ctx.send(makeFrame('leave', { room, data: {} }))
    } else if (connection.opened.match(action)) {
      // A token refresh on the same socket: the rooms are joined already.
      if (ctx.session.refresh) return
      pendingJoins.clear()
      // This user's private stream (direct messages, notifications, events) resumes like a room.
      const own = privateStreamOf(action.payload.userId)
      ctx.streams.track(own)
      for (const room of ctx.streams.rooms()) {
        if (isPrivateStream(room) && room !== own) ctx.streams.forget(room)
        else sendJoin(room)
      }
    } else if (connection.closed.match(action)) {
      pendingJoins.clear()
      cancelRetries()
      ctx.streams.disconnected()
    } else if (rooms.left.match(action)) {
      // The server ended the membership (or confirmed our leave): stop resuming the room.
      ctx.streams.forget(action.payload.room)
    } else if (rooms.gapDetected.match(action)) {
      if (ctx.session.authenticated) sendJoin(action.payload.room)
    } else if (rooms.joined.match(action)) {
      const { room, refId, epoch, fromSeq, headSeq } = action.payload
      if (refId !== undefined) pendingJoins.delete(refId)
      ctx.outcomes.resolve('join', room, { room, epoch, seq: Math.max(fromSeq, headSeq) })
    } else if (connection.errorsReceived.match(action)) {
      for (const error of action.payload.errors) {
        const room = error.refId !== undefined ? pendingJoins.get(error.refId) : undefined
        if (room === undefined) continue
        pendingJoins.delete(error.refId as string)
        if (RETRYABLE.has(error.code)) {
          retryJoin(room, error.retryAfterMs ?? DEFAULT_RETRY_MS)
          continue
        }
        ctx.streams.forget(room)
        const info = errorInfo(error.code, error.message, {
          context: 'join',
          refId: error.refId as string,
        })
        ctx.dispatch(rooms.joinFailed({ room, error: info }))
        ctx.outcomes.reject('join', room, WebSocketError.fromInfo(info))
      }
    }
  }
}
