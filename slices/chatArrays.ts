/**
 * Message arrays (chat rooms, direct conversations): building them in one copy (`lastOf`), own
 * messages and their updates, and the unconfirmed-tail index.
 */
import { copyOf } from './copy'
import type {
  ChatMessage,
  DirectMessage,
  MessageStatus,
  OutboxEntry,
  WebSocketErrorInfo,
} from './types'

/** What the helpers read of a message: its id, and its seq once confirmed. */
interface Message {
  id: string
  seq?: number
}

/** Index where this client's unconfirmed messages (no seq) begin. */
export function tailStart(messages: readonly Message[]): number {
  let i = messages.length
  while (i > 0 && (messages[i - 1] as Message).seq === undefined) i--
  return i
}

/**
 * The last `max` of `messages[0..start)`, then `added`, then the tail `messages[start..]`
 * without the positions (from `start`) in `confirmed`, built in one array: a full room is copied
 * once per dispatch, not twice (concatenated, then cut).
 */
export function lastOf<M>(
  max: number,
  messages: readonly M[],
  start: number,
  added: readonly M[],
  confirmed: ReadonlySet<number>,
): M[] {
  const kept = messages.length - start - confirmed.size
  let skip = Math.max(0, start + added.length + kept - max)
  // Allocated at its final length: grown by push, a 1000-message room's array was reallocated
  // ~9 times per dispatch (3.3× its size in garbage, the largest allocation of ingest).
  const out = new Array<M>(start + added.length + kept - skip)
  let at = 0
  for (let i = skip; i < start; i++) out[at++] = messages[i] as M
  skip = Math.max(0, skip - start)
  for (let i = skip; i < added.length; i++) out[at++] = added[i] as M
  skip = Math.max(0, skip - added.length)
  for (let i = start; i < messages.length; i++) {
    if (confirmed.has(i - start)) continue
    if (skip > 0) skip--
    else out[at++] = messages[i] as M
  }
  return out
}

export const NONE: ReadonlySet<number> = new Set()

const NO_MESSAGES: readonly Message[] = []

type ChatEntry = Extract<OutboxEntry, { type: 'chat_message' }>
type DirectEntry = Extract<OutboxEntry, { type: 'direct_message' }>

/** One of this client's own messages as state shows it until its echo: no seq. */
export function ownMessage(
  entry: ChatEntry,
  status: 'pending' | 'failed',
  error?: WebSocketErrorInfo,
): ChatMessage
export function ownMessage(
  entry: DirectEntry,
  status: 'pending' | 'failed',
  error?: WebSocketErrorInfo,
): DirectMessage
export function ownMessage(
  entry: ChatEntry | DirectEntry,
  status: 'pending' | 'failed',
  error?: WebSocketErrorInfo,
): ChatMessage | DirectMessage {
  return {
    id: entry.id,
    type: entry.type,
    timestamp: entry.createdAt,
    ...('room' in entry ? { room: entry.room } : {}),
    data: entry.data,
    ...(entry.userId !== undefined ? { userId: entry.userId } : {}),
    status,
    ...(error ? { error } : {}),
  } as ChatMessage | DirectMessage
}

// What acks and failures name and do, made once (not per action: no closure per round trip).
export const refIdOf = (ack: { refId: string }): string => ack.refId
export const idOf = (item: { id: string }): string => item.id
type Own = Message & { status?: MessageStatus; error?: WebSocketErrorInfo }
export const markSent = <M extends Own>(message: M): M => ({ ...message, status: 'sent' })
export const markFailed = <M extends Own>(
  message: M,
  failure: { error: WebSocketErrorInfo },
): M => ({
  ...message,
  status: 'failed',
  error: failure.error,
})

/** Items by a key of theirs (items without one left out), each group in the items' order. */
export function groupBy<T>(
  items: readonly T[],
  keyOf: (item: T) => string | undefined,
): Map<string, T[]> {
  const groups = new Map<string, T[]>()
  for (const item of items) {
    const key = keyOf(item)
    if (key === undefined) continue
    const list = groups.get(key)
    if (list) list.push(item)
    else groups.set(key, [item])
  }
  return groups
}

/**
 * `list` with its unconfirmed message `id` rewritten by `update`: in `list` itself when `owned`
 * (a copy made for this action), else in a copy that takes over its tail index. Null when the
 * tail does not hold the id. No lookup table per action: the tail's ids say whether it is
 * there, and the walk goes from the newest back (an ack names the newest, usually; a tail id is
 * there once), so an ack of one message costs its array's copy and nothing else.
 */
export function rewriteOwn<M extends Message, T>(
  list: M[],
  id: string,
  item: T,
  update: (message: M, item: T) => M,
  owned: boolean,
  tails: TailIndex,
): M[] | null {
  const tail = tails.of(list)
  if (!tail.ids.has(id)) return null
  const next = owned ? list : copyOf(list)
  for (let i = next.length - 1; i >= tail.start; i--) {
    const message = next[i] as M
    if (message.id !== id) continue
    next[i] = update(message, item)
    break
  }
  // Same ids, none confirmed: the same tail.
  if (!owned) tails.appended(list, next, 0, NO_MESSAGES)
  return next
}

/** Every message has a seq, each above the one before and the first above `after`. */
export function inSeqOrder(incoming: readonly Message[], after: number): boolean {
  let seq = after
  for (const message of incoming) {
    if (message.seq === undefined || message.seq <= seq) return false
    seq = message.seq
  }
  return incoming.length > 0
}

/** A room array's unconfirmed tail: where it starts and the ids in it. */
export interface Tail {
  start: number
  ids: Set<string>
}

/**
 * The unconfirmed tail of room arrays, remembered per array (arrays in state never change, so
 * neither does their tail). Sending appends to the tail once per message: with the index handed
 * on from each array to the next, that costs O(1), not a walk of a tail that holds every
 * message still waiting for its ack. An array met without an entry (another state, a replay)
 * is walked once.
 */
export class TailIndex {
  private readonly tails = new WeakMap<readonly Message[], Tail>()

  of(messages: readonly Message[]): Tail {
    let tail = this.tails.get(messages)
    if (!tail) {
      const start = tailStart(messages)
      const ids = new Set<string>()
      for (let i = start; i < messages.length; i++) ids.add((messages[i] as Message).id)
      tail = { start, ids }
      this.tails.set(messages, tail)
    }
    return tail
  }

  start(messages: readonly Message[]): number {
    return this.tails.get(messages)?.start ?? tailStart(messages)
  }

  /** `next` is `previous` minus its first `dropped`, plus `added` at the end. */
  appended(
    previous: readonly Message[],
    next: readonly Message[],
    dropped: number,
    added: readonly Message[],
  ): void {
    const tail = this.tails.get(previous)
    if (!tail) return
    // Handed on, not copied: `previous` walks its tail again if it is ever met again.
    this.tails.delete(previous)
    for (let i = tail.start; i < Math.min(dropped, previous.length); i++)
      tail.ids.delete((previous[i] as Message).id)
    for (let i = Math.max(0, dropped - previous.length); i < added.length; i++)
      tail.ids.add((added[i] as Message).id)
    tail.start = Math.max(0, tail.start - dropped)
    this.tails.set(next, tail)
  }
}
