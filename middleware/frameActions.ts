import type {
  ChatMessageFrame,
  DirectMessageFrame,
  Frame,
  FrameOfType,
  StreamFrame,
} from '../src/protocol/frames'
import { chat, connection, notifications, presence, roomPresence, rooms } from '../slices/actions'
import { Burst } from './burst'
import type { PresenceSync } from './presenceSync'
import type { StreamCursors } from './streams'

export { Burst }

/** What routing a frame may consult: stream cursors, who we are, presence sync. */
export interface RouteContext {
  streams: StreamCursors
  /** This client's user id once authenticated. */
  selfId?: string | undefined
  presence: PresenceSync
  /** Takes one `auth` this socket sent and has no answer to; false when none is pending. */
  takeAuthReply(): boolean
}

type Route<T extends Frame['type']> = (
  frame: FrameOfType<T>,
  burst: Burst,
  ctx: RouteContext,
) => void

const clientOnly = (frame: Frame, burst: Burst) => {
  burst.add('rejections', {
    reason: 'unexpected_type',
    message: `servers do not send ${frame.type} frames`,
    id: frame.id,
  })
}

/**
 * Seq bookkeeping shared by every stream frame: true when the frame is next in its stream and
 * should be applied; a duplicate is dropped; a gap asks for a resume (once) and drops the rest.
 */
function inOrder(frame: StreamFrame, burst: Burst, streams: StreamCursors): boolean {
  if (frame.seq === undefined || frame.room === undefined) {
    burst.add('rejections', {
      reason: 'invalid_field',
      message: `a ${frame.type} frame needs a room and a seq`,
      id: frame.id,
    })
    return false
  }
  return applies(
    streams.accept(frame.room, frame.seq, frame.userId, frame.id),
    frame.room,
    frame.seq,
    burst,
    streams,
  )
}

function applies(
  verdict: ReturnType<StreamCursors['accept']>,
  room: string,
  receivedSeq: number,
  burst: Burst,
  streams: StreamCursors,
): boolean {
  if (verdict === 'gap') {
    burst.control(rooms.gapDetected({ room, expectedSeq: streams.expectedSeq(room), receivedSeq }))
  }
  return verdict === 'apply'
}

/**
 * A chat or direct message as state keeps it: the frame without `v`, one object literal (a rest
 * copy per frame was 1.8 % of ingest). Called after `inOrder`, so `room` and `seq` are set.
 */
function kept<F extends ChatMessageFrame | DirectMessageFrame>(frame: F): Omit<F, 'v'> {
  const { id, timestamp, userId, seq, room, type, data } = frame
  return (
    userId === undefined
      ? { id, timestamp, seq, room, type, data }
      : { id, timestamp, userId, seq, room, type, data }
  ) as Omit<F, 'v'>
}

function presenceDiff(
  burst: Burst,
  ctx: RouteContext,
  action: Parameters<Burst['control']>[0],
): void {
  for (const ready of ctx.presence.diff(action)) burst.control(ready)
}

/**
 * THE frame-to-action table: what each incoming frame type becomes. The README lists the same.
 * Batched groups become one action per burst (see `burst.ts`).
 *
 * | frame                | action                                                   |
 * |----------------------|----------------------------------------------------------|
 * | auth_ok              | realtime/connection/opened                               |
 * | pong                 | realtime/connection/pongReceived                         |
 * | error                | realtime/connection/errorsReceived (batched)             |
 * | joined / left        | realtime/rooms/joined / realtime/rooms/left              |
 * | chat_message         | realtime/chat/messagesReceived (batched)                 |
 * | direct_message       | realtime/chat/directMessagesReceived (batched)           |
 * | typing_start / _stop | realtime/chat/typingStarted / typingStopped              |
 * | read_receipt         | realtime/chat/readReceiptsReceived (batched)             |
 * | presence_update      | realtime/presence/synced (snapshot) or /changed          |
 * | room_presence        | realtime/roomPresence/synced (snapshot) or /changed      |
 * | user_online / _off   | realtime/presence/userOnline / userOffline               |
 * | notification         | realtime/notifications/received (batched)                |
 * | notification_update  | realtime/notifications/updated                           |
 * | system_alert         | realtime/notifications/systemAlertReceived               |
 * | event_update         | realtime/events/received (batched)                       |
 * | app_message          | realtime/custom/messagesReceived (batched)               |
 * | ack                  | realtime/outbox/acked (batched)                          |
 * | (gap in a stream)    | realtime/rooms/gapDetected                               |
 * | (invalid)            | realtime/inbound/framesRejected (batched)                |
 */
export const FRAME_ROUTES: { [T in Frame['type']]: Route<T> } = {
  auth_ok: (frame, burst, ctx) => {
    // A replayed or duplicated auth_ok answers nothing we sent: it changes nothing.
    if (ctx.takeAuthReply()) {
      burst.control(
        connection.opened({ ...frame.data, serverTime: frame.timestamp, at: Date.now() }),
      )
    }
  },
  pong: (frame, burst) => {
    burst.pong(Math.max(0, Date.now() - frame.data.echo))
  },
  error: (frame, burst, { streams }) => {
    // A stream frame the server skipped (too large for us) still takes its place in the stream.
    const { seq } = frame.data
    if (seq !== undefined && frame.room !== undefined) {
      applies(streams.skip(frame.room, seq), frame.room, seq, burst, streams)
    }
    burst.add('errors', frame.data)
  },
  joined: (frame, burst, { streams }) => {
    // Only the answer to the join we sent last moves the cursor; a stale or repeated one is ignored.
    if (streams.joined(frame.room, frame.data)) {
      burst.control(rooms.joined({ room: frame.room, ...frame.data, at: Date.now() }))
    }
  },
  left: (frame, burst) => {
    burst.control(rooms.left({ room: frame.room }))
  },
  chat_message: (frame, burst, { streams }) => {
    if (inOrder(frame, burst, streams)) burst.add('messages', kept(frame))
  },
  direct_message: (frame, burst, { streams }) => {
    if (inOrder(frame, burst, streams)) burst.add('directMessages', kept(frame))
  },
  notification: (frame, burst, { streams }) => {
    if (inOrder(frame, burst, streams)) {
      burst.add('notifications', {
        ...frame.data,
        id: frame.id,
        createdAt: frame.timestamp,
        read: false,
      })
    }
  },
  notification_update: (frame, burst, { streams }) => {
    if (inOrder(frame, burst, streams))
      burst.control(notifications.updated({ ...frame.data, at: frame.timestamp }))
  },
  event_update: (frame, burst, { streams }) => {
    if (inOrder(frame, burst, streams)) burst.add('events', frame.data)
  },
  // Durable ones share the room's seq stream with chat; volatile ones only need the room live.
  app_message: (frame, burst, { streams }) => {
    const { userId, room, id, timestamp } = frame
    if (userId === undefined) {
      return burst.add('rejections', {
        reason: 'invalid_field',
        message: 'an app_message from the server needs a userId',
        id,
      })
    }
    const { type, data, volatile } = frame.data
    if (volatile ? !streams.isLive(room) : !inOrder(frame, burst, streams)) return
    const seq = volatile ? undefined : frame.seq
    burst.add('custom', {
      id,
      type,
      room,
      userId,
      timestamp,
      ...(seq !== undefined ? { seq } : {}),
      data,
    })
  },
  // Room signals count only in rooms joined on this socket: others change nothing.
  typing_start: (frame, burst, { selfId, streams }) => {
    if (frame.userId !== undefined && frame.userId !== selfId && streams.isLive(frame.room)) {
      burst.control(chat.typingStarted({ room: frame.room, userId: frame.userId, at: Date.now() }))
    }
  },
  typing_stop: (frame, burst, { selfId, streams }) => {
    if (frame.userId !== undefined && frame.userId !== selfId && streams.isLive(frame.room)) {
      burst.control(chat.typingStopped({ room: frame.room, userId: frame.userId }))
    }
  },
  read_receipt: (frame, burst, { streams }) => {
    if (frame.userId !== undefined && streams.isLive(frame.room))
      burst.add('receipts', { room: frame.room, userId: frame.userId, ...frame.data })
  },
  presence_update: (frame, burst, ctx) => {
    const users = frame.data.users ?? []
    const { removed } = frame.data
    if (frame.data.snapshot) {
      for (const ready of ctx.presence.snapshot(presence.synced({ users, at: Date.now() })))
        burst.control(ready)
    } else if (users.length > 0 || (removed !== undefined && removed.length > 0)) {
      const at = Date.now()
      presenceDiff(burst, ctx, presence.changed(removed ? { users, removed, at } : { users, at }))
    }
  },
  // State, not history: no seq. Only for rooms joined on this socket; a join's list replaces.
  room_presence: (frame, burst, { streams }) => {
    if (!streams.isLive(frame.room)) return
    const { room } = frame
    const members = frame.data.members ?? []
    if (frame.data.snapshot) {
      burst.control(roomPresence.synced({ room, members, at: Date.now() }))
    } else if (members.length > 0 || (frame.data.left?.length ?? 0) > 0) {
      burst.control(
        roomPresence.changed({ room, members, left: frame.data.left ?? [], at: Date.now() }),
      )
    }
  },
  user_online: (frame, burst, ctx) => {
    presenceDiff(burst, ctx, presence.userOnline({ ...frame.data, at: Date.now() }))
  },
  user_offline: (frame, burst, ctx) => {
    presenceDiff(burst, ctx, presence.userOffline({ ...frame.data, at: Date.now() }))
  },
  system_alert: (frame, burst) => {
    burst.control(
      notifications.systemAlertReceived({ id: frame.id, ...frame.data, at: frame.timestamp }),
    )
  },
  ack: (frame, burst) => {
    burst.add('acks', {
      refId: frame.data.refId,
      ...(frame.data.seq !== undefined ? { seq: frame.data.seq } : {}),
      ...(frame.room !== undefined ? { room: frame.room } : {}),
    })
  },
  // A server-sent ping is a sign of life and needs nothing else.
  ping: () => {},
  auth: clientOnly,
  join: clientOnly,
  leave: clientOnly,
  batch: clientOnly,
  subscribe: clientOnly,
  unsubscribe: clientOnly,
  // Collaborative documents (issue 11): the collab plugin routes these; without it they do nothing.
  doc_sync: () => {},
  doc_update: () => {},
  doc_awareness: () => {},
  doc_close: clientOnly,
}

export function routeFrame(frame: Frame, burst: Burst, ctx: RouteContext): void {
  const route = FRAME_ROUTES[frame.type] as Route<Frame['type']>
  route(frame, burst, ctx)
}
