import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createBrowserWorld, expectCount, screenshot, UI_TIMEOUT } from './support/browser'

const world = createBrowserWorld()

describe('example app: shared notes (Yjs) in Chromium', () => {
  beforeAll(() => world.start())
  afterAll(() => world.close())
  afterEach(() => {
    expect(world.pageErrors.splice(0)).toEqual([])
  })

  it("two pages type into the same document at once and see each other's text and cursors", async () => {
    const alice = await world.openAs('alice')
    const bob = await world.openAs('bob')
    const editorOf = (page: typeof alice) => page.getByTestId('editor-text')
    for (const page of [alice, bob]) {
      await expect
        .poll(() => page.getByTestId('editor-status').getAttribute('data-status'), {
          timeout: UI_TIMEOUT,
        })
        .toBe('synced')
    }

    // Both type at once, at the start and the end of the same document.
    await editorOf(alice).click()
    await editorOf(bob).click()
    await Promise.all([
      editorOf(alice).pressSequentially('alice was here. ', { delay: 15 }),
      editorOf(bob).pressSequentially('bob too.', { delay: 15 }),
    ])
    const valueOf = (page: typeof alice) => editorOf(page).inputValue()
    await expect
      .poll(async () => (await valueOf(alice)) === (await valueOf(bob)), {
        timeout: UI_TIMEOUT,
      })
      .toBe(true)
    const text = await valueOf(alice)
    expect(text).toContain('alice was here. ')
    expect(text).toContain('bob too.')
    expect(text.length).toBe('alice was here. '.length + 'bob too.'.length)

    // Each sees the other among the peers, with where their cursor is.
    await bob.getByTestId('editor-peer-alice').waitFor({ timeout: UI_TIMEOUT })
    await alice.getByTestId('editor-peer-bob').waitFor({ timeout: UI_TIMEOUT })
    await expect.poll(() => bob.getByTestId('editor-peer-alice').textContent()).toMatch(/line 1/)
    for (const page of [alice, bob]) {
      await expect
        .poll(() => page.getByTestId('editor-unsynced').count(), { timeout: UI_TIMEOUT })
        .toBe(0)
    }
    await screenshot(alice.getByTestId('editor'), 'collab-editor')

    // bob's tab closes: his cursor leaves alice's page (no ghost).
    await world.closePage(bob)
    await expectCount(alice.getByTestId('editor-peer-bob'), 0)
    await world.closePage(alice)
  })
})
