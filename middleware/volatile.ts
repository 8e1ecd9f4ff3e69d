import { makeFrame } from '../src/protocol/build'
import { encodeFrame } from '../src/protocol/codec'
import { WebSocketErrorCode } from '../src/protocol/codes'
import type { AppMessageFrame } from '../src/protocol/frames'
import { utf8Length } from '../src/protocol/validate'
import { WebSocketError } from '../src/errors'
import { devText } from '../src/dev'
import type { DefaultAppMessages, PublishPayload } from '../slices/appMessages'
import type { RealtimeContext } from './context'

/** A volatile `publish` waiting for the flow-control budget. */
export interface VolatileMessage {
  id: string
  room: string
  frame: AppMessageFrame
  size: number
}

/**
 * Volatile messages not yet written: at most one per room and app type, the newest. A newer
 * one takes the older one's place in line (so a busy cursor cannot jump ahead of others).
 */
export interface VolatileSlots {
  /** Holds `message`; returns the one of the same room and type it replaced. */
  offer(message: VolatileMessage, type: string): VolatileMessage | undefined
  /** Takes up to `count` messages, first offered first. */
  take(count: number): VolatileMessage[]
  /** Takes every message of `room` (of every room when none is given). */
  drop(room?: string): VolatileMessage[]
  readonly size: number
}

export function createVolatileSlots(): VolatileSlots {
  const slots = new Map<string, VolatileMessage>()
  const keyOf = (room: string, type: string) => `${room}\u0000${type}`
  return {
    offer(message, type) {
      const key = keyOf(message.room, type)
      const replaced = slots.get(key)
      slots.set(key, message)
      return replaced
    },
    take(count) {
      const taken: VolatileMessage[] = []
      for (const [key, message] of slots) {
        if (taken.length >= count) break
        taken.push(message)
        slots.delete(key)
      }
      return taken
    },
    drop(room) {
      const dropped: VolatileMessage[] = []
      for (const [key, message] of slots) {
        if (room !== undefined && message.room !== room) continue
        dropped.push(message)
        slots.delete(key)
      }
      return dropped
    },
    get size() {
      return slots.size
    },
  }
}

/**
 * The frame of a volatile `publish`, or why it cannot go: never queued offline, so it needs an
 * authenticated socket and its room joined on it, and it must fit the server's frame limit.
 */
export function volatileMessage(
  ctx: RealtimeContext,
  payload: PublishPayload<DefaultAppMessages>,
): VolatileMessage | WebSocketError {
  const { id, timestamp, room, type, data } = payload
  const refuse = (code: WebSocketErrorCode, message: string) =>
    new WebSocketError(code, `volatile ${type} ${id}: ${message}`, {
      context: 'publish',
      refId: id,
    })
  if (!ctx.session.authenticated) {
    return refuse(
      WebSocketErrorCode.NOT_CONNECTED,
      `not connected${devText(() => (process.env.NODE_ENV !== 'production' ? '; volatile messages are never queued' : ''))}`,
    )
  }
  if (!ctx.streams.isLive(room)) {
    return refuse(
      WebSocketErrorCode.NOT_JOINED,
      `room "${room}" is not joined on this connection yet${devText(() => (process.env.NODE_ENV !== 'production' ? `; dispatch joinRoom('${room}') and publish after its joined` : ''))}`,
    )
  }
  const frame = makeFrame('app_message', {
    id,
    timestamp,
    room,
    data: { type, data, volatile: true },
  })
  const size = utf8Length(encodeFrame(frame))
  const limit = ctx.session.maxFrameBytes ?? Infinity
  if (size > limit) {
    return refuse(
      WebSocketErrorCode.MESSAGE_TOO_LARGE,
      `${size} bytes, larger than the server's limit of ${limit} bytes`,
    )
  }
  return { id, room, frame, size }
}
