import type { BrowserContext, Page, WebSocketRoute } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { axeViolations } from './support/axe'
import * as Y from 'yjs'
import { decodeBase64 } from '../../src/protocol'
import { signDevToken } from '../../src/server'
import { createCollabPeer } from '../support/collabPeer'
import {
  connected,
  createBrowserWorld,
  expectCount,
  screenshot,
  UI_TIMEOUT,
  type BrowserWorld,
} from './support/browser'

const world = createBrowserWorld()

/** A page's network to the server, which the test can cut (the page stays up, its socket does not). */
interface Link {
  cut(): void
  restore(): void
}

/**
 * Routes the context's WebSockets through Playwright, so one page can go offline while the
 * other stays: `cut()` drops the live socket and refuses new ones until `restore()`.
 */
async function cuttableLink(context: BrowserContext): Promise<Link> {
  let offline = false
  /** Each live socket: its page side and its server side (closing one does not close the other). */
  const live = new Map<WebSocketRoute, WebSocketRoute>()
  await context.routeWebSocket(/\/ws/, (ws) => {
    if (offline) {
      void ws.close({ code: 1012, reason: 'offline' })
      return
    }
    const server = ws.connectToServer()
    live.set(ws, server)
    // With a handler of ours, a close is no longer passed on by itself: pass it on.
    ws.onClose((_code, reason) => {
      live.delete(ws)
      void server.close({ code: 1000, reason })
    })
    server.onClose((code, reason) => {
      live.delete(ws)
      void ws.close({ code, reason })
    })
  })
  return {
    cut() {
      offline = true
      for (const [page, server] of live) {
        // The server side is a real browser WebSocket: only 1000 or 3000-4999 may close it.
        void server.close({ code: 1000, reason: 'cut' })
        void page.close({ code: 1012, reason: 'offline' })
      }
      live.clear()
    },
    restore() {
      offline = false
    },
  }
}

/** Signs `userId` in on a page whose socket goes through a cuttable link. */
async function openWithLink(w: BrowserWorld, userId: string): Promise<{ page: Page; link: Link }> {
  const page = await w.openStartScreen(userId)
  const link = await cuttableLink(page.context())
  await page.getByTestId(`login-${userId}`).click()
  await connected(page)
  return { page, link }
}

const editor = (page: Page) => page.getByTestId('collab-text')
const textOf = (page: Page) => editor(page).inputValue()
const statusOf = (page: Page) => page.getByTestId('collab-status').getAttribute('data-status')
const unsyncedOf = async (page: Page) =>
  Number(await page.getByTestId('collab-unsynced').getAttribute('data-count'))
/** Where the page shows `userId`'s caret (its `head`), or null when it shows none. */
const caretOf = (page: Page, userId: string) =>
  page.getByTestId(`collab-peer-${userId}`).getAttribute('data-head', { timeout: UI_TIMEOUT })

async function synced(page: Page): Promise<void> {
  await expect.poll(() => statusOf(page), { timeout: UI_TIMEOUT }).toBe('synced')
}

/** Both pages show `text` and have nothing left unacknowledged. */
async function converged(pages: readonly Page[], text: string): Promise<void> {
  for (const page of pages) {
    await expect.poll(() => textOf(page), { timeout: UI_TIMEOUT }).toBe(text)
    await expect.poll(() => unsyncedOf(page), { timeout: UI_TIMEOUT }).toBe(0)
  }
}

/** Puts the caret at the end of the given line (0-based) with the keyboard, as a user would. */
async function caretToEndOfLine(page: Page, line: number): Promise<void> {
  await editor(page).focus()
  await page.keyboard.press('Control+Home')
  for (let i = 0; i < line; i++) await page.keyboard.press('ArrowDown')
  await page.keyboard.press('End')
}

/**
 * The shared document as the page's IndexedDB holds it now (`['doc', 'notes']` in the outbox
 * store): its text (the stored Yjs state, read here) and unsynced count, or null. A reload
 * aborts writes still in flight, so a test reloads once what it needs is in.
 */
async function storedDocument(
  page: Page,
  database: string,
): Promise<{ unsynced: number; text: string } | null> {
  const stored = await page.evaluate(
    (name) =>
      new Promise<{ unsynced: number; state: string } | null>((resolve, reject) => {
        const request = indexedDB.open(name)
        request.onerror = () => reject(request.error ?? new Error('indexedDB.open failed'))
        request.onsuccess = () => {
          const db = request.result
          if (!db.objectStoreNames.contains('outbox')) {
            db.close()
            return resolve(null)
          }
          const get = db
            .transaction('outbox', 'readonly')
            .objectStore('outbox')
            .get(['doc', 'notes'])
          get.onsuccess = () => {
            const value = get.result as { unsynced?: unknown; state?: unknown } | undefined
            db.close()
            resolve(
              value && typeof value.unsynced === 'number' && typeof value.state === 'string'
                ? { unsynced: value.unsynced, state: value.state }
                : null,
            )
          }
          get.onerror = () => reject(get.error ?? new Error('get failed'))
        }
      }),
    database,
  )
  const bytes = stored && decodeBase64(stored.state)
  if (!stored || !bytes) return null
  const ydoc = new Y.Doc()
  Y.applyUpdate(ydoc, bytes)
  return { unsynced: stored.unsynced, text: ydoc.getText('content').toJSON() }
}

/** The document's text as the server has it: what a fresh client (in Node) syncs from it. */
async function serverText(w: BrowserWorld): Promise<string | undefined> {
  const auditor = await createCollabPeer(w.server.url, 'auditor', {
    authToken: await signDevToken('dev-secret', 'auditor'),
  })
  try {
    auditor.store.dispatch(auditor.actions.connect())
    auditor.store.dispatch(auditor.actions.openDocument('notes'))
    await auditor.waitForStatus('notes', 'synced')
    return auditor.liveText('notes')
  } finally {
    auditor.dispose()
  }
}

/** The undo manager groups changes less than 500 ms apart: wait past that, so the next change stands alone. */
const pastUndoGrouping = (page: Page) => page.waitForTimeout(600)

describe('example app: the shared document in Chromium', () => {
  beforeAll(() => world.start())
  afterAll(() => world.close())
  afterEach(() => {
    expect(world.pageErrors.splice(0)).toEqual([])
  })

  it('two pages type at once and see each other’s text and carets; undo is your own; offline edits merge; a closed page’s caret goes', async () => {
    const { page: alice, link } = await openWithLink(world, 'alice')
    // Only alice's socket is routed through the test (to cut it); bob's is the browser's own.
    const bob = await world.openAs('bob')
    await synced(alice)
    await synced(bob)
    await alice.getByTestId('collab-peer-bob').waitFor()
    await bob.getByTestId('collab-peer-alice').waitFor()

    // A first line each, one after the other, then both type at once on their own line.
    await editor(alice).focus()
    await alice.keyboard.insertText('Agenda:')
    await converged([alice, bob], 'Agenda:')
    await editor(bob).focus()
    await bob.keyboard.press('Control+End')
    await bob.keyboard.insertText('\nNotes:')
    await converged([alice, bob], 'Agenda:\nNotes:')
    await caretToEndOfLine(alice, 0)
    await caretToEndOfLine(bob, 1)
    const aliceTypes = ' ship the editor'
    const bobTypes = ' carets look right'
    await Promise.all([
      editor(alice).pressSequentially(aliceTypes, { delay: 15 }),
      editor(bob).pressSequentially(bobTypes, { delay: 15 }),
    ])
    const together = `Agenda:${aliceTypes}\nNotes:${bobTypes}`
    await converged([alice, bob], together)

    // Each sees the other's caret where it is (sent on the last key), drawn over the text.
    await caretToEndOfLine(alice, 0)
    await caretToEndOfLine(bob, 1)
    await expect.poll(() => caretOf(bob, 'alice')).toBe(String(`Agenda:${aliceTypes}`.length))
    await expect.poll(() => caretOf(alice, 'bob')).toBe(String(together.length))
    await bob.getByTestId('collab-caret-alice').waitFor()
    await alice.getByTestId('collab-caret-bob').waitFor()
    await screenshot(bob.getByTestId('collab'), 'collab')
    // With a peer, its caret and name flag on the page: still no axe violation.
    expect(await axeViolations(bob)).toEqual([])

    // Undo on alice's page takes back alice's last change only; redo brings it back.
    await pastUndoGrouping(alice)
    await caretToEndOfLine(alice, 1)
    await alice.keyboard.insertText(' (alice)')
    const withAlice = `${together} (alice)`
    await converged([alice, bob], withAlice)
    await pastUndoGrouping(bob)
    await caretToEndOfLine(bob, 0)
    await bob.keyboard.insertText('!')
    const withBoth = `Agenda:${aliceTypes}!\nNotes:${bobTypes} (alice)`
    await converged([alice, bob], withBoth)
    await alice.getByTestId('collab-undo').click()
    await converged([alice, bob], `Agenda:${aliceTypes}!\nNotes:${bobTypes}`)
    await alice.getByTestId('collab-redo').click()
    await converged([alice, bob], withBoth)
    // The keyboard's undo in the textarea is the document's too (not the textarea's own).
    await editor(alice).focus()
    await alice.keyboard.press('Control+z')
    await converged([alice, bob], `Agenda:${aliceTypes}!\nNotes:${bobTypes}`)
    await alice.keyboard.press('Control+Shift+z')
    await converged([alice, bob], withBoth)

    // Alice goes offline: she keeps typing, sees it is offline and unsynced; bob types too.
    link.cut()
    await expect.poll(() => statusOf(alice), { timeout: UI_TIMEOUT }).toBe('offline')
    await alice.getByTestId('collab-offline').waitFor()
    await caretToEndOfLine(alice, 0)
    await alice.keyboard.insertText(' [offline]')
    await expect.poll(() => unsyncedOf(alice)).toBeGreaterThan(0)
    await caretToEndOfLine(bob, 1)
    await bob.keyboard.insertText(' [online]')
    await expect.poll(() => textOf(bob)).toBe(`${withBoth} [online]`)
    await screenshot(alice.getByTestId('collab'), 'collab-offline')
    expect(await axeViolations(alice)).toEqual([])
    expect(await textOf(alice)).toBe(`Agenda:${aliceTypes}! [offline]\nNotes:${bobTypes} (alice)`)
    // Bob no longer sees alice's caret while she is away (the server dropped her awareness).
    await expectCount(bob.getByTestId('collab-peer-alice'), 0)

    // Back: both edits merge on both pages, nothing left unsynced.
    link.restore()
    await connected(alice)
    await synced(alice)
    const merged = `Agenda:${aliceTypes}! [offline]\nNotes:${bobTypes} (alice) [online]`
    await converged([alice, bob], merged)
    await bob.getByTestId('collab-peer-alice').waitFor()

    // Bob closes his tab: his caret leaves alice's page (no ghost).
    await world.closePage(bob)
    await expectCount(alice.getByTestId('collab-peer-bob'), 0)
    await expectCount(alice.getByTestId('collab-caret-bob'), 0)
    await world.closePage(alice)
  })

  it('keeps edits typed offline through a reload (IndexedDB), then sends them once', async () => {
    const { page: alice, link } = await openWithLink(world, 'alice')
    const bob = await world.openAs('bob')
    await synced(alice)
    await synced(bob)
    // The document as the first test left it (the server keeps it), and a line of alice's:
    // never empty, so bob's insert at the start and alice's at the end cannot meet.
    await editor(alice).focus()
    await alice.keyboard.press('Control+End')
    await alice.keyboard.insertText('\nReload:')
    const before = await textOf(alice)
    await converged([alice, bob], before)

    link.cut()
    await expect.poll(() => statusOf(alice), { timeout: UI_TIMEOUT }).toBe('offline')
    await editor(alice).focus()
    await alice.keyboard.press('Control+End')
    const typed = '\nTyped offline, then reloaded.'
    await alice.keyboard.insertText(typed)
    // Bob, online, types at the start meanwhile: both merge once alice is back.
    await editor(bob).focus()
    await bob.keyboard.press('Control+Home')
    await bob.keyboard.insertText('B: ')
    await expect.poll(() => textOf(bob), { timeout: UI_TIMEOUT }).toBe(`B: ${before}`)
    const offline = `${before}${typed}`
    expect(await textOf(alice)).toBe(offline)
    const unsynced = await unsyncedOf(alice)
    expect(unsynced).toBeGreaterThan(0)
    // Saved (1 s after the change), the offline text in it: the reload may abort later writes.
    await expect
      .poll(() => storedDocument(alice, 'redux-realtime-example:alice'), { timeout: UI_TIMEOUT })
      .toEqual({ unsynced, text: offline })

    // Reload, still offline: the page signs in again (sessionStorage), its socket is refused.
    await alice.reload()
    await expect.poll(() => textOf(alice), { timeout: UI_TIMEOUT }).toBe(offline)
    expect(await statusOf(alice)).not.toBe('synced')
    await expect.poll(() => unsyncedOf(alice), { timeout: UI_TIMEOUT }).toBe(unsynced)
    await alice.getByTestId('collab-offline').waitFor()
    await screenshot(alice.getByTestId('collab'), 'collab-reloaded-offline')
    // Nothing of it reached bob while alice was away.
    expect(await textOf(bob)).toBe(`B: ${before}`)

    link.restore()
    await connected(alice)
    await synced(alice)
    const merged = `B: ${before}${typed}`
    await converged([alice, bob], merged)
    // Exactly once on the server too (no insert applied twice), and nothing more comes later.
    expect(await serverText(world)).toBe(merged)
    // The next save (1 s after the ack) stores nothing as unsynced: a later reload sends nothing.
    await expect
      .poll(() => storedDocument(alice, 'redux-realtime-example:alice'), { timeout: UI_TIMEOUT })
      .toEqual({ unsynced: 0, text: merged })
    expect(await textOf(bob)).toBe(merged)
    await world.closePage(alice)
    await world.closePage(bob)
  })

  it('shows a viewer the text read-only, undo/redo off and why; their typing changes nothing anywhere', async () => {
    const bob = await world.openAs('bob')
    await synced(bob)
    await editor(bob).focus()
    await bob.keyboard.press('Control+End')
    await bob.keyboard.insertText('\nFor viewers:')
    const shared = await textOf(bob)
    await converged([bob], shared)

    // The dev server lets `viewer` only view documents (its demo rule).
    const viewer = await world.openAs('viewer')
    await synced(viewer)
    await expect.poll(() => textOf(viewer), { timeout: UI_TIMEOUT }).toBe(shared)
    await viewer.getByTestId('collab-view-only').waitFor()
    expect(await editor(viewer).getAttribute('readonly')).not.toBeNull()
    expect(await viewer.getByTestId('collab-undo').isDisabled()).toBe(true)
    expect(await viewer.getByTestId('collab-redo').isDisabled()).toBe(true)

    // Typing, deleting, pasting and the keyboard's undo: none of it changes the text.
    await editor(viewer).focus()
    await viewer.keyboard.press('Control+End')
    await viewer.keyboard.type('sneaky')
    await viewer.keyboard.press('Backspace')
    await viewer.keyboard.insertText(' pasted')
    await viewer.keyboard.press('Control+z')
    await viewer.keyboard.press('Control+Shift+z')
    expect(await textOf(viewer)).toBe(shared)
    expect(await unsyncedOf(viewer)).toBe(0)

    // Bob types after all that: once the viewer sees it, anything of the viewer's would have
    // reached bob first (one server, one order); neither has anything but bob's text.
    await bob.keyboard.insertText(' read me')
    const after = `${shared} read me`
    await converged([bob, viewer], after)
    expect(await serverText(world)).toBe(after)
    await expect.poll(() => textOf(bob), { timeout: UI_TIMEOUT }).toBe(after)
    await screenshot(viewer.getByTestId('collab'), 'collab-view-only')
    expect(await axeViolations(viewer)).toEqual([])
    await world.closePage(viewer)
    await world.closePage(bob)
  })
})
