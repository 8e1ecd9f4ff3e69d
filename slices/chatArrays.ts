/** Chat's room arrays: building them in one copy (`lastOf`, `capped`) and the unconfirmed-tail index. */
import { copyOf } from './copy'
import type { ChatMessage } from './types'

/** Index where this client's unconfirmed messages (no seq) begin. */
export function tailStart(messages: readonly ChatMessage[]): number {
  let i = messages.length
  while (i > 0 && (messages[i - 1] as ChatMessage).seq === undefined) i--
  return i
}

/**
 * The last `max` of `messages[0..start)`, then `added`, then the tail `messages[start..]`
 * without the positions (from `start`) in `confirmed`, built in one array: a full room is copied
 * once per dispatch, not twice (concatenated, then cut).
 */
export function lastOf(
  max: number,
  messages: readonly ChatMessage[],
  start: number,
  added: readonly ChatMessage[],
  confirmed: ReadonlySet<number>,
): ChatMessage[] {
  const kept = messages.length - start - confirmed.size
  let skip = Math.max(0, start + added.length + kept - max)
  // Allocated at its final length: grown by push, a 1000-message room's array was reallocated
  // ~9 times per dispatch (3.3× its size in garbage, the largest allocation of ingest).
  const out = new Array<ChatMessage>(start + added.length + kept - skip)
  let at = 0
  for (let i = skip; i < start; i++) out[at++] = messages[i] as ChatMessage
  skip = Math.max(0, skip - start)
  for (let i = skip; i < added.length; i++) out[at++] = added[i] as ChatMessage
  skip = Math.max(0, skip - added.length)
  for (let i = start; i < messages.length; i++) {
    if (confirmed.has(i - start)) continue
    if (skip > 0) skip--
    else out[at++] = messages[i] as ChatMessage
  }
  return out
}

export function capped(messages: ChatMessage[], max: number): ChatMessage[] {
  return messages.length > max ? copyOf(messages, messages.length - max) : messages
}

export const NONE: ReadonlySet<number> = new Set()

/** Every message has a seq, each above the one before and the first above `after`. */
export function inSeqOrder(incoming: readonly ChatMessage[], after: number): boolean {
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
  private readonly tails = new WeakMap<readonly ChatMessage[], Tail>()

  of(messages: readonly ChatMessage[]): Tail {
    let tail = this.tails.get(messages)
    if (!tail) {
      const start = tailStart(messages)
      const ids = new Set<string>()
      for (let i = start; i < messages.length; i++) ids.add((messages[i] as ChatMessage).id)
      tail = { start, ids }
      this.tails.set(messages, tail)
    }
    return tail
  }

  start(messages: readonly ChatMessage[]): number {
    return this.tails.get(messages)?.start ?? tailStart(messages)
  }

  /** `next` is `previous` minus its first `dropped`, plus `added` at the end. */
  appended(
    previous: readonly ChatMessage[],
    next: readonly ChatMessage[],
    dropped: number,
    added: readonly ChatMessage[],
  ): void {
    const tail = this.tails.get(previous)
    if (!tail) return
    // Handed on, not copied: `previous` walks its tail again if it is ever met again.
    this.tails.delete(previous)
    for (let i = tail.start; i < Math.min(dropped, previous.length); i++)
      tail.ids.delete((previous[i] as ChatMessage).id)
    for (let i = Math.max(0, dropped - previous.length); i < added.length; i++)
      tail.ids.add((added[i] as ChatMessage).id)
    tail.start = Math.max(0, tail.start - dropped)
    this.tails.set(next, tail)
  }
}
