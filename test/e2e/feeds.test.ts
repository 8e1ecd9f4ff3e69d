import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createBrowserWorld, expectCount, screenshot } from './support/browser'

const world = createBrowserWorld()
const HOUR = 3_600_000

describe('example app: notifications and events in Chromium', () => {
  beforeAll(() => world.start())
  afterAll(() => world.close())
  afterEach(() => {
    expect(world.pageErrors.splice(0)).toEqual([])
  })

  it('shows a server-pushed notification; mark read, mark all, dismiss and clear update the badge', async () => {
    const alice = await world.openAs('alice')
    const badge = alice.getByTestId('unread-badge')
    const items = alice.getByTestId('notification-item')
    await expect.poll(() => badge.textContent()).toBe('0')

    world.server.notify('alice', { title: 'Build 42 finished', body: 'main is green' })
    const build = items.filter({ hasText: 'Build 42 finished' })
    await expectCount(build, 1)
    await expect.poll(() => badge.textContent()).toBe('1')
    await build.getByTestId('notification-read').click()
    await expect.poll(() => badge.textContent()).toBe('0')
    await expect.poll(() => build.getAttribute('data-read')).toBe('true')

    world.server.notify('alice', { title: 'Disk almost full', severity: 'warning' })
    world.server.notify('alice', { title: 'Deploy failed', severity: 'error' })
    world.server.systemAlert({ message: 'Maintenance at 22:00', severity: 'warning' })
    await expectCount(items, 4)
    await expect.poll(() => badge.textContent()).toBe('3')
    await screenshot(alice.getByTestId('notifications'), 'notifications')

    await alice.getByTestId('notifications-read-all').click()
    await expect.poll(() => badge.textContent()).toBe('0')
    await items.filter({ hasText: 'Disk almost full' }).getByTestId('notification-dismiss').click()
    await expectCount(items, 3)
    await alice.getByTestId('notifications-clear').click()
    await expectCount(items, 0)
    await world.closePage(alice)
  })

  it('shows event updates live: new, changed, cancelled, and the reminder', async () => {
    const bob = await world.openAs('bob')
    const items = bob.getByTestId('event-item')
    const startsAt = Date.now() + 2 * HOUR

    world.server.publishEvent({
      id: 'e2e-launch',
      title: 'Launch party',
      startsAt,
      location: 'Roof',
    })
    const launch = bob.locator('[data-event="e2e-launch"]')
    await expect.poll(() => launch.textContent()).toContain('Launch party')

    world.server.publishEvent({ id: 'e2e-launch', title: 'Launch party (moved)', startsAt })
    await expect.poll(() => launch.textContent()).toContain('Launch party (moved)')
    await expectCount(items, 1)

    world.server.publishEvent({
      id: 'e2e-standup',
      title: 'Standup',
      startsAt: Date.now() + 10 * 60_000,
      remindAt: [Date.now() + 300],
    })
    const reminder = bob.getByTestId('event-reminder')
    await expect.poll(() => reminder.textContent()).toContain('Reminder: Standup')
    await expectCount(items, 2)

    world.server.publishEvent({
      id: 'e2e-launch',
      title: 'Launch party (moved)',
      startsAt,
      status: 'cancelled',
    })
    await expect.poll(() => launch.getAttribute('data-status')).toBe('cancelled')
    await launch.getByTestId('event-cancelled').waitFor()
    await screenshot(bob.getByTestId('events'), 'events')
    await world.closePage(bob)
  })
})
