import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  chatHistory,
  chatMessages,
  connected,
  createBrowserWorld,
  expectCount,
  screenshot,
  sendChat,
} from './support/browser'

const world = createBrowserWorld()

/** How many times the server's history of `room` holds a chat message with `content`. */
async function timesInHistory(url: string, room: string, content: string): Promise<number> {
  return (await chatHistory(url, room)).filter((text) => text === content).length
}

describe('example app: a server restart in Chromium', () => {
  beforeAll(() => world.start())
  afterAll(() => world.close())
  afterEach(() => {
    expect(world.pageErrors.splice(0)).toEqual([])
  })

  it('reconnects both pages and delivers a message sent while the server was down exactly once', async () => {
    const alice = await world.openAs('alice')
    const bob = await world.openAs('bob')
    await sendChat(alice, 'before the restart')
    await expectCount(chatMessages(bob, 'before the restart'), 1)

    const port = await world.stopServer()
    for (const page of [alice, bob]) {
      await page.locator('[data-testid="connection-state"]:not([data-state="open"])').waitFor()
    }
    await sendChat(alice, 'typed while the server was down')
    const waiting = chatMessages(alice, 'typed while the server was down')
    await expect.poll(() => waiting.getAttribute('data-status')).toBe('pending')
    await alice.getByTestId('pending-count').waitFor()
    await alice.getByTestId('offline-hint').waitFor()
    await screenshot(alice, 'offline')

    const server = await world.restartServer(port)
    await connected(alice)
    await connected(bob)
    const delivered = chatMessages(bob, 'typed while the server was down')
    await expectCount(delivered, 1)
    await expect.poll(() => waiting.getAttribute('data-status')).toBe('sent')
    await alice.getByTestId('pending-count').waitFor({ state: 'detached' })

    // Nothing doubled, also after things settle: once on each page, once on the server.
    await bob.waitForTimeout(1000)
    expect(await delivered.count()).toBe(1)
    expect(await waiting.count()).toBe(1)
    expect(await timesInHistory(server.url, 'general', 'typed while the server was down')).toBe(1)

    // And the connection works both ways again.
    await sendChat(bob, 'welcome back')
    await expectCount(chatMessages(alice, 'welcome back'), 1)
    await world.closePage(alice)
    await world.closePage(bob)
  })
})
