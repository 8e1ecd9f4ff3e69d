import { afterEach, describe, expect, it } from 'vitest'
import { createWorld, type World } from '../support/realtimeWorld'

let world: World
afterEach(() => world?.close())

describe('notifications and system alerts', () => {
  it('delivers notifications pushed while the user was offline exactly once after reconnect', async () => {
    world = await createWorld()
    const alice = await world.client('alice')
    world.server.notify('alice', { title: 'Welcome' })
    await alice.waitFor((s) => alice.selectors.selectNotifications(s).length === 1, 5_000, 'first')

    alice.store.dispatch(alice.actions.disconnect())
    world.server.notify('alice', { title: 'While away 1' })
    world.server.notify('alice', { title: 'While away 2', body: 'details', severity: 'warning' })
    alice.store.dispatch(alice.actions.connect())
    await alice.waitFor(
      (s) => alice.selectors.selectNotifications(s).length === 3,
      5_000,
      'missed ones',
    )
    await new Promise((r) => setTimeout(r, 100))

    const titles = alice.selectors.selectNotifications(alice.store.getState()).map((n) => n.title)
    expect(titles).toEqual(['While away 2', 'While away 1', 'Welcome']) // newest first, once each
    expect(alice.selectors.selectUnreadCount(alice.store.getState())).toBe(3)
  })

  it('syncs read, read-all, dismiss and clear between two connections of one user', async () => {
    world = await createWorld()
    const laptop = await world.client('alice')
    const phone = await world.client('alice')
    const ids = ['a', 'b', 'c'].map((t) => world.server.notify('alice', { title: t }))
    for (const device of [laptop, phone]) {
      await device.waitFor(
        (s) => device.selectors.selectNotifications(s).length === 3,
        5_000,
        'three',
      )
    }
    laptop.store.dispatch(laptop.actions.markNotificationRead(ids[0] as string))
    expect(laptop.selectors.selectUnreadCount(laptop.store.getState())).toBe(2) // optimistic
    await phone.waitFor((s) => phone.selectors.selectUnreadCount(s) === 2, 5_000, 'read synced')

    phone.store.dispatch(phone.actions.dismissNotification(ids[1] as string))
    await laptop.waitFor(
      (s) => laptop.selectors.selectNotifications(s).length === 2,
      5_000,
      'dismiss synced',
    )
    laptop.store.dispatch(laptop.actions.markAllNotificationsRead())
    await phone.waitFor((s) => phone.selectors.selectUnreadCount(s) === 0, 5_000, 'read all synced')
    phone.store.dispatch(phone.actions.clearNotifications())
    await laptop.waitFor(
      (s) => laptop.selectors.selectNotifications(s).length === 0,
      5_000,
      'clear synced',
    )
    await laptop.waitFor((s) => laptop.selectors.selectPendingMessages(s).length === 0)
  })

  it('brings a system alert to every connected user', async () => {
    world = await createWorld()
    const users = await Promise.all(['alice', 'bob', 'eve'].map((u) => world.client(u)))
    world.server.systemAlert({ message: 'Maintenance at 22:00', severity: 'warning' })
    for (const user of users) {
      await user.waitFor((s) => user.selectors.selectNotifications(s).length === 1, 5_000, 'alert')
      expect(user.selectors.selectNotifications(user.store.getState())[0]).toMatchObject({
        kind: 'system_alert',
        title: 'Maintenance at 22:00',
        severity: 'warning',
        read: false,
      })
    }
  })
})
