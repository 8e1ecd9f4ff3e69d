import type { Reducer, UnknownAction } from '@reduxjs/toolkit'
import { isPrivateStream } from '../src/protocol/streams'
import { chat, connection, outbox } from './actions'
import {
  groupBy,
  idOf,
  lastOf,
  markFailed,
  markSent,
  NONE,
  ownMessage,
  refIdOf,
  rewriteOwn,
  TailIndex,
} from './chatArrays'
import type { DirectMessage, OutboxEntry } from './types'

/**
 * Direct messages by conversation partner: confirmed ones in the order of this user's private
 * stream (its seq), then own unconfirmed ones. `generatePrivateRoomId(me, peer)` names each
 * conversation (`selectConversations`).
 */
export interface DirectSliceState {
  /** Who this client is (from `auth_ok`), to tell the peer of an incoming message. */
  self: string | null
  byPeer: Record<string, DirectMessage[]>
}

type DirectEntry = Extract<OutboxEntry, { type: 'direct_message' }>
const isDirectEntry = (entry: OutboxEntry): entry is DirectEntry => entry.type === 'direct_message'

/** Author and id of a conversation's confirmed messages: ids are unique per author only. */
type Keys = Set<string>

const EMPTY: DirectMessage[] = []

const keyOf = (author: string | null | undefined, id: string) => `${author ?? ''}\u0000${id}`

/**
 * An ack or failure that names a room settles a message of that room: a direct message's ack
 * names the sender's private stream (`user:<id>`), its failure no room. Only the others can
 * settle a DM, so a chat round trip's ack walks no conversation.
 */
const mayBeDirect = (item: { room?: string }) =>
  item.room === undefined || isPrivateStream(item.room)

export function createDirectReducer({
  maxMessagesPerRoom: max,
}: {
  maxMessagesPerRoom: number
}): Reducer<DirectSliceState> {
  // As the chat slice does (chatSlice.ts): a plain reducer, each conversation rewritten at most
  // once per action, in one array of its final length. Per conversation array, remembered and
  // handed on to the array that replaces it: its unconfirmed tail (`tails`) and the author+id of
  // its confirmed messages (`known`), so a burst costs its own size, not the conversation's. An
  // array met without them (another state, a replay) is walked once.
  const tails = new TailIndex()
  const known = new WeakMap<readonly DirectMessage[], Keys>()

  /** `next` replaces `list` as `peer`'s conversation, and takes over its keys. */
  function put(
    byPeer: Record<string, DirectMessage[]> | null,
    state: DirectSliceState,
    peer: string,
    list: DirectMessage[],
    next: DirectMessage[],
  ): Record<string, DirectMessage[]> {
    const keys = known.get(list)
    if (keys) {
      known.delete(list)
      known.set(next, keys)
    }
    const copy = byPeer ?? { ...state.byPeer }
    copy[peer] = next
    return copy
  }

  /**
   * Messages in, each conversation rewritten once. Received ones (`own` false) go after the
   * confirmed ones when new by author+id (repeats within the burst too), an own message's echo
   * replacing its pending copy; own unconfirmed ones not already there (pending, or confirmed:
   * a restored message whose echo came before the reload) go last, or (restored ones, `first`)
   * before the pending ones.
   */
  function add(
    state: DirectSliceState,
    messages: readonly DirectMessage[],
    own: boolean,
    first = false,
  ): DirectSliceState {
    const { self } = state
    let byPeer: Record<string, DirectMessage[]> | null = null
    // An incoming message goes under its sender, an own one (from another device too) under data.to.
    const groups = groupBy(messages, (m) =>
      own || (m.userId ?? self) === self ? m.data.to : m.userId,
    )
    for (const [peer, group] of groups) {
      const list = Object.hasOwn(state.byPeer, peer)
        ? (state.byPeer[peer] as DirectMessage[])
        : EMPTY
      const tail = tails.of(list)
      let keys = known.get(list)
      if (!keys) {
        keys = new Set()
        for (let i = 0; i < tail.start; i++) {
          const m = list[i] as DirectMessage
          keys.add(keyOf(m.userId, m.id))
        }
        known.set(list, keys)
      }
      const fresh: DirectMessage[] = []
      let echoed: Set<number> | null = null
      for (let m of group) {
        const key = keyOf(m.userId ?? (own ? self : ''), m.id)
        if (keys.has(key) || (own && tail.ids.has(m.id))) continue
        if (!own) {
          keys.add(key)
          let at = list.length
          if (m.userId === self && tail.ids.has(m.id))
            while (--at >= tail.start && (list[at] as DirectMessage).id !== m.id);
          if (at >= tail.start && at < list.length) {
            // Its pending copy goes (a tail id is there once); the echo shows as sent.
            ;(echoed ??= new Set()).add(at - tail.start)
            m = { ...m, status: 'sent' }
          }
        }
        fresh.push(m)
      }
      if (fresh.length === 0) continue
      const last = own && !first
      const next = lastOf(max, list, last ? list.length : tail.start, fresh, echoed ?? NONE)
      const dropped = list.length + fresh.length - (echoed?.size ?? 0) - next.length
      if (last) tails.appended(list, next, dropped, fresh)
      // What the cap cut is forgotten: confirmed ones, then (received) the burst's first.
      // (Own ones have no key: forgetting theirs forgets nothing.)
      for (let i = 0; i < dropped; i++) {
        const m = i < tail.start ? list[i] : fresh[i - tail.start]
        if (m) keys.delete(keyOf(m.userId, m.id))
      }
      byPeer = put(byPeer, state, peer, list, next)
    }
    return byPeer ? { ...state, byPeer } : state
  }

  /**
   * Rewrites the own unconfirmed messages named by `items`, each conversation copied once. An
   * action that names none of them (a chat ack: the usual round trip) allocates nothing, and
   * one whose items all name a room (chat acks and failures) walks nothing.
   */
  function updateOwn<T extends { room?: string }>(
    state: DirectSliceState,
    items: readonly T[],
    idOfItem: (item: T) => string,
    update: (m: DirectMessage, item: T) => DirectMessage,
  ): DirectSliceState {
    if (!items.some(mayBeDirect)) return state
    let byPeer: Record<string, DirectMessage[]> | null = null
    for (const peer in state.byPeer) {
      const list = state.byPeer[peer] as DirectMessage[]
      let next = list
      for (const item of items) {
        if (!mayBeDirect(item)) continue
        next = rewriteOwn(next, idOfItem(item), item, update, next !== list, tails) ?? next
      }
      if (next !== list) byPeer = put(byPeer, state, peer, list, next)
    }
    return byPeer ? { ...state, byPeer } : state
  }

  return (
    state: DirectSliceState = { self: null, byPeer: {} },
    action: UnknownAction,
  ): DirectSliceState => {
    if (connection.opened.match(action)) {
      return state.self === action.payload.userId
        ? state
        : { ...state, self: action.payload.userId }
    }
    if (chat.directMessagesReceived.match(action)) return add(state, action.payload.messages, false)
    if (outbox.enqueued.match(action) || outbox.overflowed.match(action)) {
      const { entry } = action.payload
      if (!isDirectEntry(entry)) return state
      const error = outbox.overflowed.match(action) ? action.payload.error : undefined
      return add(state, [ownMessage(entry, error ? 'failed' : 'pending', error)], true)
    }
    if (outbox.restored.match(action)) {
      // Restored messages were written before anything queued since the reload: they go first.
      const entries = action.payload.entries.filter(isDirectEntry)
      return add(
        state,
        entries.map((e) => ownMessage(e, 'pending')),
        true,
        true,
      )
    }
    if (outbox.acked.match(action)) return updateOwn(state, action.payload.acks, refIdOf, markSent)
    if (outbox.failed.match(action))
      return updateOwn(state, action.payload.failures, idOf, markFailed)
    return state
  }
}
