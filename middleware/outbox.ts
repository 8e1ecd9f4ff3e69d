import type { UnknownAction } from '@reduxjs/toolkit'
import { makeFrame } from '../src/protocol/build'
import { encodeFrame, validateFrame } from '../src/protocol/codec'
import { WebSocketErrorCode } from '../src/protocol/codes'
import type {
  ChatMessageFrame,
  DirectMessageFrame,
  NotificationUpdateFrame,
} from '../src/protocol/frames'
import { privateStreamOf } from '../src/protocol/streams'
import { isValidId, utf8Length } from '../src/protocol/validate'
import { errorInfo } from '../src/errors'
import {
  clearNotifications,
  connection,
  dismissNotification,
  markAllNotificationsRead,
  markNotificationRead,
  outbox,
  rooms,
  sendChatMessage,
  sendDirectMessage,
  sendMessage,
  type OutgoingMessage,
} from '../slices/actions'
import type { OutboxEntry } from '../slices/types'
import type { Handler, RealtimeContext } from './context'
import { createMemoryStorage } from './storage'

/** Commands whose message goes through the outbox (acked, resent until acked). */
const SEND_COMMANDS = [
  sendChatMessage,
  sendMessage,
  sendDirectMessage,
  markNotificationRead,
  markAllNotificationsRead,
  dismissNotification,
  clearNotifications,
]

/** Unacknowledged messages on the wire at once: bounds what a rate limit or a dead socket wastes. */
const MAX_IN_FLIGHT = 64
/** Frames per `batch` when several messages go out together. */
const BATCH_SIZE = 50
/** Room for a batch's own envelope around its frames. */
const BATCH_OVERHEAD_BYTES = 128

type OutgoingFrame = ChatMessageFrame | DirectMessageFrame | NotificationUpdateFrame
const DEFAULT_RETRY_MS = 1000

/**
 * Every outgoing message enters the outbox at once (pending in state), goes out only after
 * `auth_ok` (and after the room joins, which are sent first), and leaves on ack. Unacked
 * messages are resent in order on every new connection; the server's idempotency by id makes
 * that safe. Rejections fail only their message; `RATE_LIMITED` pauses and retries.
 */
export function buildOutboxHandler(ctx: RealtimeContext): Handler {
  const storage = ctx.config.storage ?? createMemoryStorage()
  const queue = new Map<string, OutboxEntry>()
  /** Ids written on the current socket and not yet acked. */
  const inFlight = new Set<string>()
  let pausedUntil = 0
  let retryTimer: ReturnType<typeof setTimeout> | undefined

  function guard(what: string, run: () => unknown): void {
    try {
      void Promise.resolve(run()).catch((error: unknown) =>
        ctx.log(`outbox storage ${what} failed`, error),
      )
    } catch (error) {
      ctx.log(`outbox storage ${what} failed`, error)
    }
  }

  function toFrame(entry: OutboxEntry): OutgoingFrame {
    const base = { id: entry.id, timestamp: entry.createdAt }
    switch (entry.type) {
      case 'chat_message':
        return makeFrame('chat_message', { ...base, room: entry.room, data: entry.data })
      case 'direct_message':
        return makeFrame('direct_message', { ...base, data: entry.data })
      case 'notification_update':
        return makeFrame('notification_update', { ...base, data: entry.data })
    }
  }

  /** The stream an entry waits for: its room, or this user's private stream for the rest. */
  function streamOf(entry: OutboxEntry): string | undefined {
    if (entry.type === 'chat_message') return entry.room
    return ctx.session.userId !== undefined ? privateStreamOf(ctx.session.userId) : undefined
  }

  function roomOf(entry: OutboxEntry): string | undefined {
    return entry.type === 'chat_message' ? entry.room : undefined
  }

  function flush(): void {
    if (!ctx.session.authenticated || ctx.now() < pausedUntil) return
    const limit = ctx.session.maxFrameBytes ?? Infinity
    const tooBig: OutboxEntry[] = []
    let frames: OutgoingFrame[] = []
    let bytes = BATCH_OVERHEAD_BYTES
    const sendChunk = (): boolean => {
      if (frames.length === 0) return true
      const frame =
        frames.length === 1
          ? (frames[0] as OutgoingFrame)
          : makeFrame('batch', { data: { frames } })
      if (!ctx.send(frame)) return false
      for (const f of frames) inFlight.add(f.id)
      frames = []
      bytes = BATCH_OVERHEAD_BYTES
      return true
    }
    for (const entry of queue.values()) {
      if (inFlight.size + frames.length >= MAX_IN_FLIGHT) break
      // A message waits for its room; order is kept within each room.
      const stream = streamOf(entry)
      if (inFlight.has(entry.id) || stream === undefined || !ctx.streams.isTracked(stream)) continue
      const frame = toFrame(entry)
      const size = utf8Length(encodeFrame(frame))
      if (size > limit) {
        tooBig.push(entry)
        continue
      }
      if ((frames.length >= BATCH_SIZE || bytes + size + 1 > limit) && !sendChunk()) return
      frames.push(frame)
      bytes += size + 1
    }
    if (!sendChunk()) return
    fail(
      tooBig,
      WebSocketErrorCode.MESSAGE_TOO_LARGE,
      () => `message larger than the server's limit of ${limit} bytes`,
    )
  }

  function pause(ms: number): void {
    pausedUntil = ctx.now() + ms
    clearTimeout(retryTimer)
    retryTimer = setTimeout(flush, ms)
  }

  function enqueue(message: OutgoingMessage, command: string): void {
    if (message.type === 'chat_message' && !ctx.streams.isTracked(message.room)) {
      throw new Error(
        `${command}: room "${message.room}" was not joined. Dispatch joinRoom('${message.room}') first; messages then wait in the outbox until they can go out.`,
      )
    }
    if (queue.has(message.id)) {
      throw new Error(
        `${command}: id "${message.id}" is already in the outbox; ids must be unique per message.`,
      )
    }
    const { timestamp, ...rest } = message
    const entry: OutboxEntry = {
      ...rest,
      createdAt: timestamp,
      ...(ctx.session.userId !== undefined ? { userId: ctx.session.userId } : {}),
    }
    if (queue.size >= ctx.config.messageQueueSize) {
      const error = errorInfo(
        WebSocketErrorCode.QUEUE_FULL,
        `outbox full (${ctx.config.messageQueueSize} messages waiting); message ${entry.id} not queued`,
        { context: 'outbox', refId: entry.id },
      )
      ctx.dispatch(outbox.overflowed({ entry, error }))
      return
    }
    queue.set(entry.id, entry)
    guard('save', () => storage.save(entry))
    ctx.dispatch(outbox.enqueued({ entry }))
    flush()
  }

  function restore(entries: unknown): void {
    if (!Array.isArray(entries)) return
    // Storage is outside our control: keep only entries that still make valid frames.
    const restored = (entries as OutboxEntry[]).filter((e) => {
      try {
        return isValidId(e?.id) && !queue.has(e.id) && validateFrame(toFrame(e)).ok
      } catch {
        return false
      }
    })
    if (restored.length === 0) return
    for (const entry of restored) queue.set(entry.id, entry)
    ctx.dispatch(outbox.restored({ entries: restored }))
    flush()
  }

  function fail(
    entries: OutboxEntry[],
    code: WebSocketErrorCode,
    message: (e: OutboxEntry) => string,
  ): void {
    if (entries.length === 0) return
    const failures = entries.map((entry) => {
      queue.delete(entry.id)
      inFlight.delete(entry.id)
      guard('remove', () => storage.remove(entry.id))
      return {
        id: entry.id,
        ...(roomOf(entry) !== undefined ? { room: roomOf(entry) } : {}),
        error: errorInfo(code, message(entry), { context: 'outbox', refId: entry.id }),
      }
    })
    ctx.dispatch(outbox.failed({ failures }))
  }

  function settle(action: UnknownAction): void {
    if (outbox.acked.match(action)) {
      for (const { refId } of action.payload.acks) {
        if (!queue.delete(refId)) continue
        inFlight.delete(refId)
        guard('remove', () => storage.remove(refId))
      }
      flush()
      return
    }
    if (rooms.leaveRequested.match(action)) {
      const { room } = action.payload
      const waiting = [...queue.values()].filter((e) => roomOf(e) === room && !inFlight.has(e.id))
      fail(
        waiting,
        WebSocketErrorCode.NOT_JOINED,
        () => `room "${room}" was left before the message went out`,
      )
      return
    }
    if (rooms.joinFailed.match(action)) {
      // Nothing queued for a room we cannot join would ever go out.
      const { room, error } = action.payload
      const waiting = [...queue.values()].filter((e) => roomOf(e) === room && !inFlight.has(e.id))
      fail(waiting, error.code, () => `could not join room "${room}": ${error.message}`)
      return
    }
    if (rooms.joinRequested.match(action)) {
      flush()
      return
    }
    if (!connection.errorsReceived.match(action)) return
    for (const error of action.payload.errors) {
      const entry = error.refId !== undefined ? queue.get(error.refId) : undefined
      if (!entry) continue
      if (error.code === WebSocketErrorCode.RATE_LIMITED) {
        inFlight.delete(entry.id)
        pause(error.retryAfterMs ?? DEFAULT_RETRY_MS)
      } else {
        fail([entry], error.code, () => error.message)
      }
    }
  }

  guard('load', async () => restore(await storage.load()))

  return (action) => {
    const command = SEND_COMMANDS.find((c) => c.match(action))
    if (command) enqueue((action as ReturnType<typeof command>).payload, command.type)
    else if (connection.opened.match(action)) flush()
    else if (connection.closed.match(action)) {
      inFlight.clear()
      clearTimeout(retryTimer)
      pausedUntil = 0
    } else settle(action)
  }
}
