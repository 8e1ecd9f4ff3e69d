import { configureStore, type UnknownAction } from '@reduxjs/toolkit'
import * as Y from 'yjs'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryStorage } from '../../../middleware/storage'
import { createCollab } from '../../../src/collab'
import { createRealtime } from '../../../src/createRealtime'
import { encodeBase64 } from '../../../src/protocol/docFrames'
import { createFakeDocServer } from '../../support/fakeDocServer'
import { FakeSocket, authOk, serverFrame, tick } from '../middleware/harness'

/**
 * The collab plugin against a FakeSocket and a Yjs document playing the server's part: what
 * goes out on the wire, when, and what state says. The real server is in
 * test/integration/collab.test.ts.
 */

const DOC = 'doc-1'

function setup() {
  const realtime = createRealtime({
    url: 'ws://127.0.0.1:1',
    WebSocket: FakeSocket,
    networkEvents: null,
    authToken: 't',
    reconnectInterval: 10,
    maxReconnectDelay: 10,
    plugins: [createCollab({ user: { name: 'Alice', color: '#123456' }, textThrottleMs: 50 })],
  })
  const dispatched: UnknownAction[] = []
  const store = configureStore({
    reducer: { realtime: realtime.reducer },
    middleware: (getDefault) =>
      getDefault()
        .prepend(realtime.middleware)
        .concat(() => (next: (a: unknown) => unknown) => (action: unknown) => {
          dispatched.push(action as UnknownAction)
          return next(action)
        }),
  })
  const fake = createFakeDocServer()
  const server = fake.doc
  const doc = () => realtime.selectors.selectDocument(store.getState(), DOC)
  const text = fake.text
  const serve = (...args: Parameters<typeof fake.serve>) => fake.serve(...args)

  async function connect(): Promise<FakeSocket> {
    store.dispatch(realtime.actions.connect())
    await tick()
    const socket = FakeSocket.latest()
    socket.open()
    await tick()
    socket.deliver(authOk())
    await tick()
    return socket
  }

  return { realtime, store, dispatched, server, doc, text, serve, connect }
}

let errors: ReturnType<typeof vi.spyOn>

beforeEach(() => {
  vi.useFakeTimers()
  FakeSocket.instances = []
  // RTK's serializability and immutability checks report through console.error.
  errors = vi.spyOn(console, 'error')
})

afterEach(() => {
  expect(errors, 'no RTK check complained (binary in state or actions)').not.toHaveBeenCalled()
  vi.restoreAllMocks()
  vi.useRealTimers()
})

describe('collab plugin', () => {
  it('opens with step 1, assembles a step 2 sent in parts, and is synced with the server text', async () => {
    const t = setup()
    t.server.getText('content').insert(0, 'x'.repeat(5000))
    const socket = await t.connect()
    t.store.dispatch(t.realtime.actions.openDocument(DOC))
    await tick()
    expect(socket.types()).toContain('doc_sync')
    expect(t.doc()?.status).toBe('syncing')
    t.serve(socket, 'edit', 700)
    await tick(100)
    expect(t.doc()).toMatchObject({
      status: 'synced',
      access: 'edit',
      text: 'x'.repeat(5000),
      unsyncedChanges: 0,
    })
    expect(t.realtime.documents.get(DOC)?.getText('content').length).toBe(5000)
  })

  it('sends an edit as doc_update, counts it unsynced until acked, and merges edits made while waiting', async () => {
    const t = setup()
    const socket = await t.connect()
    t.store.dispatch(t.realtime.actions.openDocument(DOC))
    await tick()
    t.serve(socket)
    await tick()
    for (const ch of 'hello') {
      const len = t.realtime.documents.get(DOC)?.getText('content').length ?? 0
      t.store.dispatch(
        t.realtime.actions.editText({ docId: DOC, index: len, deleteCount: 0, insert: ch }),
      )
    }
    expect(t.doc()?.unsyncedChanges).toBe(5)
    await tick()
    // Five edits in one tick: one frame.
    expect(socket.types().filter((type) => type === 'doc_update')).toHaveLength(1)
    expect(t.doc()?.unsyncedChanges).toBe(5)
    t.serve(socket)
    await tick(100)
    expect(t.text()).toBe('hello')
    expect(t.doc()).toMatchObject({ unsyncedChanges: 0, text: 'hello' })
  })

  it('keeps edits made offline and sends them in its step 2 after reconnecting', async () => {
    const t = setup()
    const socket = await t.connect()
    t.store.dispatch(t.realtime.actions.openDocument(DOC))
    await tick()
    t.serve(socket)
    await tick()
    t.store.dispatch(
      t.realtime.actions.editText({ docId: DOC, index: 0, deleteCount: 0, insert: 'sent' }),
    )
    await tick()
    // Written, never acked: the connection drops.
    socket.serverClose(1006)
    await tick()
    expect(t.doc()).toMatchObject({ status: 'offline', unsyncedChanges: 1 })
    t.store.dispatch(
      t.realtime.actions.editText({ docId: DOC, index: 4, deleteCount: 0, insert: '+offline' }),
    )
    t.server.getText('content').insert(0, 'server:')
    expect(t.doc()?.unsyncedChanges).toBe(2)

    await tick(50)
    const next = FakeSocket.latest()
    expect(next).not.toBe(socket)
    next.open()
    await tick()
    next.deliver(authOk())
    await tick()
    t.serve(next)
    await tick()
    const step2 = next.frames().filter((f) => f.type === 'doc_sync' && f.data.step === 2)
    expect(step2).toHaveLength(1)
    t.serve(next)
    await tick(100)
    // Concurrent inserts at 0: Yjs orders them by client id; both sides agree.
    expect(['server:sent+offline', 'sent+offlineserver:']).toContain(t.text())
    expect(t.doc()).toMatchObject({ status: 'synced', unsyncedChanges: 0, text: t.text() })
  })

  it('paces doc_update frames by the server rate limit and merges what waits', async () => {
    const t = setup()
    t.store.dispatch(t.realtime.actions.connect())
    await tick()
    const socket = FakeSocket.latest()
    socket.open()
    await tick()
    socket.deliver(
      serverFrame('auth_ok', {
        data: {
          userId: 'alice',
          sessionId: 's',
          epoch: 'e',
          rateLimit: { messages: 5, perMs: 1000 },
        },
      }),
    )
    await tick()
    t.store.dispatch(t.realtime.actions.openDocument(DOC))
    await tick()
    t.serve(socket)
    await tick()
    for (let i = 0; i < 40; i++) {
      t.store.dispatch(
        t.realtime.actions.editText({ docId: DOC, index: i, deleteCount: 0, insert: 'a' }),
      )
      await tick(20)
      t.serve(socket)
    }
    await tick(3000)
    t.serve(socket)
    await tick(100)
    const updates = socket.frames().filter((f) => f.type !== 'ping' && f.type !== 'auth')
    // 40 edits over 0.8 s at 4 frames a second (80 % of 5): far fewer frames than edits.
    expect(updates.length).toBeLessThan(15)
    expect(t.text()).toBe('a'.repeat(40))
    expect(t.doc()?.unsyncedChanges).toBe(0)
  })

  it('refuses editText locally once the server says view, with the error in both lastErrors', async () => {
    const t = setup()
    const socket = await t.connect()
    t.store.dispatch(t.realtime.actions.openDocument(DOC))
    await tick()
    t.serve(socket, 'view')
    await tick()
    expect(t.doc()?.access).toBe('view')
    t.store.dispatch(
      t.realtime.actions.editText({ docId: DOC, index: 0, deleteCount: 0, insert: 'no' }),
    )
    await tick()
    expect(socket.types()).not.toContain('doc_update')
    expect(t.doc()?.lastError?.code).toBe('FORBIDDEN')
    expect(t.realtime.selectors.selectRealtime(t.store.getState()).connection.lastError?.code).toBe(
      'FORBIDDEN',
    )
    expect(t.realtime.documents.get(DOC)?.getText('content').toJSON()).toBe('')
  })

  it('changes made before the server says view only are not sent and not left counted', async () => {
    const t = setup()
    const socket = await t.connect()
    t.store.dispatch(t.realtime.actions.openDocument(DOC))
    t.store.dispatch(
      t.realtime.actions.editText({ docId: DOC, index: 0, deleteCount: 0, insert: 'early' }),
    )
    await tick()
    expect(t.doc()?.unsyncedChanges).toBe(1)
    t.serve(socket, 'view')
    await tick(100)
    expect(t.doc()).toMatchObject({ access: 'view', unsyncedChanges: 0, status: 'synced' })
    expect(t.doc()?.lastError?.code).toBe('FORBIDDEN')
    expect(socket.types()).not.toContain('doc_update')
    expect(socket.frames().filter((f) => f.type === 'doc_sync' && f.data.step === 2)).toEqual([])
  })

  it('a command re-dispatched from a log (same id) touches no document and no socket', async () => {
    const t = setup()
    const socket = await t.connect()
    t.store.dispatch(t.realtime.actions.openDocument(DOC))
    await tick()
    t.serve(socket)
    await tick()
    t.store.dispatch(
      t.realtime.actions.editText({ docId: DOC, index: 0, deleteCount: 0, insert: 'once' }),
    )
    await tick()
    const sentBefore = socket.sent.length
    const log = t.dispatched
      .filter((a) => a.type.startsWith('realtime/'))
      .map((a) => JSON.parse(JSON.stringify(a)) as UnknownAction)
    for (const action of log) t.store.dispatch(action)
    await tick(200)
    expect(socket.sent.length).toBe(sentBefore)
    expect(t.realtime.documents.get(DOC)?.getText('content').toJSON()).toBe('once')
    // No action carries bytes: the whole log survived JSON unchanged.
    expect(JSON.parse(JSON.stringify(t.dispatched))).toEqual(t.dispatched)
  })

  it('shows peers from awareness, validated, and drops them when the connection drops', async () => {
    const t = setup()
    const socket = await t.connect()
    t.store.dispatch(t.realtime.actions.openDocument(DOC))
    await tick()
    t.serve(socket)
    await tick()
    const bob = new Y.Doc()
    const { Awareness, encodeAwarenessUpdate } = await import('y-protocols/awareness')
    const bobAwareness = new Awareness(bob)
    bobAwareness.setLocalState({
      user: { userId: 'bob', name: 'Bob', color: '#00ff00', extra: { __proto__: 1 } },
      cursor: { anchor: 1, head: 2 },
    })
    socket.deliver(
      serverFrame('doc_awareness', {
        data: {
          doc: DOC,
          update: encodeBase64(encodeAwarenessUpdate(bobAwareness, [bob.clientID])),
        },
      }),
    )
    await tick()
    expect(t.doc()?.peers).toEqual([
      { userId: 'bob', name: 'Bob', color: '#00ff00', cursor: { anchor: 1, head: 2 } },
    ])
    // Our own awareness went out with the name and colour we gave.
    const ours = socket.frames().filter((f) => f.type === 'doc_awareness')
    expect(ours.length).toBeGreaterThan(0)
    t.store.dispatch(t.realtime.actions.setCursor({ docId: DOC, anchor: 3, head: 3 }))
    await tick()
    expect(socket.frames().filter((f) => f.type === 'doc_awareness').length).toBe(ours.length + 1)

    socket.serverClose(1006)
    await tick()
    expect(t.doc()?.peers).toEqual([])
    bobAwareness.destroy()
  })

  it('bad doc frames change nothing and throw nothing', async () => {
    const t = setup()
    const socket = await t.connect()
    t.store.dispatch(t.realtime.actions.openDocument(DOC))
    await tick()
    t.serve(socket)
    await tick()
    t.store.dispatch(
      t.realtime.actions.editText({ docId: DOC, index: 0, deleteCount: 0, insert: 'kept' }),
    )
    await tick()
    for (const update of ['!!!!', 'AAAA', encodeBase64(new Uint8Array([1, 2, 3, 250, 7]))]) {
      socket.deliver(serverFrame('doc_update', { data: { doc: DOC, update } }))
    }
    socket.deliver(serverFrame('doc_update', { data: { doc: 'not-open', update: 'AAAA' } }))
    socket.deliver(serverFrame('doc_update', { data: { doc: '__proto__', update: 'AAAA' } }))
    socket.deliver(serverFrame('doc_awareness', { data: { doc: DOC, update: 'AAEC' } }))
    await tick(100)
    expect(t.realtime.documents.get(DOC)?.getText('content').toJSON()).toBe('kept')
    expect(t.doc()?.text).toBe('kept')
    expect(t.doc()?.lastError?.code).toBe('INVALID_MESSAGE')
    expect(t.realtime.selectors.selectRealtime(t.store.getState()).connection.state).toBe('open')
  })

  it('a paste and offline edits larger than the frame limit go out in frames that fit it', async () => {
    const t = setup()
    t.store.dispatch(t.realtime.actions.connect())
    await tick()
    const socket = FakeSocket.latest()
    socket.open()
    await tick()
    const LIMIT = 4096
    socket.deliver(
      serverFrame('auth_ok', {
        data: { userId: 'alice', sessionId: 's', epoch: 'e', maxFrameBytes: LIMIT },
      }),
    )
    await tick()
    t.store.dispatch(t.realtime.actions.openDocument(DOC))
    await tick()
    t.serve(socket)
    await tick()
    const paste = 'lorem ipsum 😀 '.repeat(1500)
    t.store.dispatch(
      t.realtime.actions.editText({ docId: DOC, index: 0, deleteCount: 0, insert: paste }),
    )
    for (let i = 0; i < 20 && t.text() !== paste; i++) {
      await tick(50)
      t.serve(socket)
    }
    expect(t.text()).toBe(paste)
    expect(Math.max(...socket.sent.map((text) => text.length))).toBeLessThanOrEqual(LIMIT)
    expect(socket.types().filter((type) => type === 'doc_update').length).toBeGreaterThan(5)

    // Offline: many small edits whose one diff would not fit a frame.
    socket.serverClose(1006)
    await tick()
    for (let i = 0; i < 300; i++) {
      t.store.dispatch(
        t.realtime.actions.editText({
          docId: DOC,
          index: i * 20,
          deleteCount: 0,
          insert: 'x'.repeat(20),
        }),
      )
    }
    await tick(50)
    const next = FakeSocket.latest()
    next.open()
    await tick()
    next.deliver(
      serverFrame('auth_ok', {
        data: { userId: 'alice', sessionId: 's', epoch: 'e', maxFrameBytes: LIMIT },
      }),
    )
    await tick()
    const expected = t.realtime.documents.get(DOC)?.getText('content').toJSON()
    for (let i = 0; i < 20 && t.text() !== expected; i++) {
      t.serve(next)
      await tick(50)
    }
    expect(t.text()).toBe(expected)
    expect(Math.max(...next.sent.map((text) => text.length))).toBeLessThanOrEqual(LIMIT)
    expect(t.doc()?.unsyncedChanges).toBe(0)
    expect(t.doc()?.lastError).toBeUndefined()
  })

  it('asks again after the server failed to open the document; a refused one is not asked again', async () => {
    const t = setup()
    const socket = await t.connect()
    t.store.dispatch(t.realtime.actions.openDocument(DOC))
    t.store.dispatch(t.realtime.actions.openDocument('secret'))
    await tick()
    const step1 = (doc: string) =>
      socket.frames().filter((f) => f.type === 'doc_sync' && f.data.doc === doc)
    const [first] = step1(DOC)
    const [secret] = step1('secret')
    socket.deliver(
      serverFrame('error', {
        data: { code: 'SERVER_ERROR', message: 'store down', refId: first?.id, doc: DOC },
      }),
    )
    socket.deliver(
      serverFrame('error', {
        data: { code: 'FORBIDDEN', message: 'no', refId: secret?.id, doc: 'secret' },
      }),
    )
    await tick()
    expect(t.doc()?.lastError?.code).toBe('SERVER_ERROR')
    expect(t.realtime.selectors.selectDocument(t.store.getState(), 'secret')?.lastError?.code).toBe(
      'FORBIDDEN',
    )
    await tick(1000)
    expect(step1(DOC)).toHaveLength(2)
    expect(step1('secret')).toHaveLength(1)
    t.serve(socket)
    await tick(100)
    expect(t.doc()?.status).toBe('synced')
  })

  it('fuzzed doc frames (random bytes, truncated updates, wrong ids and shapes) change nothing and throw nothing', async () => {
    const t = setup()
    const socket = await t.connect()
    t.store.dispatch(t.realtime.actions.openDocument(DOC))
    await tick()
    t.serve(socket)
    await tick()
    t.store.dispatch(
      t.realtime.actions.editText({ docId: DOC, index: 0, deleteCount: 0, insert: 'stable' }),
    )
    await tick()
    t.serve(socket)
    await tick(100)
    let seed = 7
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff
      return seed / 0x7fffffff
    }
    const bytes = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(random() * 256))
    // A real update of another document, to truncate.
    const other = new Y.Doc()
    other.getText('content').insert(0, 'elsewhere '.repeat(20))
    const real = Y.encodeStateAsUpdate(other)
    const docIds = [DOC, 'not-open', '__proto__', 'constructor', '', 'a b', 42, null]
    for (let i = 0; i < 300; i++) {
      const type = ['doc_sync', 'doc_update', 'doc_awareness', 'doc_close'][i % 4] as string
      const kind = i % 5
      const update =
        kind === 0
          ? encodeBase64(bytes(1 + Math.floor(random() * 40)))
          : kind === 1
            ? encodeBase64(real.subarray(0, Math.floor(random() * real.length)))
            : kind === 2
              ? 'not base64!'
              : kind === 3
                ? encodeBase64(new Uint8Array(0))
                : 12345
      const data: Record<string, unknown> = {
        doc: docIds[Math.floor(random() * docIds.length)],
        update,
        step: [1, 2, 3, undefined][Math.floor(random() * 4)],
        ...(random() < 0.3
          ? { part: Math.floor(random() * 3), parts: Math.floor(random() * 3) }
          : {}),
      }
      socket.deliver(serverFrame(type, { data }))
    }
    socket.deliver('{"v":1,"type":"doc_update","data":')
    await tick(200)
    expect(t.realtime.documents.get(DOC)?.getText('content').toJSON()).toBe('stable')
    expect(t.doc()).toMatchObject({ text: 'stable', unsyncedChanges: 0 })
    expect(t.realtime.selectors.selectRealtime(t.store.getState()).connection.state).toBe('open')
    // Still working: an edit goes out and is acked.
    t.store.dispatch(
      t.realtime.actions.editText({ docId: DOC, index: 6, deleteCount: 0, insert: '!' }),
    )
    await tick()
    t.serve(socket)
    await tick(100)
    expect(t.text()).toBe('stable!')
    expect(t.doc()?.unsyncedChanges).toBe(0)
  })

  it("two tabs on one storage, both offline: each save keeps the other tab's edits", async () => {
    const storage = createMemoryStorage()
    const tab = () => {
      const realtime = createRealtime({
        url: 'ws://127.0.0.1:1',
        WebSocket: FakeSocket,
        networkEvents: null,
        storage,
        plugins: [createCollab()],
      })
      const store = configureStore({
        reducer: { realtime: realtime.reducer },
        middleware: (getDefault) => getDefault().prepend(realtime.middleware),
      })
      return { realtime, store }
    }
    const a = tab()
    const b = tab()
    for (const t of [a, b]) t.store.dispatch(t.realtime.actions.openDocument(DOC))
    await tick()
    const type = (t: typeof a, insert: string) =>
      t.store.dispatch(
        t.realtime.actions.editText({ docId: DOC, index: 0, deleteCount: 0, insert }),
      )
    type(a, 'from A. ')
    type(b, 'from B. ')
    type(b, 'again B. ')
    a.store.dispatch(a.realtime.actions.closeDocument(DOC))
    b.store.dispatch(b.realtime.actions.closeDocument(DOC))
    await tick()
    expect((await storage.loadDocument(DOC))?.unsynced).toBe(3)

    const reloaded = tab()
    reloaded.store.dispatch(reloaded.realtime.actions.openDocument(DOC))
    await tick(200)
    const text = reloaded.realtime.documents.get(DOC)?.getText('content').toJSON() ?? ''
    expect(text).toContain('from A. ')
    expect(text).toContain('again B. from B. ')
    expect(
      reloaded.realtime.selectors.selectDocument(reloaded.store.getState(), DOC),
    ).toMatchObject({ unsyncedChanges: 3, status: 'connecting' })
  })

  it('undo and redo only the own changes', async () => {
    const t = setup()
    const socket = await t.connect()
    t.store.dispatch(t.realtime.actions.openDocument(DOC))
    await tick()
    t.serve(socket)
    await tick()
    t.store.dispatch(
      t.realtime.actions.editText({ docId: DOC, index: 0, deleteCount: 0, insert: 'mine' }),
    )
    await tick()
    t.serve(socket)
    // A peer's change arrives.
    const peer = new Y.Doc()
    Y.applyUpdate(peer, Y.encodeStateAsUpdate(t.server))
    peer.getText('content').insert(4, ' theirs')
    socket.deliver(
      serverFrame('doc_update', {
        data: {
          doc: DOC,
          update: encodeBase64(Y.encodeStateAsUpdate(peer, Y.encodeStateVector(t.server))),
        },
      }),
    )
    await tick(100)
    expect(t.doc()?.text).toBe('mine theirs')
    t.store.dispatch(t.realtime.actions.undo(DOC))
    await tick(100)
    expect(t.doc()?.text).toBe(' theirs')
    t.store.dispatch(t.realtime.actions.redo(DOC))
    await tick(100)
    expect(t.doc()?.text).toBe('mine theirs')
    t.serve(socket)
    await tick(100)
    expect(t.text()).toBe('mine')
    expect(t.doc()?.unsyncedChanges).toBe(0)
  })
})

describe('collab plugin: changes above the frame limit', () => {
  const LIMIT = 4096

  async function connectWithLimit(t: ReturnType<typeof setup>) {
    t.store.dispatch(t.realtime.actions.connect())
    await tick()
    const socket = FakeSocket.latest()
    socket.open()
    await tick()
    socket.deliver(
      serverFrame('auth_ok', {
        data: { userId: 'alice', sessionId: 's', epoch: 'e', maxFrameBytes: LIMIT },
      }),
    )
    await tick()
    t.store.dispatch(t.realtime.actions.openDocument(DOC))
    await tick()
    t.serve(socket)
    await tick()
    return socket
  }

  /** The `[part, parts]` of each doc_update frame sent, in order ([0, 1] for a whole one). */
  const partsSent = (socket: FakeSocket) =>
    socket
      .frames()
      .filter((f) => f.type === 'doc_update')
      .map((f) => {
        const { part = 0, parts = 1 } = f.data as { part?: number; parts?: number }
        return [part, parts, f.id] as const
      })

  const bigText = (n: number, seed: string) =>
    Array.from({ length: n }, (_, i) => seed + String.fromCharCode(97 + (i % 26))).join('')

  it('sends direct Y.Doc changes above the limit in parts, one update after the other, and is back to 0 unsynced once', async () => {
    const t = setup()
    const socket = await connectWithLimit(t)
    const ydoc = t.realtime.documents.get(DOC) as Y.Doc
    const first = bigText(3000, 'x')
    const second = bigText(2500, 'y')
    // Two changes straight on the Y.Doc (an editor binding), each far above one frame.
    ydoc.getText('content').insert(0, first)
    ydoc.getText('content').insert(first.length, second)
    expect(t.doc()?.unsyncedChanges).toBe(2)
    await tick()
    const sent = partsSent(socket)
    // Every part fits the limit; the two updates' parts never interleave.
    expect(Math.max(...socket.sent.map((text) => text.length))).toBeLessThanOrEqual(LIMIT)
    const starts = sent.flatMap(([part], i) => (part === 0 ? [i] : []))
    expect(starts).toHaveLength(2)
    sent.forEach(([part, parts], i) => {
      const start = Math.max(...starts.filter((s) => s <= i))
      expect(part).toBe(i - start)
      expect(parts).toBeGreaterThan(1)
    })
    expect(t.doc()?.unsyncedChanges).toBe(2)
    t.serve(socket)
    await tick(100)
    expect(t.text()).toBe(first + second)
    expect(t.doc()).toMatchObject({ unsyncedChanges: 0 })
    expect(t.doc()?.lastError).toBeUndefined()
    const counts = t.dispatched
      .filter((a) => a.type === 'realtime/documents/unsyncedChanged')
      .map((a) => (a.payload as { unsyncedChanges: number }).unsyncedChanges)
    expect(counts.filter((c) => c === 0)).toHaveLength(1)
    expect(counts[counts.length - 1]).toBe(0)
  })

  it('an error about one part sends the whole update again; the refusals of its later parts are not reported', async () => {
    const t = setup()
    const socket = await connectWithLimit(t)
    const text = bigText(4000, 'z')
    t.store.dispatch(
      t.realtime.actions.editText({ docId: DOC, index: 0, deleteCount: 0, insert: text }),
    )
    await tick()
    const first = partsSent(socket)
    expect(first.length).toBeGreaterThan(2)
    // Part 1 was not admitted; the server then refused part 2 (its assembly abandoned).
    const [, , part1] = first[1] as readonly [number, number, string]
    const [, , part2] = first[2] as readonly [number, number, string]
    socket.deliver(
      serverFrame('error', {
        data: {
          code: 'RATE_LIMITED',
          message: 'slow down',
          refId: part1,
          retryAfterMs: 100,
          doc: DOC,
        },
      }),
    )
    socket.deliver(
      serverFrame('error', {
        data: { code: 'INVALID_MESSAGE', message: 'abandoned', refId: part2, doc: DOC },
      }),
    )
    await tick()
    expect(t.doc()?.lastError).toBeUndefined()
    expect(t.doc()?.unsyncedChanges).toBe(1)
    await tick(200)
    const all = partsSent(socket)
    expect(all.filter(([part]) => part === 0)).toHaveLength(2)
    t.serve(socket)
    await tick(100)
    expect(t.text()).toBe(text)
    expect(t.doc()?.unsyncedChanges).toBe(0)
    expect(t.doc()?.lastError).toBeUndefined()
  })

  it('sends an update again after the server could not store it (SERVER_ERROR)', async () => {
    const t = setup()
    const socket = await t.connect()
    t.store.dispatch(t.realtime.actions.openDocument(DOC))
    await tick()
    t.serve(socket)
    await tick()
    t.store.dispatch(
      t.realtime.actions.editText({ docId: DOC, index: 0, deleteCount: 0, insert: 'kept' }),
    )
    await tick()
    const [update] = socket.frames().filter((f) => f.type === 'doc_update')
    socket.deliver(
      serverFrame('error', {
        data: { code: 'SERVER_ERROR', message: 'not stored', refId: update?.id, doc: DOC },
      }),
    )
    await tick()
    expect(t.doc()?.unsyncedChanges).toBe(1)
    expect(t.doc()?.lastError?.code).toBe('SERVER_ERROR')
    await tick(1100)
    expect(socket.frames().filter((f) => f.type === 'doc_update')).toHaveLength(2)
    t.serve(socket)
    await tick(100)
    expect(t.text()).toBe('kept')
    expect(t.doc()?.unsyncedChanges).toBe(0)
  })
})
