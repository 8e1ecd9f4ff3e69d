import { describe, expect, it } from 'vitest'
import { notifications, outbox } from '../../../slices/actions'
import {
  createNotificationsReducer,
  type NotificationsSliceState,
} from '../../../slices/notificationsSlice'
import type { NotificationUpdateData } from '../../../src/protocol/frames'
import type { Notification } from '../../../slices/types'
import { T0, notification, reduce } from './fixtures'

const reducer = createNotificationsReducer({ maxNotifications: 100 })

const received = (...items: Notification[]) =>
  notifications.received({ notifications: items, at: T0 })
const updated = (data: NotificationUpdateData) => notifications.updated({ ...data, at: T0 })

const ids = (state: NotificationsSliceState) => state.items.map((n) => n.id)
const unread = (state: NotificationsSliceState) =>
  state.items.filter((n) => !n.read).map((n) => n.id)

/** n1 (oldest) … n3 (newest), all unread. */
const three = () =>
  reduce(reducer, [received(notification('n1'), notification('n2'), notification('n3'))])

describe('notifications reducer', () => {
  it('keeps the newest first, across bursts', () => {
    const state = reduce(reducer, [
      received(notification('n1'), notification('n2')),
      received(notification('n3')),
    ])
    expect(ids(state)).toEqual(['n3', 'n2', 'n1'])
  })

  it('ignores a notification whose id it already holds', () => {
    const first = reduce(reducer, [received(notification('n1'))])
    const state = reduce(
      reducer,
      [received(notification('n1', { title: 'changed' }), notification('n2'))],
      first,
    )
    expect(ids(state)).toEqual(['n2', 'n1'])
    expect(state.items[1]?.title).toBe('notification n1')
    expect(reduce(reducer, [received(notification('n1'))], state)).toBe(state)
  })

  it('ignores a repeated id within one burst', () => {
    const state = reduce(reducer, [received(notification('n1'), notification('n1'))])
    expect(ids(state)).toEqual(['n1'])
  })

  it('keeps at most maxNotifications, dropping the oldest', () => {
    const small = createNotificationsReducer({ maxNotifications: 3 })
    const state = reduce(small, [
      received(notification('n1'), notification('n2')),
      received(notification('n3'), notification('n4'), notification('n5')),
    ])
    expect(ids(state)).toEqual(['n5', 'n4', 'n3'])
  })

  it('marks one notification read', () => {
    const state = reduce(reducer, [updated({ op: 'read', id: 'n2' })], three())
    expect(unread(state)).toEqual(['n3', 'n1'])
    expect(ids(state)).toEqual(['n3', 'n2', 'n1'])
  })

  it('marks all read', () => {
    const state = reduce(reducer, [updated({ op: 'read_all' })], three())
    expect(unread(state)).toEqual([])
    expect(ids(state)).toEqual(['n3', 'n2', 'n1'])
  })

  it('dismisses one notification', () => {
    const state = reduce(reducer, [updated({ op: 'dismiss', id: 'n2' })], three())
    expect(ids(state)).toEqual(['n3', 'n1'])
  })

  it('clears all', () => {
    expect(reduce(reducer, [updated({ op: 'clear' })], three()).items).toEqual([])
  })

  it('returns the same state object when an update changes nothing', () => {
    const read = reduce(reducer, [updated({ op: 'read', id: 'n2' })], three())
    expect(reduce(reducer, [updated({ op: 'read', id: 'n2' })], read)).toBe(read)
    expect(reduce(reducer, [updated({ op: 'read', id: 'unknown' })], read)).toBe(read)
    expect(reduce(reducer, [updated({ op: 'dismiss', id: 'unknown' })], read)).toBe(read)
    const allRead = reduce(reducer, [updated({ op: 'read_all' })], read)
    expect(reduce(reducer, [updated({ op: 'read_all' })], allRead)).toBe(allRead)
    const empty = reducer(undefined, { type: 'init' })
    expect(reduce(reducer, [updated({ op: 'clear' })], empty)).toBe(empty)
  })

  it('applies an own update optimistically when it is enqueued, and its echo changes nothing', () => {
    const enqueued = outbox.enqueued({
      entry: {
        id: 'op-1',
        type: 'notification_update',
        data: { op: 'dismiss', id: 'n2' },
        createdAt: T0,
      },
    })
    const optimistic = reduce(reducer, [enqueued], three())
    expect(ids(optimistic)).toEqual(['n3', 'n1'])
    expect(reduce(reducer, [updated({ op: 'dismiss', id: 'n2' })], optimistic)).toBe(optimistic)
  })

  it('ignores enqueued chat and direct messages', () => {
    const before = three()
    const state = reduce(
      reducer,
      [
        outbox.enqueued({
          entry: {
            id: 'c',
            type: 'chat_message',
            room: 'r',
            data: { content: 'x' },
            createdAt: T0,
          },
        }),
        outbox.enqueued({
          entry: {
            id: 'd',
            type: 'direct_message',
            data: { to: 'bob', content: 'x' },
            createdAt: T0,
          },
        }),
      ],
      before,
    )
    expect(state).toBe(before)
  })

  it("stores a system alert as an unread notification of kind 'system_alert', newest first", () => {
    const state = reduce(
      reducer,
      [
        notifications.systemAlertReceived({
          id: 'alert-1',
          message: 'Maintenance at noon',
          severity: 'warning',
          at: T0 + 5,
        }),
      ],
      three(),
    )
    expect(state.items[0]).toEqual({
      id: 'alert-1',
      title: 'Maintenance at noon',
      kind: 'system_alert',
      severity: 'warning',
      createdAt: T0 + 5,
      read: false,
    })
    expect(ids(state)).toEqual(['alert-1', 'n3', 'n2', 'n1'])
  })
})
