import { makeFrame } from '../src/protocol/build'
import { isPrivateStream, privateStreamOf } from '../src/protocol/streams'
import { errorInfo } from '../src/errors'
import { connection, joinRoom, leaveRoom, rooms } from '../slices/actions'
import type { Handler, RealtimeContext } from './context'

/**
 * Room membership: remembers the rooms asked for, joins them (and this user's private stream)
 * with their `{ epoch, seq }` cursor after every `auth_ok`, so the server replays what was
 * missed, and re-joins to resume when a seq gap shows a frame was lost.
 */
export function buildRoomsHandler(ctx: RealtimeContext): Handler {
  /** Join frame id → room, to match a refusal to its room. */
  const pendingJoins = new Map<string, string>()
  let joinedOnThisSocket = false

  function sendJoin(room: string): void {
    const frame = makeFrame('join', { room, data: ctx.streams.cursor(room) })
    pendingJoins.set(frame.id, room)
    ctx.send(frame)
  }

  return (action) => {
    if (joinRoom.match(action)) {
      const { room } = action.payload
      if (ctx.streams.isTracked(room)) return
      ctx.streams.track(room)
      // The join goes out before anything reacting to joinRequested (the outbox) can send.
      if (ctx.session.authenticated) sendJoin(room)
      ctx.dispatch(rooms.joinRequested({ room }))
    } else if (leaveRoom.match(action)) {
      const { room } = action.payload
      if (!ctx.streams.isTracked(room)) return
      ctx.streams.forget(room)
      ctx.dispatch(rooms.leaveRequested({ room }))
      if (ctx.session.authenticated) ctx.send(makeFrame('leave', { room, data: {} }))
    } else if (connection.opened.match(action)) {
      // A second auth_ok on the same socket is a token refresh: the rooms are joined already.
      if (joinedOnThisSocket) return
      joinedOnThisSocket = true
      pendingJoins.clear()
      // This user's private stream (direct messages, notifications, events) resumes like a room.
      const own = privateStreamOf(action.payload.userId)
      ctx.streams.track(own)
      for (const room of ctx.streams.rooms()) {
        if (isPrivateStream(room) && room !== own) ctx.streams.forget(room)
        else sendJoin(room)
      }
    } else if (connection.closed.match(action)) {
      joinedOnThisSocket = false
    } else if (rooms.left.match(action)) {
      // The server ended the membership (or confirmed our leave): stop resuming the room.
      ctx.streams.forget(action.payload.room)
    } else if (rooms.gapDetected.match(action)) {
      if (ctx.session.authenticated) sendJoin(action.payload.room)
    } else if (rooms.joined.match(action)) {
      for (const [id, room] of pendingJoins)
        if (room === action.payload.room) pendingJoins.delete(id)
    } else if (connection.errorsReceived.match(action)) {
      for (const error of action.payload.errors) {
        const room = error.refId !== undefined ? pendingJoins.get(error.refId) : undefined
        if (room === undefined) continue
        pendingJoins.delete(error.refId as string)
        ctx.streams.forget(room)
        const info = errorInfo(error.code, error.message, {
          context: 'join',
          refId: error.refId as string,
        })
        ctx.dispatch(rooms.joinFailed({ room, error: info }))
      }
    }
  }
}
