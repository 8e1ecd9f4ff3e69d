import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  chatMessages,
  createBrowserWorld,
  expectCount,
  screenshot,
  sendChat,
} from './support/browser'

const world = createBrowserWorld()

describe('example app: chat and presence in Chromium', () => {
  beforeAll(() => world.start())
  afterAll(() => world.close())
  afterEach(() => {
    expect(world.pageErrors.splice(0)).toEqual([])
  })

  it('delivers room messages both ways, with sent status and a "seen by" receipt', async () => {
    const alice = await world.openAs('alice')
    const bob = await world.openAs('bob')

    await sendChat(alice, 'Hello from alice')
    await expectCount(chatMessages(bob, 'Hello from alice'), 1)
    const own = chatMessages(alice, 'Hello from alice')
    await expectCount(own.and(alice.locator('[data-status="sent"]')), 1)
    // bob has the room open, so he reads it and alice sees his receipt.
    await expectCount(own.getByTestId('seen-by').filter({ hasText: 'Seen by bob' }), 1)

    await sendChat(bob, 'Hi alice, @alice here is bob')
    const reply = chatMessages(alice, 'here is bob')
    await expectCount(reply, 1)
    await expect.poll(() => reply.getAttribute('data-author')).toBe('bob')
    await expectCount(reply.locator('.mention'), 1)

    // Message text is text: markup in it is shown, never interpreted.
    const markup = '<img src=x onerror="window.pwned=1"><b>bold?</b>'
    await sendChat(bob, markup)
    const shown = chatMessages(alice, 'bold?')
    await expectCount(shown, 1)
    expect(await shown.locator('.message-text').textContent()).toBe(markup)
    expect(await shown.locator('img, b').count()).toBe(0)
    expect(await alice.evaluate(() => (window as { pwned?: number }).pwned)).toBeUndefined()
    await screenshot(alice.getByTestId('chat'), 'chat')

    await world.closePage(alice)
    await world.closePage(bob)
  })

  it('switches rooms and sends direct messages and replies', async () => {
    const alice = await world.openAs('alice')
    const eve = await world.openAs('eve')

    await alice.getByTestId('room-random').click()
    await eve.getByTestId('room-random').click()
    await sendChat(alice, 'Anyone in random?')
    await expectCount(chatMessages(eve, 'Anyone in random?'), 1)
    await eve.getByTestId('room-general').click()
    await expectCount(chatMessages(eve, 'Anyone in random?'), 0)
    // Rooms in the sidebar stay joined: a message in #random shows as unread there.
    await sendChat(alice, 'Still here')
    await expect
      .poll(() => eve.getByTestId('room-random').locator('.badge').textContent())
      .toBe('1')

    await alice.getByTestId('dm-eve').click()
    await sendChat(alice, 'Psst, eve: a secret')
    await eve.getByTestId('dm-alice').click()
    const secret = chatMessages(eve, 'a secret')
    await expectCount(secret, 1)
    await secret.hover()
    await secret.getByRole('button', { name: 'Reply' }).click()
    await eve.getByTestId('replying-to').waitFor()
    await sendChat(eve, 'Got it')
    const answer = chatMessages(alice, 'Got it')
    await expectCount(answer, 1)
    await expect.poll(() => answer.getByTestId('reply-quote').textContent()).toContain('a secret')
    await screenshot(alice.getByTestId('chat'), 'direct-messages')

    await world.closePage(alice)
    await world.closePage(eve)
  })

  it('shows a typing indicator while the other user types, and hides it after', async () => {
    const alice = await world.openAs('alice')
    const bob = await world.openAs('bob')
    const indicator = alice.getByTestId('typing-indicator')

    await bob.getByTestId('chat-input').fill('I am typ')
    await indicator.waitFor()
    expect(await indicator.textContent()).toBe('bob is typing…')
    await bob.getByTestId('chat-input').fill('')
    await indicator.waitFor({ state: 'detached' })

    // Sending a message stops the indicator too.
    await bob.getByTestId('chat-input').fill('typing again')
    await indicator.waitFor()
    await bob.getByTestId('chat-send').click()
    await indicator.waitFor({ state: 'detached' })

    await world.closePage(alice)
    await world.closePage(bob)
  })

  it('shows the other user online, their custom status, and offline once their page closes', async () => {
    const alice = await world.openAs('alice')
    const bob = await world.openAs('bob')
    const bobRow = alice.locator('[data-user="bob"]')

    await expect.poll(() => bobRow.getAttribute('data-testid')).toBe('online-user')
    await bob.getByTestId('status-select').selectOption('busy')
    await bob.getByTestId('custom-status-input').fill('In a meeting')
    await bob.getByTestId('custom-status-save').click()
    await expect.poll(() => bobRow.getAttribute('data-status')).toBe('busy')
    await expect
      .poll(() => bobRow.getByTestId('custom-status').textContent())
      .toContain('In a meeting')
    await screenshot(alice.getByTestId('presence'), 'presence')

    await world.closePage(bob)
    await expect.poll(() => bobRow.getAttribute('data-testid')).toBe('offline-user')
    await expect.poll(() => bobRow.textContent()).toContain('last seen')

    await world.closePage(alice)
  })
})
