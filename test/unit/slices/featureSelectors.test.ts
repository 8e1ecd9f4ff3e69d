import type { UnknownAction } from '@reduxjs/toolkit'
import { describe, expect, it } from 'vitest'
import { chat, connection, events, notifications, outbox, presence } from '../../../slices/actions'
import { createRealtimeReducer, type RealtimeState } from '../../../slices/realtimeReducer'
import { createSelectors } from '../../../slices/selectors'
import type { EventData } from '../../../src/protocol/frames'
import { generatePrivateRoomId } from '../../../src/protocol/streams'
import { T0, dm, dmEntry, entry, message, notification, reduce } from './fixtures'

const reducer = createRealtimeReducer({ maxMessagesPerRoom: 100, maxNotifications: 100 })
const selectors = createSelectors('realtime')

type Root = { realtime: RealtimeState }

function rootWith(...actions: UnknownAction[]): Root {
  return { realtime: reduce(reducer, actions) }
}
function then(root: Root, ...actions: UnknownAction[]): Root {
  return { realtime: reduce(reducer, actions, root.realtime) }
}

const opened = connection.opened({ userId: 'alice', sessionId: 's', epoch: 'e', at: T0 })

describe('selectDirectMessages and selectConversations', () => {
  it('names each conversation generatePrivateRoomId(me, peer), with its last message', () => {
    const root = rootWith(
      opened,
      chat.directMessagesReceived({
        messages: [dm(1, 'bob', 'alice'), dm(2, 'alice', 'zoe'), dm(3, 'bob', 'alice')],
        at: T0,
      }),
      outbox.enqueued({ entry: dmEntry('mine', 'zoe') }),
    )
    const conversations = selectors.selectConversations(root)
    expect(conversations.map((c) => [c.peer, c.id, c.lastMessage?.id])).toEqual([
      ['bob', generatePrivateRoomId('alice', 'bob'), 'dm-3'],
      ['zoe', generatePrivateRoomId('alice', 'zoe'), 'mine'],
    ])
    expect(conversations.map((c) => c.id)).toEqual(['dm:alice:bob', 'dm:alice:zoe'])
    expect(selectors.selectConversations(root)).toBe(conversations)
  })

  it('returns a conversation’s messages, and one stable empty list for an unknown peer', () => {
    const root = rootWith(
      opened,
      chat.directMessagesReceived({ messages: [dm(1, 'bob', 'alice')], at: T0 }),
    )
    expect(selectors.selectDirectMessages(root, 'bob').map((m) => m.id)).toEqual(['dm-1'])
    const none = selectors.selectDirectMessages(root, 'nobody')
    expect(none).toEqual([])
    expect(selectors.selectDirectMessages(root, 'toString')).toBe(none)
  })
})

describe('selectTypingUsers', () => {
  it('lists who is typing in a room, and nothing for another room', () => {
    const root = rootWith(chat.typingStarted({ room: 'general', userId: 'bob', at: T0 }))
    expect(selectors.selectTypingUsers(root, 'general')).toEqual(['bob'])
    expect(selectors.selectTypingUsers(root, 'random')).toEqual([])
    expect(selectors.selectTypingUsers(root, 'toString')).toEqual([])
  })
})

describe('selectReadReceipts and selectRoomUnreadCount', () => {
  const fromBob = (seq: number) => message('general', seq)
  const fromAlice = (seq: number) => message('general', seq, { userId: 'alice' })
  const receipt = (userId: string, seq: number) =>
    chat.readReceiptsReceived({
      receipts: [{ room: 'general', userId, messageId: `m-general-${seq}`, seq }],
      at: T0,
    })
  const history = () =>
    rootWith(
      opened,
      chat.messagesReceived({
        messages: [fromBob(1), fromBob(2), fromAlice(3), fromBob(4), fromBob(5)],
        at: T0,
      }),
      outbox.enqueued({ entry: entry('general', 'pending-own') }),
    )

  it('counts others’ confirmed messages when this user has no receipt', () => {
    expect(selectors.selectRoomUnreadCount(history(), 'general')).toBe(4)
  })

  it('counts only others’ confirmed messages after this user’s own receipt', () => {
    const root = then(history(), receipt('alice', 2), receipt('bob', 5))
    expect(selectors.selectRoomUnreadCount(root, 'general')).toBe(2)
    expect(selectors.selectRoomUnreadCount(then(root, receipt('alice', 5)), 'general')).toBe(0)
  })

  it('ignores others’ receipts', () => {
    const root = then(history(), receipt('bob', 5), receipt('carol', 4))
    expect(selectors.selectRoomUnreadCount(root, 'general')).toBe(4)
    expect(selectors.selectReadReceipts(root, 'general')).toEqual({
      bob: { messageId: 'm-general-5', seq: 5 },
      carol: { messageId: 'm-general-4', seq: 4 },
    })
  })

  it('is 0 for a room it knows nothing of', () => {
    expect(selectors.selectRoomUnreadCount(history(), 'random')).toBe(0)
    expect(selectors.selectReadReceipts(history(), 'random')).toEqual({})
  })
})

describe('presence selectors', () => {
  const root = () =>
    rootWith(
      presence.synced({
        users: [
          { userId: 'bob', status: 'online' },
          { userId: 'carol', status: 'busy' },
          { userId: 'dave', status: 'online' },
        ],
        at: T0,
      }),
      presence.userOffline({ userId: 'dave', status: 'offline', lastSeen: T0, at: T0 }),
      presence.subscribed({ userId: 'carol' }),
    )

  it('lists users who are not offline', () => {
    expect(selectors.selectOnlineUsers(root())).toEqual(['bob', 'carol'])
  })

  it('returns a user’s status, and undefined for a user it does not know', () => {
    expect(selectors.selectUserStatus(root(), 'dave')).toEqual({
      status: 'offline',
      lastSeen: T0,
    })
    expect(selectors.selectUserStatus(root(), 'erin')).toBeUndefined()
    expect(selectors.selectUserStatus(root(), 'toString')).toBeUndefined()
    expect(selectors.selectUserStatus(root(), 'hasOwnProperty')).toBeUndefined()
  })

  it('lists the followed users', () => {
    expect(selectors.selectPresenceSubscriptions(root())).toEqual(['carol'])
  })
})

describe('notification selectors', () => {
  it('counts unread notifications, system alerts included', () => {
    const root = rootWith(
      notifications.received({
        notifications: [notification('n1'), notification('n2'), notification('n3')],
        at: T0,
      }),
      notifications.updated({ op: 'read', id: 'n2', at: T0 }),
      notifications.systemAlertReceived({ id: 'a1', message: 'm', severity: 'info', at: T0 }),
    )
    expect(selectors.selectNotifications(root).map((n) => n.id)).toEqual(['a1', 'n3', 'n2', 'n1'])
    expect(selectors.selectUnreadCount(root)).toBe(3)
  })
})

describe('selectUpcomingEvents', () => {
  const NOW = T0 + 10 * 3_600_000
  const HOUR = 3_600_000
  const event = (id: string, fields: Partial<EventData>): EventData => ({
    id,
    title: id,
    startsAt: NOW + HOUR,
    status: 'scheduled',
    updatedAt: T0,
    ...fields,
  })
  const upcoming = (root: Root, now = NOW) =>
    selectors.selectUpcomingEvents(root, now).map((e) => e.id)

  it('throws a clear error without a time instead of silently selecting nothing', () => {
    const call = selectors.selectUpcomingEvents as unknown as (root: unknown) => unknown
    expect(() => call(rootWith())).toThrow(/selectUpcomingEvents\(state, now\): pass the time/)
    // @ts-expect-error `now` is required
    expect(() => selectors.selectUpcomingEvents(rootWith())).toThrow(TypeError)
  })
  const root = () =>
    rootWith(
      events.received({
        events: [
          event('later', { startsAt: NOW + 3 * HOUR }),
          event('cancelled', { startsAt: NOW + HOUR, status: 'cancelled' }),
          event('ended', { startsAt: NOW - 2 * HOUR, endsAt: NOW - HOUR }),
          event('started-no-end', { startsAt: NOW - HOUR }),
          event('in-progress', { startsAt: NOW - HOUR, endsAt: NOW + HOUR }),
          event('soon', { startsAt: NOW + HOUR }),
        ],
        at: T0,
      }),
    )

  it('lists events not cancelled and not over, by start', () => {
    expect(upcoming(root())).toEqual(['in-progress', 'soon', 'later'])
  })

  it('drops an event once cancelled by a newer update', () => {
    const cancelled = then(
      root(),
      events.received({
        events: [event('soon', { status: 'cancelled', updatedAt: T0 + 1 })],
        at: T0,
      }),
    )
    expect(upcoming(cancelled)).toEqual(['in-progress', 'later'])
  })

  it('moves with now: an event drops out after its end', () => {
    expect(upcoming(root(), NOW + 2 * HOUR)).toEqual(['later'])
  })

  it('returns the same array for the same state and now, even after an unrelated change', () => {
    const first = root()
    const list = selectors.selectUpcomingEvents(first, NOW)
    expect(selectors.selectUpcomingEvents(first, NOW)).toBe(list)
    const unrelated = then(first, presence.subscribed({ userId: 'bob' }))
    expect(selectors.selectUpcomingEvents(unrelated, NOW)).toBe(list)
    expect(selectors.selectUpcomingEvents(first, NOW + 1)).not.toBe(list)
  })
})
