import { describe, expect, it } from 'vitest'
import { presence } from '../../../slices/actions'
import { presenceReducer } from '../../../slices/presenceSlice'
import { T0, reduce } from './fixtures'

describe('presence reducer', () => {
  it('replaces everything it knew with a snapshot', () => {
    const state = reduce(presenceReducer, [
      presence.synced({ users: [{ userId: 'bob', status: 'online' }], at: T0 }),
      presence.synced({
        users: [
          { userId: 'carol', status: 'away', customStatus: 'lunch' },
          { userId: 'dave', status: 'offline', lastSeen: T0 - 1 },
        ],
        at: T0,
      }),
    ])
    expect(state.users).toEqual({
      carol: { status: 'away', customStatus: 'lunch' },
      dave: { status: 'offline', lastSeen: T0 - 1 },
    })
  })

  it('upserts the users of a diff and leaves the others', () => {
    const state = reduce(presenceReducer, [
      presence.synced({
        users: [
          { userId: 'bob', status: 'online' },
          { userId: 'carol', status: 'online' },
        ],
        at: T0,
      }),
      presence.changed({
        users: [
          { userId: 'bob', status: 'busy', customStatus: 'in a call' },
          { userId: 'erin', status: 'away' },
        ],
        at: T0,
      }),
    ])
    expect(state.users).toEqual({
      bob: { status: 'busy', customStatus: 'in a call' },
      carol: { status: 'online' },
      erin: { status: 'away' },
    })
  })

  it('forgets the users a diff removed (no longer seen), keeping the others', () => {
    const state = reduce(presenceReducer, [
      presence.synced({
        users: [
          { userId: 'bob', status: 'online' },
          { userId: 'carol', status: 'away' },
        ],
        at: T0,
      }),
      presence.changed({ users: [], removed: ['bob', 'nobody'], at: T0 }),
    ])
    expect(state.users).toEqual({ carol: { status: 'away' } })
  })

  it('records user_online as the user says and user_offline as offline with lastSeen', () => {
    const state = reduce(presenceReducer, [
      presence.userOnline({ userId: 'bob', status: 'away', at: T0 }),
      presence.userOnline({ userId: 'carol', status: 'online', at: T0 }),
      presence.userOffline({ userId: 'carol', status: 'online', lastSeen: T0 + 1, at: T0 + 1 }),
    ])
    expect(state.users).toEqual({
      bob: { status: 'away' },
      carol: { status: 'offline', lastSeen: T0 + 1 },
    })
  })

  it('lists followed users once each, and forgets them on unsubscribe', () => {
    const state = reduce(presenceReducer, [
      presence.subscribed({ userId: 'bob' }),
      presence.subscribed({ userId: 'carol' }),
      presence.subscribed({ userId: 'bob' }),
      presence.unsubscribed({ userId: 'carol' }),
      presence.unsubscribed({ userId: 'nobody' }),
    ])
    expect(state.subscriptions).toEqual(['bob'])
  })

  it('keeps a user named like an Object.prototype member as an own entry', () => {
    const state = reduce(presenceReducer, [
      presence.userOnline({ userId: 'toString', status: 'online', at: T0 }),
    ])
    expect(Object.entries(state.users)).toEqual([['toString', { status: 'online' }]])
  })
})
