import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import {
  chatHistory as history,
  connected,
  createBrowserWorld,
  screenshot,
  sendChat,
} from './support/browser'

const world = createBrowserWorld()

/** The texts of the page's chat messages that start with `prefix`, in the order shown. */
async function shown(page: Page, prefix: string): Promise<string[]> {
  const texts = await page.getByTestId('chat-message').allTextContents()
  return texts.flatMap((text) => text.match(new RegExp(`${prefix}-\\d+`, 'g')) ?? [])
}

async function offline(page: Page): Promise<void> {
  await page.locator('[data-testid="connection-state"]:not([data-state="open"])').waitFor()
}

/**
 * Outbox entries the page's IndexedDB holds now. A reload aborts IndexedDB writes still in
 * flight, so a test reloads once the writes are in (see the README's Storage section).
 */
async function savedEntries(page: Page, database: string): Promise<number> {
  return page.evaluate(
    (name) =>
      new Promise<number>((resolve, reject) => {
        const request = indexedDB.open(name)
        request.onerror = () => reject(request.error ?? new Error('indexedDB.open failed'))
        request.onsuccess = () => {
          const db = request.result
          const keys = db.transaction('outbox', 'readonly').objectStore('outbox').getAllKeys()
          keys.onsuccess = () => {
            resolve(keys.result.filter((k) => Array.isArray(k) && k[0] === 'entry').length)
            db.close()
          }
          keys.onerror = () => reject(keys.error ?? new Error('getAllKeys failed'))
        }
      }),
    database,
  )
}

const label = (prefix: string, i: number) => `${prefix}-${String(i).padStart(2, '0')}`

describe('example app: the outbox in IndexedDB survives a reload (Chromium)', () => {
  beforeAll(() => world.start())
  afterAll(() => world.close())
  afterEach(() => {
    expect(world.pageErrors.splice(0)).toEqual([])
  })

  it('delivers 50 messages typed while the server was down, then reloaded, once each and in order', async () => {
    const alice = await world.openAs('alice')
    const bob = await world.openAs('bob')
    await world.serveAppOffline(alice.context())
    const port = await world.stopServer()
    await offline(alice)
    const typed = Array.from({ length: 50 }, (_, i) => label('reload', i))
    for (const text of typed) await sendChat(alice, text)
    await expect.poll(() => shown(alice, 'reload')).toEqual(typed)
    await expect.poll(() => savedEntries(alice, 'redux-realtime-example:alice')).toBe(50)

    await alice.reload()
    // Back from IndexedDB before any server is there: all 50, pending, in order.
    await expect.poll(() => shown(alice, 'reload'), { timeout: 15_000 }).toEqual(typed)
    await screenshot(alice, 'outbox-restored-after-reload')

    await world.restartServer(port)
    await connected(alice)
    await expect.poll(() => shown(bob, 'reload'), { timeout: 30_000 }).toEqual(typed)
    await expect
      .poll(() => alice.locator('[data-testid="chat-message"][data-status="pending"]').count())
      .toBe(0)
    expect(await shown(alice, 'reload')).toEqual(typed)
    expect(
      (await history(world.server.url, 'general')).filter((t) => t.startsWith('reload')),
    ).toEqual(typed)
    await screenshot(bob, 'outbox-delivered-after-reload')
  })

  it('with two tabs on one storage, sends each message once when one tab is reloaded', async () => {
    const first = await world.openAs('eve')
    // A second tab of the same browser profile: the same IndexedDB, its own sign-in.
    const second = await first.context().newPage()
    second.on('pageerror', (error) => world.pageErrors.push(`eve (tab 2): ${error.message}`))
    await second.goto(world.baseUrl)
    await second.getByTestId('login-eve').click()
    await connected(second)
    const bob = await world.openAs('bob')
    await world.serveAppOffline(first.context())

    const port = await world.stopServer()
    await offline(first)
    await offline(second)
    const fromFirst = Array.from({ length: 10 }, (_, i) => label('tab1', i))
    const fromSecond = Array.from({ length: 10 }, (_, i) => label('tab2', i))
    // A background tab's rendering is throttled (each action waits ~1 s): type in the front one.
    await first.bringToFront()
    for (const text of fromFirst) await sendChat(first, text)
    await second.bringToFront()
    for (const text of fromSecond) await sendChat(second, text)
    await expect.poll(() => savedEntries(second, 'redux-realtime-example:eve')).toBe(20)
    await second.reload()
    await expect.poll(() => shown(second, 'tab2'), { timeout: 15_000 }).toEqual(fromSecond)

    await world.restartServer(port)
    await connected(first)
    await connected(second)
    await expect.poll(() => shown(bob, 'tab1'), { timeout: 30_000 }).toEqual(fromFirst)
    await expect.poll(() => shown(bob, 'tab2'), { timeout: 30_000 }).toEqual(fromSecond)
    const stored = await history(world.server.url, 'general')
    expect(stored.filter((t) => t.startsWith('tab1'))).toEqual(fromFirst)
    expect(stored.filter((t) => t.startsWith('tab2'))).toEqual(fromSecond)
    for (const page of [first, second]) {
      await expect
        .poll(() => page.locator('[data-testid="chat-message"][data-status="pending"]').count())
        .toBe(0)
    }
  })
})
