import type { Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { axeViolations } from './support/axe'
import { PHONE, createBrowserWorld, screenshot, sendChat, type Viewport } from './support/browser'

const world = createBrowserWorld()
const DESKTOP: Viewport = { width: 1280, height: 720 }

const headingOnes = (page: Page) => page.locator('h1').count()

describe('example app: accessibility (axe) in Chromium', () => {
  beforeAll(() => world.start())
  afterAll(() => world.close())
  afterEach(() => {
    expect(world.pageErrors.splice(0)).toEqual([])
  })

  for (const [name, viewport] of [
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ] as const) {
    it(`has no violations on the start screen (${name}, ${viewport.width}×${viewport.height})`, async () => {
      const page = await world.openStartScreen(`a11y-login-${name}`, viewport)
      await page.getByTestId('login-alice').waitFor()
      await screenshot(page, `a11y-login-${name}`)
      expect(await axeViolations(page)).toEqual([])
      expect(await headingOnes(page)).toBe(1)
      await world.closePage(page)
    })

    it(`has no violations signed in, with messages and the dev panel (${name}, ${viewport.width}×${viewport.height})`, async () => {
      const page = await world.openAs(name === 'desktop' ? 'alice' : 'bob', viewport)
      await sendChat(page, 'Hello from the accessibility check')
      await page
        .getByTestId('chat-message')
        .filter({ hasText: 'accessibility check' })
        .first()
        .waitFor()
      await page.getByTestId('devtools-panel').waitFor()
      await screenshot(page, `a11y-dashboard-${name}`)
      expect(await axeViolations(page)).toEqual([])
      expect(await headingOnes(page)).toBe(1)

      // Disconnected: the state badges change colour.
      const toggle = page.getByTestId('devtools-toggle')
      if ((await toggle.getAttribute('aria-expanded')) === 'false') await toggle.click()
      await page.getByTestId('devtools-disconnect').click()
      await page.locator('[data-testid="connection-state"][data-state="closed"]').waitFor()
      await screenshot(page, `a11y-dashboard-closed-${name}`)
      expect(await axeViolations(page)).toEqual([])
      await world.closePage(page)
    })
  }
})
