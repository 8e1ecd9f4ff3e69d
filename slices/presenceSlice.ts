import { createReducer, type Reducer } from '@reduxjs/toolkit'
import type { PresenceEntry } from '../src/protocol/frames'
import { presence } from './actions'

export type UserPresence = Omit<PresenceEntry, 'userId'>

export interface PresenceSliceState {
  /** User id → presence, for room co-members, followed users and this user. */
  users: Record<string, UserPresence>
  /** Users followed with `subscribeToUser`. */
  subscriptions: string[]
}

function entry({ userId: _userId, ...rest }: PresenceEntry): UserPresence {
  return rest
}

export const presenceReducer: Reducer<PresenceSliceState> = createReducer<PresenceSliceState>(
  { users: {}, subscriptions: [] },
  (builder) => {
    builder
      .addCase(presence.synced, (draft, { payload }) => {
        draft.users = Object.fromEntries(payload.users.map((u) => [u.userId, entry(u)]))
      })
      .addCase(presence.changed, (draft, { payload }) => {
        for (const user of payload.users) draft.users[user.userId] = entry(user)
        // No longer seen: a last status kept here would go stale.
        for (const userId of payload.removed ?? []) delete draft.users[userId]
      })
      .addCase(presence.userOnline, (draft, { payload: { at: _at, ...user } }) => {
        draft.users[user.userId] = entry(user)
      })
      .addCase(presence.userOffline, (draft, { payload: { at: _at, ...user } }) => {
        draft.users[user.userId] = entry({ ...user, status: 'offline' })
      })
      .addCase(presence.subscribed, (draft, { payload }) => {
        if (!draft.subscriptions.includes(payload.userId)) draft.subscriptions.push(payload.userId)
      })
      .addCase(presence.unsubscribed, (draft, { payload }) => {
        draft.subscriptions = draft.subscriptions.filter((u) => u !== payload.userId)
      })
  },
)
