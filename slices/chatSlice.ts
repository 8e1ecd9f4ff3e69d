import type { Reducer, UnknownAction } from '@reduxjs/toolkit'
import { isPrivateStream } from '../src/protocol/streams'
import { chat, connection, outbox, rooms } from './actions'
import {
  groupBy,
  idOf,
  inSeqOrder,
  lastOf,
  markFailed,
  markSent,
  NONE,
  ownMessage,
  refIdOf,
  rewriteOwn,
  TailIndex,
} from './chatArrays'
import type { ChatMessage, OutboxEntry } from './types'

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

type ChatEntry = Extract<OutboxEntry, { type: 'chat_message' }>

const isChatEntry = (entry: OutboxEntry): entry is ChatEntry => entry.type === 'chat_message'

/**
 * Applies one room's share of a burst with one array copy, however many messages it holds:
 * dedupe by seq, an own message's echo replaces its pending copy, order kept. (Replayed
 * history of an earlier epoch is filtered by id in the middleware, `middleware/streams.ts`.)
 */
function receive(
  room: RoomChat,
  incoming: readonly ChatMessage[],
  max: number,
  tails: TailIndex,
): RoomChat {
  const { messages } = room
  const start = tails.start(messages)
  // The usual burst: no own message waiting for its echo, every message next in seq order.
  // The incoming array is then the added one as it is: no copy of it, no lookups.
  if (start === messages.length && inSeqOrder(incoming, room.seq)) {
    const last = (incoming[incoming.length - 1] as ChatMessage).seq as number
    return { ...room, seq: last, messages: lastOf(max, messages, start, incoming, NONE) }
  }
  // Where the incoming ids sit in the tail (the last one of an id): one pass, no copy of it.
  let tailIndex: Map<string, number> | null = null
  if (start < messages.length) {
    const ids = new Set<string>()
    for (const message of incoming) ids.add(message.id)
    for (let i = start; i < messages.length; i++) {
      const { id } = messages[i] as ChatMessage
      if (ids.has(id)) (tailIndex ??= new Map()).set(id, i - start)
    }
  }
  const confirmedOwn = new Set<number>()
  const added: ChatMessage[] = []
  let seq = room.seq
  for (const message of incoming) {
    if (message.seq === undefined || message.seq <= seq) continue
    seq = message.seq
    // Our own pending copy only if we wrote it: ids are unique per author, not per room.
    const own = tailIndex?.get(message.id)
    if (
      own !== undefined &&
      !confirmedOwn.has(own) &&
      messages[start + own]?.userId === message.userId
    ) {
      confirmedOwn.add(own)
      added.push({ ...message, status: 'sent' })
    } else {
      added.push(message)
    }
  }
  if (added.length === 0) return seq === room.seq ? room : { ...room, seq }
  return { ...room, seq, messages: lastOf(max, messages, start, added, confirmedOwn) }
}

/**
 * Rewrites this client's unconfirmed messages named by `items` (room and id), each room copied
 * once per action however many it names, and no lookup tables: an ack of one message costs its
 * room's copy.
 */
function updateOwn<T>(
  state: ChatSliceState,
  items: readonly T[],
  roomOfItem: (item: T) => string | undefined,
  idOf: (item: T) => string,
  update: (message: ChatMessage, item: T) => ChatMessage,
  tails: TailIndex,
): ChatSliceState {
  let byRoom: Record<string, RoomChat> | null = null
  for (const item of items) {
    const name = roomOfItem(item) ?? roomHolding(state, idOf(item), tails)
    if (name === undefined || !Object.hasOwn(state.byRoom, name)) continue
    const before = state.byRoom[name] as RoomChat
    const room = byRoom ? (byRoom[name] as RoomChat) : before
    const messages = rewriteOwn(room.messages, idOf(item), item, update, room !== before, tails)
    if (messages && room === before) (byRoom ??= { ...state.byRoom })[name] = { ...room, messages }
  }
  return byRoom ? { byRoom } : state
}

/**
 * The room whose unconfirmed tail holds own message `id`: for an ack or error that names no
 * room (`room` is optional on the wire), so the message is not left pending once it is settled.
 */
function roomHolding(state: ChatSliceState, id: string, tails: TailIndex): string | undefined {
  for (const name of Object.keys(state.byRoom)) {
    if (tails.of((state.byRoom[name] as RoomChat).messages).ids.has(id)) return name
  }
  return undefined
}

/** Adds own unconfirmed messages after the confirmed ones: last, or (restored ones) first. */
function addOwn(
  state: ChatSliceState,
  own: readonly ChatMessage[],
  max: number,
  tails: TailIndex,
  first = false,
): ChatSliceState {
  let byRoom: Record<string, RoomChat> | null = null
  for (const [name, list] of groupBy(own, (m) => m.room)) {
    const room = roomOf(state, name)
    const tail = tails.of(room.messages)
    const fresh = list.filter((m) => !tail.ids.has(m.id))
    if (fresh.length === 0) continue
    // One copy at its final length, the oldest cut as it is made: copied, then pushed to, a
    // full room's array was reallocated at 1.5× its size on every send.
    const { length } = room.messages
    const messages = lastOf(max, room.messages, first ? tail.start : length, fresh, NONE)
    if (!first)
      tails.appended(room.messages, messages, length + fresh.length - messages.length, fresh)
    ;(byRoom ??= { ...state.byRoom })[name] = { ...room, messages }
  }
  return byRoom ? { byRoom } : state
}

// Made once, not per action.
const roomOfItem = (item: { room?: string }) => item.room

/** Own messages queued before the first `auth_ok` learn who wrote them. */
function stampAuthor(state: ChatSliceState, userId: string, tails: TailIndex): ChatSliceState {
  const unsigned: ChatMessage[] = []
  for (const name of Object.keys(state.byRoom)) {
    const { messages } = state.byRoom[name] as RoomChat
    for (let i = tails.start(messages); i < messages.length; i++)
      if ((messages[i] as ChatMessage).userId === undefined)
        unsigned.push(messages[i] as ChatMessage)
  }
  return updateOwn(state, unsigned, roomOfItem, idOf, (m) => ({ ...m, userId }), tails)
}

export function createChatReducer({
  maxMessagesPerRoom: max,
}: ChatSliceOptions): Reducer<ChatSliceState> {
  // A plain reducer, not Immer: with thousands of messages per room, Immer's per-element
  // finalize made each write O(room) with a large constant. Every case copies only what changes.
  const tails = new TailIndex()
  return (state: ChatSliceState = { byRoom: {} }, action: UnknownAction): ChatSliceState => {
    if (chat.messagesReceived.match(action)) {
      const changed = new Map<string, RoomChat>()
      for (const [name, incoming] of groupBy(action.payload.messages, (m) => m.room)) {
        const room = roomOf(state, name)
        const next = receive(room, incoming, max, tails)
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
      return own.length > 0 ? addOwn(state, own, max, tails, restored) : state
    }
    if (outbox.overflowed.match(action)) {
      const { entry, error } = action.payload
      return isChatEntry(entry)
        ? addOwn(state, [ownMessage(entry, 'failed', error)], max, tails)
        : state
    }
    if (connection.opened.match(action)) return stampAuthor(state, action.payload.userId, tails)
    if (outbox.acked.match(action))
      return updateOwn(state, action.payload.acks, roomOfItem, refIdOf, markSent, tails)
    if (outbox.failed.match(action))
      return updateOwn(state, action.payload.failures, roomOfItem, idOf, markFailed, tails)
    if (rooms.leaveRequested.match(action) && Object.hasOwn(state.byRoom, action.payload.room)) {
      const byRoom = { ...state.byRoom }
      delete byRoom[action.payload.room]
      return { byRoom }
    }
    return state
  }
}
