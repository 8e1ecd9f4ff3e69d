import type { Reducer, UnknownAction } from '@reduxjs/toolkit'
import { MessageType } from '../src/protocol/messageTypes'
import { isPrivateStream } from '../src/protocol/streams'
import { chat, connection, outbox, rooms, type AckInfo } from './actions'
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
}

export interface ChatSliceState {
  /** Room name → its messages. Room names are validated ids. */
  byRoom: Record<string, RoomChat>
}

export interface ChatSliceOptions {
  maxMessagesPerRoom: number
}

const EMPTY_ROOM: RoomChat = { messages: [], epoch: null, seq: 0, gap: false }

function roomOf(state: ChatSliceState, name: string): RoomChat {
  return Object.hasOwn(state.byRoom, name) ? (state.byRoom[name] as RoomChat) : EMPTY_ROOM
}

function withRooms(state: ChatSliceState, changed: Map<string, RoomChat>): ChatSliceState {
  if (changed.size === 0) return state
  const byRoom = { ...state.byRoom }
  for (const [name, room] of changed) byRoom[name] = room
  return { byRoom }
}

function groupByRoom<T>(
  items: readonly T[],
  roomOfItem: (item: T) => string | undefined,
): Map<string, T[]> {
  const groups = new Map<string, T[]>()
  for (const item of items) {
    const name = roomOfItem(item)
    if (name === undefined) continue
    const list = groups.get(name)
    if (list) list.push(item)
    else groups.set(name, [item])
  }
  return groups
}

/** Index where this client's unconfirmed messages (no seq) begin. */
function tailStart(messages: readonly ChatMessage[]): number {
  let i = messages.length
  while (i > 0 && (messages[i - 1] as ChatMessage).seq === undefined) i--
  return i
}

/** Whether this client's unconfirmed messages hold `id`: from the newest back to a confirmed one. */
function tailHas(messages: readonly ChatMessage[], id: string): boolean {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i] as ChatMessage
    if (message.seq !== undefined) return false
    if (message.id === id) return true
  }
  return false
}

type ChatEntry = Extract<OutboxEntry, { type: 'chat_message' }>

const isChatEntry = (entry: OutboxEntry): entry is ChatEntry => entry.type === 'chat_message'

function ownMessage(
  entry: ChatEntry,
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

/**
 * The last `max` of `messages[0..start)`, then `added`, then `tail`, in one new array. Native
 * copies only (spread, splice, push): an element-by-element copy of a 1,000-message room was
 * 10× slower, and `slice` or `concat` of a frozen array (state outside production) 60×.
 */
function lastOf(
  max: number,
  messages: readonly ChatMessage[],
  start: number,
  added: readonly ChatMessage[],
  tail: readonly ChatMessage[],
): ChatMessage[] {
  let skip = Math.max(0, start + added.length + tail.length - max)
  const out = [...messages]
  out.length = start
  if (skip > 0) out.splice(0, Math.min(skip, start))
  skip = Math.max(0, skip - start)
  for (let i = skip; i < added.length; i++) out.push(added[i] as ChatMessage)
  skip = Math.max(0, skip - added.length)
  for (let i = skip; i < tail.length; i++) out.push(tail[i] as ChatMessage)
  return out
}

const NO_MESSAGES: readonly ChatMessage[] = []

/**
 * Applies one room's share of a burst with one array copy, however many messages it holds:
 * dedupe by seq, an own message's echo replaces its pending copy, order kept. (Replayed
 * history of an earlier epoch is filtered by id in the middleware, `middleware/streams.ts`.)
 */
function receive(room: RoomChat, incoming: readonly ChatMessage[], max: number): RoomChat {
  const start = tailStart(room.messages)
  const tail = room.messages.slice(start)
  const tailIndex = tail.length > 0 ? new Map(tail.map((m, i) => [m.id, i])) : null
  const confirmedOwn = new Set<number>()
  const added: ChatMessage[] = []
  let seq = room.seq
  for (const message of incoming) {
    if (message.seq === undefined || message.seq <= seq) continue
    seq = message.seq
    // Our own pending copy only if we wrote it: ids are unique per author, not per room.
    const own = tailIndex?.get(message.id)
    if (own !== undefined && !confirmedOwn.has(own) && tail[own]?.userId === message.userId) {
      confirmedOwn.add(own)
      added.push({ ...message, status: 'sent' })
    } else {
      added.push(message)
    }
  }
  if (added.length === 0) return seq === room.seq ? room : { ...room, seq }
  const keptTail = confirmedOwn.size > 0 ? tail.filter((_, i) => !confirmedOwn.has(i)) : tail
  return { ...room, seq, messages: lastOf(max, room.messages, start, added, keptTail) }
}

/** Rewrites this client's unconfirmed messages named by id, in one copy per room. */
function updateOwn(
  state: ChatSliceState,
  updates: ReadonlyMap<string, ReadonlyMap<string, (message: ChatMessage) => ChatMessage>>,
): ChatSliceState {
  const changed = new Map<string, RoomChat>()
  for (const [name, byId] of updates) {
    if (!Object.hasOwn(state.byRoom, name)) continue
    const room = state.byRoom[name] as RoomChat
    let messages: ChatMessage[] | null = null
    // From the newest back, to the first confirmed message, and no further once every id was
    // found (a tail id is there once, see addOwn): an ack names the newest, usually. A tail of
    // acked but never echoed messages made this a lookup per message per ack.
    let left = byId.size
    for (let i = room.messages.length - 1; i >= 0 && left > 0; i--) {
      const message = room.messages[i] as ChatMessage
      if (message.seq !== undefined) break
      const update = byId.get(message.id)
      if (!update) continue
      left -= 1
      // A spread, not `slice`: the array is frozen outside production, and slice is slow then.
      messages ??= [...room.messages]
      messages[i] = update(message)
    }
    if (messages) changed.set(name, { ...room, messages })
  }
  return withRooms(state, changed)
}

/** Adds own unconfirmed messages after the confirmed ones: last, or (restored ones) first. */
function addOwn(
  state: ChatSliceState,
  own: readonly ChatMessage[],
  max: number,
  where: 'last' | 'first' = 'last',
): ChatSliceState {
  const changed = new Map<string, RoomChat>()
  for (const [name, list] of groupByRoom(own, (m) => m.room)) {
    const room = roomOf(state, name)
    // Usually one new message: a scan of the tail, not a Set of it built per message.
    const tailIds =
      list.length > 8
        ? new Set(room.messages.slice(tailStart(room.messages)).map((m) => m.id))
        : undefined
    const fresh = list.filter((m) => !(tailIds ? tailIds.has(m.id) : tailHas(room.messages, m.id)))
    if (fresh.length === 0) continue
    // One copy of the room (concatenated, then capped, it was two per message sent).
    const start = where === 'last' ? room.messages.length : tailStart(room.messages)
    const tail = where === 'last' ? NO_MESSAGES : room.messages.slice(start)
    changed.set(name, { ...room, messages: lastOf(max, room.messages, start, fresh, tail) })
  }
  return withRooms(state, changed)
}

/** Own messages queued before the first `auth_ok` learn who wrote them. */
function stampAuthor(state: ChatSliceState, userId: string): ChatSliceState {
  const updates = new Map<string, Map<string, (m: ChatMessage) => ChatMessage>>()
  for (const [name, room] of Object.entries(state.byRoom)) {
    const unsigned = room.messages
      .slice(tailStart(room.messages))
      .filter((m) => m.userId === undefined)
    if (unsigned.length > 0)
      updates.set(
        name,
        new Map(unsigned.map((m) => [m.id, (x: ChatMessage) => ({ ...x, userId })])),
      )
  }
  return updates.size > 0 ? updateOwn(state, updates) : state
}

function ackUpdates(acks: readonly AckInfo[]) {
  const markSent = (message: ChatMessage): ChatMessage => ({ ...message, status: 'sent' })
  const updates = new Map<string, Map<string, typeof markSent>>()
  for (const [name, list] of groupByRoom(acks, (a) => a.room)) {
    updates.set(name, new Map(list.map((a) => [a.refId, markSent])))
  }
  return updates
}

export function createChatReducer({
  maxMessagesPerRoom: max,
}: ChatSliceOptions): Reducer<ChatSliceState> {
  // A plain reducer, not Immer: with thousands of messages per room, Immer's per-element
  // finalize made each write O(room) with a large constant. Every case copies only what changes.
  return (state: ChatSliceState = { byRoom: {} }, action: UnknownAction): ChatSliceState => {
    if (chat.messagesReceived.match(action)) {
      const changed = new Map<string, RoomChat>()
      for (const [name, incoming] of groupByRoom(action.payload.messages, (m) => m.room)) {
        const room = roomOf(state, name)
        const next = receive(room, incoming, max)
        if (next !== room) changed.set(name, next)
      }
      return withRooms(state, changed)
    }
    if (rooms.joined.match(action)) {
      const { room: name, epoch, fromSeq, gap } = action.payload
      if (isPrivateStream(name)) return state
      const room = roomOf(state, name)
      // A new epoch restarts seq numbering: keep what we have and apply the replay after it.
      const reset = room.epoch !== epoch
      if (!reset && (!gap || room.gap) && Object.hasOwn(state.byRoom, name)) return state
      const next: RoomChat = reset
        ? { ...room, epoch, seq: fromSeq, gap: room.gap || gap }
        : { ...room, gap: true }
      return withRooms(state, new Map([[name, next]]))
    }
    if (outbox.enqueued.match(action) || outbox.restored.match(action)) {
      const restored = outbox.restored.match(action)
      const entries = restored ? action.payload.entries : [action.payload.entry]
      const own = entries.filter(isChatEntry).map((e) => ownMessage(e, 'pending'))
      // Restored messages were written before anything queued since the reload.
      return own.length > 0 ? addOwn(state, own, max, restored ? 'first' : 'last') : state
    }
    if (outbox.overflowed.match(action)) {
      const { entry, error } = action.payload
      return isChatEntry(entry) ? addOwn(state, [ownMessage(entry, 'failed', error)], max) : state
    }
    if (connection.opened.match(action)) return stampAuthor(state, action.payload.userId)
    if (outbox.acked.match(action)) return updateOwn(state, ackUpdates(action.payload.acks))
    if (outbox.failed.match(action)) {
      const updates = new Map<string, Map<string, (m: ChatMessage) => ChatMessage>>()
      for (const [name, list] of groupByRoom(action.payload.failures, (f) => f.room)) {
        updates.set(
          name,
          new Map(
            list.map((f) => [
              f.id,
              (m: ChatMessage) => ({ ...m, status: 'failed' as const, error: f.error }),
            ]),
          ),
        )
      }
      return updateOwn(state, updates)
    }
    if (rooms.leaveRequested.match(action) && Object.hasOwn(state.byRoom, action.payload.room)) {
      const byRoom = { ...state.byRoom }
      delete byRoom[action.payload.room]
      return { byRoom }
    }
    return state
  }
}
