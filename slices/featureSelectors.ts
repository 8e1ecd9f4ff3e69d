import { createSelector } from '@reduxjs/toolkit'
import type { EventData } from '../src/protocol/frames'
import { generatePrivateRoomId } from '../src/protocol/streams'
import type { RealtimeState } from './realtimeReducer'
import { own } from './records'
import type { ReadPosition } from './receiptsSlice'
import type { UserPresence } from './presenceSlice'
import { createRoomMembersSelector } from './roomMembers'
import type { ChatMessage, DirectMessage } from './types'
import { devText } from '../src/dev'

const NONE: readonly never[] = Object.freeze([])
const NO_RECEIPTS: Readonly<Record<string, ReadPosition>> = Object.freeze({})

/** Unread messages of a room: by others, after this user's own receipt. Cached per messages array. */
const unreadCache = new WeakMap<
  readonly ChatMessage[],
  { self: string | null; seq: number; count: number }
>()
function countUnread(
  messages: readonly ChatMessage[],
  self: string | null,
  readSeq: number,
): number {
  const cached = unreadCache.get(messages)
  if (cached && cached.self === self && cached.seq === readSeq) return cached.count
  let count = 0
  for (const m of messages) if (m.seq !== undefined && m.seq > readSeq && m.userId !== self) count++
  unreadCache.set(messages, { self, seq: readSeq, count })
  return count
}

/**
 * Selectors for direct messages, typing, receipts, presence, notifications and events.
 * `selectUpcomingEvents(state, now)` takes the time as an argument: a selector that read the
 * clock would not be pure. Pass `Date.now()` rounded (say, to the minute) so its memo hits.
 */
/** `selectUpcomingEvents` without a time would silently select nothing: say so instead. */
function requireNow(_root: unknown, now: number): number {
  if (typeof now !== 'number' || !Number.isFinite(now)) {
    throw new TypeError(
      `selectUpcomingEvents(state, now): pass the time in epoch ms${devText(() => (process.env.NODE_ENV !== 'production' ? ', e.g. Math.floor(Date.now() / 60_000) * 60_000' : ''))}; got ${String(now)}`,
    )
  }
  return now
}

export function createFeatureSelectors(selectRealtime: (root: unknown) => RealtimeState) {
  const selectSelf = (root: unknown) => selectRealtime(root).connection.info.userId ?? null

  const selectDirectMessages = (root: unknown, otherUserId: string): readonly DirectMessage[] =>
    own(selectRealtime(root).direct.byPeer, otherUserId) ?? NONE
  const selectConversations = createSelector(
    [(root: unknown) => selectRealtime(root).direct, selectSelf],
    (direct, self) =>
      Object.entries(direct.byPeer).map(([peer, messages]) => ({
        id: generatePrivateRoomId(self ?? direct.self ?? '', peer),
        peer,
        lastMessage: messages[messages.length - 1],
      })),
  )

  const selectTypingUsers = (root: unknown, room: string): readonly string[] =>
    own(selectRealtime(root).typing, room) ?? NONE

  const selectReadReceipts = (
    root: unknown,
    room: string,
  ): Readonly<Record<string, ReadPosition>> =>
    own(selectRealtime(root).receipts, room) ?? NO_RECEIPTS
  const selectRoomUnreadCount = (root: unknown, room: string): number => {
    const state = selectRealtime(root)
    const messages = own(state.chat.byRoom, room)?.messages ?? NONE
    const self = state.connection.info.userId ?? null
    const readSeq = self === null ? 0 : (own(own(state.receipts, room) ?? {}, self)?.seq ?? 0)
    return countUnread(messages, self, readSeq)
  }

  const selectPresence = (root: unknown) => selectRealtime(root).presence
  const selectOnlineUsers = createSelector([selectPresence], (presence): string[] =>
    Object.keys(presence.users).filter((id) => presence.users[id]?.status !== 'offline'),
  )
  const selectUserStatus = (root: unknown, userId: string): UserPresence | undefined =>
    own(selectPresence(root).users, userId)
  const selectPresenceSubscriptions = (root: unknown) => selectPresence(root).subscriptions
  const selectRoomMembers = createRoomMembersSelector(selectRealtime)

  const selectNotifications = (root: unknown) => selectRealtime(root).notifications.items
  const selectUnreadCount = createSelector(
    [selectNotifications],
    (items) => items.filter((n) => !n.read).length,
  )

  const selectEventsState = (root: unknown) => selectRealtime(root).events
  const selectEventById = (root: unknown, id: string): EventData | undefined =>
    own(selectEventsState(root).byId, id)
  const selectUpcomingEvents = createSelector(
    [(root: unknown) => selectEventsState(root).byId, requireNow],
    (byId, now): EventData[] =>
      Object.values(byId)
        .filter((e) => e.status !== 'cancelled' && (e.endsAt ?? e.startsAt) >= now)
        .sort((a, b) => a.startsAt - b.startsAt),
  )
  const selectIsSubscribedToEvents = (root: unknown) => selectEventsState(root).subscribed

  return {
    selectDirectMessages,
    selectConversations,
    selectTypingUsers,
    selectReadReceipts,
    selectRoomUnreadCount,
    selectOnlineUsers,
    selectUserStatus,
    selectPresenceSubscriptions,
    selectRoomMembers,
    selectNotifications,
    selectUnreadCount,
    selectUpcomingEvents,
    selectEventById,
    selectIsSubscribedToEvents,
  }
}
