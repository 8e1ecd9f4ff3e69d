import 'fake-indexeddb/auto'
import type { UnknownAction } from '@reduxjs/toolkit'
import * as Y from 'yjs'
import { afterEach, describe, expect, it } from 'vitest'
import { createIndexedDbStorage } from '../../middleware/storage/indexedDb'
import {
  createMemoryDocumentStore,
  createRealtimeServer,
  type AuthorizeRequest,
  type DocumentStore,
  type RealtimeServer,
} from '../../src/server'
import { createCollabPeer, type CollabPeer } from '../support/collabPeer'
import { sleep } from '../support/realtimeWorld'
import { createTcpProxy, seededRandom, type TcpProxy } from '../support/tcpProxy'
import { decodeBase64 } from '../../src/protocol'
import { TEST_SECRET } from '../support/tokens'

/**
 * The collab plugin against the real reference server over real sockets: convergence under
 * cuts, offline edits on both sides, a reload while offline, a viewer refused, awareness
 * without ghosts, and a replayed DevTools log that sends nothing.
 */

const DOC = 'shared-doc'

let server: RealtimeServer | undefined
let store: DocumentStore
const proxies: TcpProxy[] = []
const peers: CollabPeer[] = []

async function start(
  options: {
    authorize?: (request: AuthorizeRequest) => boolean
    rateLimit?: false
    maxPayload?: number
  } = {},
) {
  store = createMemoryDocumentStore()
  server = await createRealtimeServer({
    port: 0,
    host: '127.0.0.1',
    jwt: { secret: TEST_SECRET },
    documents: store,
    ...options,
  })
  return server
}

async function peer(url: string, userId: string, ...rest: ConfigAndCollab): Promise<CollabPeer> {
  const p = await createCollabPeer(url, userId, ...rest)
  peers.push(p)
  return p
}
type ConfigAndCollab =
  Parameters<typeof createCollabPeer> extends [string, string, ...infer R] ? R : never

afterEach(async () => {
  for (const p of peers.splice(0)) p.dispose()
  for (const proxy of proxies.splice(0)) await proxy.close()
  await server?.close()
  server = undefined
})

/** The server's text of `doc`, from its DocumentStore (what is durable). */
async function storedText(doc: string): Promise<string> {
  const state = await store.load(doc)
  const ydoc = new Y.Doc()
  if (state) Y.applyUpdate(ydoc, state)
  return ydoc.getText('content').toJSON()
}

/** Polls (bounded) until `check` holds (after `before`, each time); throws with `describe()` otherwise. */
async function eventually(
  check: () => boolean,
  describe: () => string,
  timeoutMs = 20_000,
  before?: () => Promise<void>,
): Promise<void> {
  for (let waited = 0; waited < timeoutMs; waited += 25) {
    await before?.()
    if (check()) return
    await sleep(25)
  }
  throw new Error(`timed out: ${describe()}`)
}

function open(p: CollabPeer, docId = DOC): Promise<unknown> {
  p.store.dispatch(p.actions.openDocument(docId))
  return p.waitForStatus(docId, 'synced')
}

function type(p: CollabPeer, index: number, insert: string, deleteCount = 0, docId = DOC): void {
  p.store.dispatch(p.actions.editText({ docId, index, deleteCount, insert }))
}

describe('collaborative editing against the reference server', () => {
  it('3 clients × random concurrent inserts and deletes through a cutting proxy converge with the server, nothing unsynced', async () => {
    const srv = await start()
    const proxy = await createTcpProxy({ targetPort: srv.port })
    proxies.push(proxy)
    const clients = await Promise.all(
      ['ann', 'ben', 'cat'].map((userId) => peer(proxy.url, userId)),
    )
    /** Client step 2 frames: changes re-covered after a reconnect. */
    let recoveries = 0
    for (const c of clients) {
      c.realtime.inspector.subscribe((frame) => {
        if (frame.direction !== 'out' || !('frame' in frame)) return
        const f = frame.frame
        if (f.type === 'doc_sync' && f.data.step === 2) recoveries++
      })
      c.store.dispatch(c.actions.connect())
    }
    await Promise.all(clients.map((c) => open(c)))

    const random = seededRandom(11)
    const OPS_PER_CLIENT = 700
    let operations = 0
    for (let round = 0; round < OPS_PER_CLIENT; round++) {
      for (const c of clients) {
        const length = c.liveText(DOC)?.length ?? 0
        const index = Math.floor(random() * (length + 1))
        if (length > 0 && random() < 0.4) {
          type(c, Math.min(index, length - 1), '', 1 + Math.floor(random() * 3))
        } else {
          const chars = 'abcdefghij'.slice(0, 1 + Math.floor(random() * 3))
          type(c, index, chars)
        }
        operations++
      }
      if (round % 10 === 9) await sleep(2)
      // Cut every connection now and then: in-flight updates are lost on the wire.
      if (round % 150 === 75) proxy.cutAll()
    }
    // Last, changes that are only in flight when the connection dies: written into a dead link
    // (never acked), with nothing typed after them to carry them along.
    await sleep(200)
    proxy.blackhole(true)
    for (const c of clients) type(c, 0, `[last of ${c.userId}]`)
    await sleep(100)
    proxy.cutAll()
    proxy.blackhole(false)
    operations += clients.length
    expect(operations).toBeGreaterThanOrEqual(2000)
    expect(proxy.stats().cuts).toBeGreaterThanOrEqual(4)

    await eventually(
      () => {
        const docs = clients.map((c) => c.doc(DOC))
        return (
          docs.every((d) => d?.status === 'synced' && d.unsyncedChanges === 0) &&
          new Set(clients.map((c) => c.liveText(DOC))).size === 1
        )
      },
      () => JSON.stringify(clients.map((c) => ({ ...c.doc(DOC), live: c.liveText(DOC) }))),
    )
    expect(recoveries, 'unacked changes re-covered by a step 2 after cuts').toBeGreaterThan(0)
    const text = clients[0]?.liveText(DOC)
    for (const c of clients) expect(text).toContain(`[last of ${c.userId}]`)
    expect(await storedText(DOC)).toBe(text)
    // The throttled snapshot in state catches up too.
    await eventually(
      () => clients.every((c) => c.doc(DOC)?.text === text),
      () => 'snapshots',
    )
    for (const c of clients) expect(c.doc(DOC)?.unsyncedChanges).toBe(0)
  })

  it('a 5 MB document syncs through a 64 KiB maxPayload with no reconnect, and an edit follows', async () => {
    const documents = createMemoryDocumentStore()
    const big = new Y.Doc()
    const text = 'lorem ipsum dolor sit amet, '.repeat(Math.ceil((5 * 1024 * 1024) / 28))
    big.getText('content').insert(0, text)
    await documents.append(DOC, Y.encodeStateAsUpdate(big))
    store = documents
    server = await createRealtimeServer({
      port: 0,
      host: '127.0.0.1',
      jwt: { secret: TEST_SECRET },
      documents,
      maxPayload: 64 * 1024,
      maxBufferedBytes: 256 * 1024,
      rateLimit: false,
    })
    // A short heartbeat: a first sync that starved the connection would reconnect here.
    const alice = await peer(server.url, 'alice', {
      heartbeatInterval: 500,
      heartbeatTimeout: 1000,
    })
    alice.store.dispatch(alice.actions.connect())
    alice.store.dispatch(alice.actions.openDocument(DOC))
    await alice.waitForStatus(DOC, 'synced', 30_000)
    expect(alice.liveText(DOC)).toBe(text)
    // Too big for a snapshot in state.
    expect(alice.doc(DOC)).toMatchObject({ text: null, textTruncated: true, unsyncedChanges: 0 })
    type(alice, 0, 'Title\n')
    await alice.waitFor(
      (s) => alice.realtime.selectors.selectDocument(s, DOC)?.unsyncedChanges === 0,
    )
    expect(alice.dispatched.filter((a) => a.type === 'realtime/connection/closed')).toEqual([])
    expect((await storedText(DOC)).startsWith('Title\nlorem ipsum')).toBe(true)
  })

  it('edits made offline on both sides merge on reconnect', async () => {
    const srv = await start({ rateLimit: false })
    const alice = await peer(srv.url, 'alice')
    const bob = await peer(srv.url, 'bob')
    for (const p of [alice, bob]) p.store.dispatch(p.actions.connect())
    await Promise.all([open(alice), open(bob)])
    type(alice, 0, 'shared ')
    await bob.waitFor((s) => bob.realtime.selectors.selectDocument(s, DOC)?.text === 'shared ')

    alice.store.dispatch(alice.actions.disconnect())
    await alice.waitForStatus(DOC, 'offline')
    type(alice, 7, 'alice-offline ')
    type(bob, 0, 'bob-online ')
    await bob.waitFor((s) => bob.realtime.selectors.selectDocument(s, DOC)?.unsyncedChanges === 0)
    bob.store.dispatch(bob.actions.disconnect())
    await bob.waitForStatus(DOC, 'offline')
    type(bob, 0, 'bob-offline ')
    expect(alice.doc(DOC)?.unsyncedChanges).toBe(1)
    expect(bob.doc(DOC)?.unsyncedChanges).toBe(1)

    for (const p of [alice, bob]) p.store.dispatch(p.actions.connect())
    await eventually(
      () =>
        [alice, bob].every(
          (p) => p.doc(DOC)?.status === 'synced' && p.doc(DOC)?.unsyncedChanges === 0,
        ) && alice.liveText(DOC) === bob.liveText(DOC),
      () => JSON.stringify([alice.doc(DOC), bob.doc(DOC)]),
    )
    const text = alice.liveText(DOC) ?? ''
    for (const part of ['shared ', 'alice-offline ', 'bob-online ', 'bob-offline ']) {
      expect(text).toContain(part)
    }
    expect(await storedText(DOC)).toBe(text)
  })

  it('a reload while offline keeps the edits (IndexedDB), and they reach the server once connected', async () => {
    const srv = await start({ rateLimit: false })
    const name = `collab-reload-${Date.now()}`
    const first = await peer(srv.url, 'alice', {
      storage: createIndexedDbStorage({ name, locks: null }),
    })
    first.store.dispatch(first.actions.connect())
    await open(first)
    type(first, 0, 'before ')
    await first.waitFor(
      (s) => first.realtime.selectors.selectDocument(s, DOC)?.unsyncedChanges === 0,
    )
    first.store.dispatch(first.actions.disconnect())
    await first.waitForStatus(DOC, 'offline')
    type(first, 7, 'typed offline')
    // The page goes away: closing the document saves it (as pagehide does).
    first.store.dispatch(first.actions.closeDocument(DOC))
    await sleep(100)

    // The reloaded page, still offline.
    const second = await peer(srv.url, 'alice', {
      storage: createIndexedDbStorage({ name, locks: null }),
    })
    second.store.dispatch(second.actions.openDocument(DOC))
    await second.waitFor(
      (s) => second.realtime.selectors.selectDocument(s, DOC)?.text === 'before typed offline',
    )
    expect(second.doc(DOC)?.unsyncedChanges).toBeGreaterThan(0)
    expect(second.doc(DOC)?.status).toBe('connecting')
    expect(await storedText(DOC)).toBe('before ')

    second.store.dispatch(second.actions.connect())
    await second.waitFor((s) => {
      const d = second.realtime.selectors.selectDocument(s, DOC)
      return d?.status === 'synced' && d.unsyncedChanges === 0
    })
    expect(await storedText(DOC)).toBe('before typed offline')
    const bob = await peer(srv.url, 'bob')
    bob.store.dispatch(bob.actions.connect())
    await open(bob)
    expect(bob.liveText(DOC)).toBe('before typed offline')
  })

  it('a 1 MB paste and a 1 MB change on the Y.Doc go through a 64 KiB limit in parts and reach the other client', async () => {
    const srv = await start({ maxPayload: 64 * 1024 })
    const alice = await peer(srv.url, 'alice')
    const bob = await peer(srv.url, 'bob')
    /** The part counts of the updates alice sent in parts. */
    const split: number[] = []
    alice.realtime.inspector.subscribe((frame) => {
      if (frame.direction !== 'out' || !('frame' in frame)) return
      const f = frame.frame
      if (f.type === 'doc_update' && f.data.part === 0 && f.data.parts !== undefined)
        split.push(f.data.parts)
    })
    for (const p of [alice, bob]) p.store.dispatch(p.actions.connect())
    await Promise.all([open(alice), open(bob)])

    const paste = 'lorem ipsum dolor sit amet, '.repeat(Math.ceil((1024 * 1024) / 28))
    type(alice, 0, paste)
    const direct = 'consectetur adipiscing elit; '.repeat(Math.ceil((1024 * 1024) / 29))
    alice.realtime.documents.get(DOC)?.getText('content').insert(paste.length, direct)
    expect(alice.doc(DOC)?.unsyncedChanges).toBe(2)
    await eventually(
      () => alice.doc(DOC)?.unsyncedChanges === 0 && bob.liveText(DOC) === paste + direct,
      () => JSON.stringify({ alice: alice.doc(DOC), bob: bob.liveText(DOC)?.length }),
    )
    // One update each, never merged into one above the limit.
    expect(split).toHaveLength(2)
    expect(split.every((parts) => parts > 10)).toBe(true)
    expect(alice.doc(DOC)?.lastError).toBeUndefined()
    expect(alice.dispatched.filter((a) => a.type === 'realtime/connection/closed')).toEqual([])
    expect(await storedText(DOC)).toBe(paste + direct)
  })

  it('offline changes above the frame limit, restored from storage after a reload, reach the server in parts', async () => {
    const srv = await start({ maxPayload: 64 * 1024 })
    const name = `collab-reload-big-${Date.now()}`
    const first = await peer(srv.url, 'alice', {
      storage: createIndexedDbStorage({ name, locks: null }),
    })
    first.store.dispatch(first.actions.connect())
    await open(first)
    type(first, 0, 'before ')
    await first.waitFor(
      (s) => first.realtime.selectors.selectDocument(s, DOC)?.unsyncedChanges === 0,
    )
    first.store.dispatch(first.actions.disconnect())
    await first.waitForStatus(DOC, 'offline')
    const offline = 'typed offline, '.repeat(20_000)
    type(first, 7, offline)
    const expected = `before ${offline}`
    first.store.dispatch(first.actions.closeDocument(DOC))
    // The save has landed once the storage holds the offline text.
    const reader = createIndexedDbStorage({ name, locks: null })
    let savedLength = 0
    await eventually(
      () => savedLength === expected.length,
      () => `saved ${savedLength} of ${expected.length}`,
      20_000,
      async () => {
        const stored = await reader.loadDocument?.(DOC)
        const bytes = stored && decodeBase64(stored.state)
        const ydoc = new Y.Doc()
        if (bytes) Y.applyUpdate(ydoc, bytes)
        savedLength = ydoc.getText('content').length
      },
    )
    first.dispose()

    // The reloaded page, offline, then online.
    const second = await peer(srv.url, 'alice', {
      storage: createIndexedDbStorage({ name, locks: null }),
    })
    const parts: number[] = []
    second.realtime.inspector.subscribe((frame) => {
      if (frame.direction !== 'out' || !('frame' in frame)) return
      const f = frame.frame
      if (f.type === 'doc_sync' && f.data.step === 2 && f.data.part === 0)
        parts.push(f.data.parts ?? 1)
    })
    second.store.dispatch(second.actions.openDocument(DOC))
    await eventually(
      () => second.liveText(DOC) === expected,
      () => `${second.liveText(DOC)?.length}`,
    )
    expect(second.doc(DOC)?.unsyncedChanges).toBeGreaterThan(0)
    expect(await storedText(DOC)).toBe('before ')

    second.store.dispatch(second.actions.connect())
    await second.waitFor((s) => {
      const d = second.realtime.selectors.selectDocument(s, DOC)
      return d?.status === 'synced' && d.unsyncedChanges === 0
    }, 20_000)
    expect(parts).toHaveLength(1)
    expect(parts[0]).toBeGreaterThan(1)
    expect(second.doc(DOC)?.lastError).toBeUndefined()
    expect(await storedText(DOC)).toBe(expected)
  })

  it('a viewer is refused: the error is in the document and the connection, and the edit reaches no one', async () => {
    const srv = await start({
      rateLimit: false,
      authorize: (request) => !(request.userId === 'viewer' && request.action === 'edit'),
    })
    const editor = await peer(srv.url, 'editor')
    const viewer = await peer(srv.url, 'viewer')
    for (const p of [editor, viewer]) p.store.dispatch(p.actions.connect())
    await Promise.all([open(editor), open(viewer)])
    expect(viewer.doc(DOC)?.access).toBe('view')
    expect(editor.doc(DOC)?.access).toBe('edit')

    // Through the command: refused at once, never sent.
    type(viewer, 0, 'via command')
    expect(viewer.doc(DOC)?.lastError?.code).toBe('FORBIDDEN')
    // Straight on the Y.Doc (an editor binding): the server refuses it.
    viewer.realtime.documents.get(DOC)?.getText('content').insert(0, 'sneaky')
    await viewer.waitFor(
      (s) =>
        viewer.realtime.selectors
          .selectDocument(s, DOC)
          ?.lastError?.message.includes('not allowed to edit') === true,
    )
    const connectionError = viewer.realtime.selectors.selectRealtime(viewer.store.getState())
      .connection.lastError
    expect(connectionError?.code).toBe('FORBIDDEN')

    type(editor, 0, 'from the editor')
    await viewer.waitFor((s) =>
      (viewer.realtime.selectors.selectDocument(s, DOC)?.text ?? '').includes('from the editor'),
    )
    await editor.waitFor(
      (s) => editor.realtime.selectors.selectDocument(s, DOC)?.unsyncedChanges === 0,
    )
    expect(editor.liveText(DOC)).toBe('from the editor')
    expect(await storedText(DOC)).toBe('from the editor')
    expect(viewer.doc(DOC)?.unsyncedChanges).toBe(0)
  })

  it("awareness: a peer's cursor appears, and it is gone once that peer's connection closes", async () => {
    const srv = await start({ rateLimit: false })
    const alice = await peer(srv.url, 'alice', {}, { user: { name: 'Alice', color: '#ff0000' } })
    const bob = await peer(srv.url, 'bob')
    for (const p of [alice, bob]) p.store.dispatch(p.actions.connect())
    await Promise.all([open(alice), open(bob)])
    type(alice, 0, 'hello')
    alice.store.dispatch(alice.actions.setCursor({ docId: DOC, anchor: 2, head: 5 }))
    await bob.waitFor((s) =>
      (bob.realtime.selectors.selectDocument(s, DOC)?.peers ?? []).some(
        (p) => p.userId === 'alice' && p.cursor?.head === 5,
      ),
    )
    expect(bob.doc(DOC)?.peers).toEqual([
      { userId: 'alice', name: 'Alice', color: '#ff0000', cursor: { anchor: 2, head: 5 } },
    ])
    await alice.waitFor(
      (s) => alice.realtime.selectors.selectDocument(s, DOC)?.peers[0]?.userId === 'bob',
    )
    expect(alice.doc(DOC)?.peers).toHaveLength(1)

    // The tab closes without a word: the server drops alice's awareness.
    alice.dispose()
    await bob.waitFor(
      (s) => bob.realtime.selectors.selectDocument(s, DOC)?.peers.length === 0,
      5_000,
    )
  })

  it('replaying the recorded DevTools log re-sends nothing and changes no document', async () => {
    const srv = await start({ rateLimit: false })
    const alice = await peer(srv.url, 'alice')
    const bob = await peer(srv.url, 'bob')
    const sentBy = new Map<CollabPeer, string[]>()
    for (const p of [alice, bob]) {
      const sent: string[] = []
      sentBy.set(p, sent)
      p.realtime.inspector.subscribe((frame) => {
        if (frame.direction === 'out' && 'frame' in frame) sent.push(frame.frame.type)
      })
      p.store.dispatch(p.actions.connect())
    }
    await Promise.all([open(alice), open(bob)])
    type(alice, 0, 'one ')
    type(bob, 0, 'two ')
    alice.store.dispatch(alice.actions.setCursor({ docId: DOC, anchor: 1, head: 1 }))
    alice.store.dispatch(alice.actions.undo(DOC))
    alice.store.dispatch(alice.actions.redo(DOC))
    await eventually(
      () =>
        [alice, bob].every((p) => p.doc(DOC)?.unsyncedChanges === 0) &&
        alice.liveText(DOC) === bob.liveText(DOC) &&
        alice.doc(DOC)?.text === alice.liveText(DOC),
      () => JSON.stringify([alice.doc(DOC), bob.doc(DOC)]),
    )
    const log = alice.dispatched
      .filter((a) => a.type.startsWith('realtime/'))
      .map((a) => JSON.stringify(a))
    const types = new Set(log.map((a) => (JSON.parse(a) as UnknownAction).type))
    for (const t of [
      'realtime/openDocument',
      'realtime/editText',
      'realtime/documents/textChanged',
      'realtime/documents/unsyncedChanged',
      'realtime/documents/peersChanged',
    ]) {
      expect(types, `the log has ${t}`).toContain(t)
    }
    const text = alice.liveText(DOC)
    await sleep(200)
    // Into alice's own store the whole log (its commands carry ids it acted on already); into
    // bob's the events (commands from another store are new intent there, as in the core).
    const commands = new Set<string>(
      (Object.values(alice.actions) as unknown[])
        .filter((c): c is { type: string } => typeof c === 'function' && 'type' in c)
        .map((c) => c.type),
    )
    for (const p of [alice, bob]) {
      const sent = sentBy.get(p) ?? []
      const before = sent.length
      const replayed = p === alice ? log : log.filter((a) => !commands.has(JSON.parse(a).type))
      for (const action of replayed) p.store.dispatch(JSON.parse(action) as UnknownAction)
      await sleep(300)
      expect(
        sent.slice(before).filter((t) => t !== 'ping'),
        `${p.userId} sent`,
      ).toEqual([])
      expect(p.liveText(DOC)).toBe(text)
    }
  })
})
