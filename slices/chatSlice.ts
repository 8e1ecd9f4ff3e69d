import { createReducer, type Reducer } from '@reduxjs/toolkit'
import { MessageType } from '../src/protocol/messageTypes'
import { chat, outbox, rooms } from './actions'
import type { ChatMessage, OutboxEntry, WebSocketErrorInfo } from './types'

/**
 * One room's messages: confirmed ones in seq order, then this client's own messages that have
 * no seq yet (pending, or failed) in the order they were sent.
 */
export interface RoomChat {
  messages: ChatMessage[]
  /** The stream position applied so far: the server epoch and last seq. */
  epoch: string | null
  seq: number
  /** Set when a resume was impossible and messages may have been missed. */
  gap: boolean
  /** Messages kept from an earlier epoch; their ids are checked when history is replayed. */
  legacyCount: number
}

export interface ChatSliceState {
  /** Room name → its messages. Room names are validated ids. */
  byRoom: Record<string, RoomChat>
}

export interface ChatSliceOptions {
  maxMessagesPerRoom: number
}

function roomOf(draft: ChatSliceState, room: string): RoomChat {
  const existing = Object.hasOwn(draft.byRoom, room) ? draft.byRoom[room] : undefined
  if (existing) return existing
  const created: RoomChat = { messages: [], epoch: null, seq: 0, gap: false, legacyCount: 0 }
  draft.byRoom[room] = created
  // Return the draft, not `created`: edits to a plain object added this call are lost otherwise.
  return draft.byRoom[room]
}

/** Index where this client's unconfirmed messages (no seq) begin. */
function tailStart(messages: ChatMessage[]): number {
  let i = messages.length
  while (i > 0 && (messages[i - 1] as ChatMessage).seq === undefined) i--
  return i
}

function ownMessage(
  entry: OutboxEntry,
  status: 'pending' | 'failed',
  error?: WebSocketErrorInfo,
): ChatMessage {
  return {
    id: entry.id,
    type: MessageType.CHAT_MESSAGE,
    timestamp: entry.createdAt,
    room: entry.room,
    data: entry.data,
    ...(entry.userId !== undefined ? { userId: entry.userId } : {}),
    status,
    ...(error ? { error } : {}),
  }
}

function findInTail(room: RoomChat, id: string): ChatMessage | undefined {
  for (let i = room.messages.length - 1; i >= 0; i--) {
    const message = room.messages[i] as ChatMessage
    if (message.seq !== undefined) return undefined
    if (message.id === id) return message
  }
  return undefined
}

/** Applies one room's slice of a burst: dedupe by seq (and by id against older epochs), keep order. */
function applyToRoom(room: RoomChat, incoming: ChatMessage[], max: number): void {
  const legacyIds =
    room.legacyCount > 0 ? new Set(room.messages.slice(0, room.legacyCount).map((m) => m.id)) : null
  const start = tailStart(room.messages)
  const tail = room.messages.splice(start)
  for (const message of incoming) {
    const seq = message.seq
    if (seq === undefined || seq <= room.seq) continue
    room.seq = seq
    if (legacyIds?.has(message.id)) continue
    const own = tail.findIndex((m) => m.id === message.id)
    if (own !== -1) {
      tail.splice(own, 1)
      room.messages.push({ ...message, status: 'sent' })
    } else {
      room.messages.push(message)
    }
  }
  for (const message of tail) room.messages.push(message)
  const excess = room.messages.length - max
  if (excess > 0) {
    room.messages.splice(0, excess)
    room.legacyCount = Math.max(0, room.legacyCount - excess)
  }
}

export function createChatReducer({
  maxMessagesPerRoom,
}: ChatSliceOptions): Reducer<ChatSliceState> {
  return createReducer<ChatSliceState>({ byRoom: {} }, (builder) => {
    builder
      .addCase(rooms.joined, (draft, { payload }) => {
        const room = roomOf(draft, payload.room)
        if (room.epoch !== payload.epoch) {
          // A new epoch restarts seq numbering; keep what we have and replay after it.
          room.legacyCount = tailStart(room.messages)
          room.epoch = payload.epoch
          room.seq = payload.fromSeq
        }
        if (payload.gap) room.gap = true
      })
      .addCase(chat.messagesReceived, (draft, { payload }) => {
        const byRoom = new Map<string, ChatMessage[]>()
        for (const message of payload.messages) {
          const list = byRoom.get(message.room)
          if (list) list.push(message)
          else byRoom.set(message.room, [message])
        }
        for (const [name, incoming] of byRoom) {
          applyToRoom(roomOf(draft, name), incoming, maxMessagesPerRoom)
        }
      })
      .addCase(outbox.enqueued, (draft, { payload }) => {
        roomOf(draft, payload.entry.room).messages.push(ownMessage(payload.entry, 'pending'))
      })
      .addCase(outbox.restored, (draft, { payload }) => {
        for (const entry of payload.entries) {
          const room = roomOf(draft, entry.room)
          if (!room.messages.some((m) => m.id === entry.id))
            room.messages.push(ownMessage(entry, 'pending'))
        }
      })
      .addCase(outbox.overflowed, (draft, { payload }) => {
        roomOf(draft, payload.entry.room).messages.push(
          ownMessage(payload.entry, 'failed', payload.error),
        )
      })
      .addCase(outbox.acked, (draft, { payload }) => {
        for (const ack of payload.acks) {
          if (ack.room === undefined || !Object.hasOwn(draft.byRoom, ack.room)) continue
          const message = findInTail(draft.byRoom[ack.room] as RoomChat, ack.refId)
          if (message) message.status = 'sent'
        }
      })
      .addCase(outbox.failed, (draft, { payload }) => {
        for (const failure of payload.failures) {
          if (failure.room === undefined || !Object.hasOwn(draft.byRoom, failure.room)) continue
          const message = findInTail(draft.byRoom[failure.room] as RoomChat, failure.id)
          if (message) {
            message.status = 'failed'
            message.error = failure.error
          }
        }
      })
      .addCase(rooms.leaveRequested, (draft, { payload }) => {
        delete draft.byRoom[payload.room]
      })
  })
}
