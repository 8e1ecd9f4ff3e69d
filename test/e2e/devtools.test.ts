import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { connected, createBrowserWorld, expectCount, screenshot, sendChat } from './support/browser'

const world = createBrowserWorld()

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
})
