import { makeFrame } from '../src/protocol/build'
import { validateFrame } from '../src/protocol/codec'
import type {
  AppMessageFrame,
  ChatMessageFrame,
  DirectMessageFrame,
  NotificationUpdateFrame,
} from '../src/protocol/frames'
import { privateStreamOf } from '../src/protocol/streams'
import { isValidId } from '../src/protocol/validate'
import type { OutboxEntry } from '../slices/types'

/** What an outbox entry travels as. */
export type OutgoingFrame =
  ChatMessageFrame | DirectMessageFrame | NotificationUpdateFrame | AppMessageFrame

/** The frame an entry is (re)sent as: the same id every time, so the server dedupes it. */
export function toFrame(entry: OutboxEntry): OutgoingFrame {
  // One literal per type (no shared base spread in): a frame is built on every send.
  const { id, createdAt: timestamp } = entry
  switch (entry.type) {
    case 'chat_message':
      return makeFrame('chat_message', { id, timestamp, room: entry.room, data: entry.data })
    case 'direct_message':
      return makeFrame('direct_message', { id, timestamp, data: entry.data })
    case 'notification_update':
      return makeFrame('notification_update', { id, timestamp, data: entry.data })
    case 'app_message':
      return makeFrame('app_message', { id, timestamp, room: entry.room, data: entry.data })
  }
}

/** The room of a chat or app message entry; the others travel on the sender's private stream. */
export function roomOf(entry: OutboxEntry): string | undefined {
  return entry.type === 'chat_message' || entry.type === 'app_message' ? entry.room : undefined
}

/** The stream an entry waits for: its room, or this user's private stream for the rest. */
export function streamOf(entry: OutboxEntry, userId: string | undefined): string | undefined {
  const room = roomOf(entry)
  if (room !== undefined) return room
  return userId !== undefined ? privateStreamOf(userId) : undefined
}

/** Storage is outside our control: an entry counts only if it still makes a valid frame. */
export function isValidStoredEntry(value: unknown): value is OutboxEntry {
  try {
    const entry = value as OutboxEntry
    return isValidId(entry?.id) && validateFrame(toFrame(entry)).ok
  } catch {
    return false
  }
}
