import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Locator } from 'playwright-core'
import {
  PHONE,
  connected,
  createBrowserWorld,
  expectCount,
  screenshot,
  sendChat,
} from './support/browser'

const world = createBrowserWorld()

/** Whether two elements' boxes (viewport coordinates) share any area. */
async function overlap(a: Locator, b: Locator): Promise<boolean> {
  const [boxA, boxB] = [await a.boundingBox(), await b.boundingBox()]
  if (!boxA || !boxB) throw new Error('both elements must be visible')
  return (
    boxA.x < boxB.x + boxB.width &&
    boxB.x < boxA.x + boxA.width &&
    boxA.y < boxB.y + boxB.height &&
    boxB.y < boxA.y + boxA.height
  )
}

describe('example app: start screen and dev panel in Chromium', () => {
  beforeAll(() => world.start())
  afterAll(() => world.close())
  afterEach(() => {
    expect(world.pageErrors.splice(0)).toEqual([])
  })

  it('offers the demo identities and signs in with a dev token', async () => {
    const page = await world.openAs('eve')
    await expect
      .poll(() => page.getByTestId('current-user').locator('strong').textContent())
      .toBe('eve')
    await page.getByTestId('sign-out').click()
    await page.getByTestId('login-alice').waitFor()
    await screenshot(page, 'login')
    await world.closePage(page)
  })

  it('shows the connection state and the frames in and out, and its buttons work', async () => {
    const alice = await world.openAs('alice')
    const panel = alice.getByTestId('devtools-panel')
    await panel.waitFor()
    await expect
      .poll(() => panel.getByTestId('devtools-state').getAttribute('data-state'))
      .toBe('open')
    await expect.poll(() => panel.getByTestId('devtools-user').textContent()).toBe('alice')
    // The panel loads on demand, after the connection opened: it shows frames from then on.
    const frames = panel.getByTestId('devtools-frame')
    await sendChat(alice, 'watch this frame')
    const out = frames.and(alice.locator('[data-direction="out"]')).filter({
      hasText: 'watch this frame',
    })
    await expect.poll(() => out.count()).toBeGreaterThan(0)
    const echoed = frames.and(alice.locator('[data-direction="in"][data-type="chat_message"]'))
    await expect.poll(() => echoed.filter({ hasText: 'watch this frame' }).count()).toBe(1)
    await screenshot(alice, 'dashboard')
    await screenshot(panel, 'devtools')

    await panel.getByTestId('devtools-reconnect').click()
    await expectCount(frames.and(alice.locator('[data-direction="in"][data-type="auth_ok"]')), 1)
    await connected(alice)

    await panel.getByTestId('devtools-disconnect').click()
    await alice.locator('[data-testid="connection-state"][data-state="closed"]').waitFor()
    await panel.getByTestId('devtools-connect').click()
    await connected(alice)
    await world.closePage(alice)
  })

  it('reaches the frame list from the keyboard: one Tab stop, arrow keys, a visible focus', async () => {
    const alice = await world.openAs('alice')
    const panel = alice.getByTestId('devtools-panel')
    await panel.waitFor()
    await sendChat(alice, 'one frame')
    await sendChat(alice, 'another frame')
    await expect.poll(() => panel.getByTestId('devtools-frame').count()).toBeGreaterThan(2)
    const list = panel.getByRole('list', { name: 'Frames in and out, newest first' })
    expect(await list.count()).toBe(1)

    await panel.getByTestId('devtools-clear').focus()
    await alice.keyboard.press('Tab')
    const focused = alice.locator(':focus')
    expect(await focused.getAttribute('data-testid')).toBe('devtools-frame')
    const newest = await focused.textContent()
    expect(await focused.evaluate((el) => getComputedStyle(el).outlineStyle)).toBe('solid')
    await alice.keyboard.press('ArrowDown')
    expect(await alice.locator(':focus').getAttribute('data-testid')).toBe('devtools-frame')
    expect(await alice.locator(':focus').textContent()).not.toBe(newest)
    // Home: the newest frame. A frame arriving between the key and the check (a pong, a
    // receipt) becomes the newest, so press it again until one lands on the first.
    await expect
      .poll(async () => {
        await alice.keyboard.press('Home')
        return alice.locator(':focus').evaluate((el) => el.previousElementSibling === null)
      })
      .toBe(true)
    // Tab leaves the list: it is one stop, not one per frame.
    await alice.keyboard.press('Tab')
    expect(await alice.locator(':focus').getAttribute('data-testid')).toBe('devtools-room')
    await world.closePage(alice)
  })

  it('starts collapsed on a phone and never covers the composer, collapsed or open', async () => {
    const bob = await world.openAs('bob', PHONE)
    const panel = bob.getByTestId('devtools-panel')
    const toggle = panel.getByTestId('devtools-toggle')
    await toggle.waitFor()
    expect(await toggle.getAttribute('aria-expanded')).toBe('false')
    expect(await panel.getByTestId('devtools-body').count()).toBe(0)
    const input = bob.getByTestId('chat-input')
    const send = bob.getByTestId('chat-send')
    await screenshot(bob, 'phone-devtools-collapsed')
    expect(await overlap(panel, input)).toBe(false)
    expect(await overlap(panel, send)).toBe(false)

    // Open, it may cover the page, but not the field being typed in or its form.
    await toggle.click()
    await panel.getByTestId('devtools-body').waitFor()
    await input.focus()
    await input.fill('typing under the dev panel?')
    await expect.poll(() => overlap(panel, input)).toBe(false)
    expect(await overlap(panel, send)).toBe(false)
    await screenshot(bob, 'phone-devtools-open')
    await world.closePage(bob)
  })
})
