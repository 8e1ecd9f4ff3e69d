import type { Reducer, UnknownAction } from '@reduxjs/toolkit'
import { MessageType } from '../src/protocol/messageTypes'
import { chat, connection, outbox } from './actions'
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

function own(
  entry: DirectEntry,
  status: 'pending' | 'failed',
  error?: DirectMessage['error'],
): DirectMessage {
  return {
    id: entry.id,
    type: MessageType.DIRECT_MESSAGE,
    timestamp: entry.createdAt,
    data: entry.data,
    ...(entry.userId !== undefined ? { userId: entry.userId } : {}),
    status,
    ...(error ? { error } : {}),
  }
}

const authorAndId = (m: DirectMessage) => `${m.userId ?? ''}\u0000${m.id}`

function peerOf(message: DirectMessage, self: string | null): string {
  return message.userId === undefined || message.userId === self ? message.data.to : message.userId
}

/** Rewrites the conversations that change, once each. */
function update(
  state: DirectSliceState,
  changes: Map<string, (list: DirectMessage[]) => DirectMessage[]>,
): DirectSliceState {
  if (changes.size === 0) return state
  const byPeer = { ...state.byPeer }
  for (const [peer, change] of changes)
    byPeer[peer] = change(Object.hasOwn(byPeer, peer) ? (byPeer[peer] as DirectMessage[]) : [])
  return { ...state, byPeer }
}

function cap(list: DirectMessage[], max: number): DirectMessage[] {
  return list.length > max ? list.slice(list.length - max) : list
}

/** Applies changes to own messages wherever they are, by id. */
function updateOwn(
  state: DirectSliceState,
  byId: Map<string, (m: DirectMessage) => DirectMessage>,
): DirectSliceState {
  const changes = new Map<string, (list: DirectMessage[]) => DirectMessage[]>()
  for (const [peer, list] of Object.entries(state.byPeer)) {
    if (list.some((m) => m.seq === undefined && byId.has(m.id))) {
      changes.set(peer, (l) => l.map((m) => (m.seq === undefined ? (byId.get(m.id)?.(m) ?? m) : m)))
    }
  }
  return update(state, changes)
}

export function createDirectReducer({
  maxMessagesPerRoom: max,
}: {
  maxMessagesPerRoom: number
}): Reducer<DirectSliceState> {
  return (
    state: DirectSliceState = { self: null, byPeer: {} },
    action: UnknownAction,
  ): DirectSliceState => {
    if (connection.opened.match(action)) {
      return state.self === action.payload.userId
        ? state
        : { ...state, self: action.payload.userId }
    }
    if (chat.directMessagesReceived.match(action)) {
      const incoming = new Map<string, DirectMessage[]>()
      for (const message of action.payload.messages) {
        const peer = peerOf(message, state.self)
        incoming.set(peer, [...(incoming.get(peer) ?? []), message])
      }
      const changes = new Map<string, (list: DirectMessage[]) => DirectMessage[]>()
      for (const [peer, messages] of incoming) {
        changes.set(peer, (list) => {
          const confirmed = list.filter((m) => m.seq !== undefined)
          // Ids are unique per author: another user's message never collapses into ours.
          const known = new Set(confirmed.map(authorAndId))
          // Repeats within the burst count as known too.
          const fresh = messages.filter(
            (m) => !known.has(authorAndId(m)) && Boolean(known.add(authorAndId(m))),
          )
          const mine = new Set(fresh.filter((m) => m.userId === state.self).map((m) => m.id))
          const pending = list.filter((m) => m.seq === undefined && !mine.has(m.id))
          const wasPending = new Set(list.filter((m) => m.seq === undefined).map((m) => m.id))
          const added = fresh.map((m) =>
            mine.has(m.id) && wasPending.has(m.id) ? { ...m, status: 'sent' as const } : m,
          )
          return cap([...confirmed, ...added, ...pending], max)
        })
      }
      return update(state, changes)
    }
    if (
      outbox.enqueued.match(action) ||
      outbox.restored.match(action) ||
      outbox.overflowed.match(action)
    ) {
      const entries = 'entries' in action.payload ? action.payload.entries : [action.payload.entry]
      const error = outbox.overflowed.match(action) ? action.payload.error : undefined
      const byPeer = new Map<string, DirectMessage[]>()
      for (const entry of entries.filter(isDirectEntry)) {
        const list = byPeer.get(entry.data.to) ?? []
        list.push(own(entry, error ? 'failed' : 'pending', error))
        byPeer.set(entry.data.to, list)
      }
      // Restored messages were written before anything queued since the reload: they go first.
      const first = outbox.restored.match(action)
      const changes = new Map<string, (list: DirectMessage[]) => DirectMessage[]>()
      for (const [peer, added] of byPeer) {
        changes.set(peer, (list) => {
          const known = new Set(list.map((m) => m.id))
          const fresh = added.filter((m) => !known.has(m.id))
          if (fresh.length === 0) return list
          if (!first) return cap([...list, ...fresh], max)
          const confirmed = list.filter((m) => m.seq !== undefined)
          const pending = list.filter((m) => m.seq === undefined)
          return cap([...confirmed, ...fresh, ...pending], max)
        })
      }
      return update(state, changes)
    }
    if (outbox.acked.match(action)) {
      const sent = (m: DirectMessage): DirectMessage => ({ ...m, status: 'sent' })
      return updateOwn(state, new Map(action.payload.acks.map((a) => [a.refId, sent])))
    }
    if (outbox.failed.match(action)) {
      return updateOwn(
        state,
        new Map(
          action.payload.failures.map((f) => [
            f.id,
            (m: DirectMessage) => ({ ...m, status: 'failed' as const, error: f.error }),
          ]),
        ),
      )
    }
    return state
  }
}
