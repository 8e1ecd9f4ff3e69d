import { Redis } from 'ioredis'
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate } from 'y-protocols/awareness'
import { createId, encodeBase64 } from '../../src/protocol'
import type { DocumentBroker } from '../../src/server/collab/documentBroker'
import type { DocumentStore, RealtimeServer } from '../../src/server'
import {
  createRedisDocumentBroker,
  createRedisDocumentStore,
  documentKey,
} from '../../src/server/redis/documents'
import { createCollabPeer, type CollabPeer } from '../support/collabPeer'
import type { RawClient } from '../support/rawClient'
import { useRedisServer } from '../support/redisServer'
import { bytesOf, edit, openDoc, sendUpdate, serverText, spyStore } from './collabClient'
import { connectAs, framesOf, onCleanup, startServer } from './harness'

/**
 * Collaborative documents served by two (or three) server processes on one Redis, each with
 * its own ioredis client, store and document broker, as `createRedisEngine` will give them.
 */

const DOC = 'shared-notes'
const redisServer = useRedisServer()
const brokers: DocumentBroker[] = []
const redisClients: Redis[] = []
const peers: CollabPeer[] = []
const servers: RealtimeServer[] = []
afterEach(async () => {
  for (const peer of peers.splice(0)) peer.dispose()
  // Servers first (their last awareness removals go out), then what they publish on.
  await Promise.all(servers.splice(0).map((server) => server.close()))
  await Promise.all(brokers.splice(0).map((broker) => broker.close()))
  await Promise.all(redisClients.splice(0).map((redis) => redis.quit().catch(() => undefined)))
})

function redisClient(): Redis {
  const redis = new Redis(redisServer.current.url)
  redisClients.push(redis)
  return redis
}

/** One server process on the shared Redis; its store calls go through `spy`. */
async function startProcess(
  prefix: string,
  { documentGraceMs }: { documentGraceMs?: number } = {},
) {
  const redis = redisClient()
  const store = createRedisDocumentStore({ redis, prefix })
  const spy = spyStore(store)
  const documentBroker = createRedisDocumentBroker({ redis, prefix, onError: () => undefined })
  brokers.push(documentBroker)
  const server = await startServer({
    rateLimit: false,
    documents: spy.store,
    documentBroker,
    ...(documentGraceMs !== undefined ? { documentGraceMs } : {}),
  })
  servers.push(server)
  return { server, store, spy, url: server.url }
}

/** The text the store loads for `doc`. */
async function storedText(store: DocumentStore, doc = DOC): Promise<string> {
  const stored = await store.load(doc)
  const ydoc = new Y.Doc()
  if (stored) Y.applyUpdate(ydoc, stored)
  return ydoc.getText('content').toJSON()
}

/** Polls (bounded) until `check` holds; throws with `describe()` otherwise. */
async function eventually(
  check: () => boolean | Promise<boolean>,
  describe: () => string,
  timeoutMs = 10_000,
) {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${describe()}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/** A raw client's copy of `DOC`: its open's step 2, then each `doc_update` it received. */
async function follow(client: RawClient) {
  const ydoc = new Y.Doc()
  await openDoc(client, DOC, ydoc)
  let applied = 0
  const text = () => {
    const updates = framesOf(client, 'doc_update').filter((frame) => frame.data.doc === DOC)
    for (; applied < updates.length; applied++)
      Y.applyUpdate(ydoc, bytesOf((updates[applied] as (typeof updates)[number]).data.update))
    return ydoc.getText('content').toJSON()
  }
  /** Sends an edit appending `word` and waits for its ack. */
  const append = async (word: string) => {
    text()
    const frame = sendUpdate(client, DOC, edit(ydoc, ydoc.getText('content').length, word))
    await client.nextOfType('ack', (ack) => ack.data.refId === frame.id)
  }
  return { ydoc, text, append }
}

/** Two processes of one deployment (a fresh prefix), alice editing DOC on one, bob on the other. */
async function aliceAndBobOnTwoProcesses() {
  const prefix = `t${createId(8)}:`
  const a = await startProcess(prefix)
  const b = await startProcess(prefix)
  const alice = await follow(await connectAs(a.url, 'alice'))
  const bob = await follow(await connectAs(b.url, 'bob'))
  return { prefix, a, b, alice, bob }
}

async function peer(url: string, userId: string): Promise<CollabPeer> {
  const created = await createCollabPeer(url, userId)
  peers.push(created)
  return created
}

describe('collaborative documents across server processes on one Redis', () => {
  it('a client on each process edits one document at once: both converge on the text the store loads', async () => {
    const prefix = `t${createId(8)}:`
    const a = await startProcess(prefix)
    const b = await startProcess(prefix)
    const alice = await peer(a.url, 'alice')
    const bob = await peer(b.url, 'bob')
    for (const p of [alice, bob]) {
      p.store.dispatch(p.actions.connect())
      p.store.dispatch(p.actions.openDocument(DOC))
      await p.waitForStatus(DOC, 'synced')
    }
    const words: string[] = []
    for (let i = 0; i < 40; i++) {
      for (const p of [alice, bob]) {
        const word = `${p.userId}${i};`
        words.push(word)
        const at = i % 3 === 0 ? 0 : (p.liveText(DOC)?.length ?? 0)
        p.store.dispatch(
          p.actions.editText({ docId: DOC, index: at, deleteCount: 0, insert: word }),
        )
      }
      if (i % 10 === 9) await new Promise((resolve) => setTimeout(resolve, 5))
    }
    const settled = () =>
      [alice, bob].every((p) => p.doc(DOC)?.unsyncedChanges === 0) &&
      alice.liveText(DOC) === bob.liveText(DOC) &&
      words.every((word) => alice.liveText(DOC)?.includes(word))
    await eventually(settled, () =>
      JSON.stringify([alice, bob].map((p) => ({ ...p.doc(DOC), live: p.liveText(DOC) }))),
    )
    const text = alice.liveText(DOC) ?? ''
    expect(text.length).toBe(words.join('').length)
    expect(await storedText(a.store)).toBe(text)
    expect(await storedText(b.store)).toBe(text)
  })

  it('a process started after the edits loads the document from Redis', async () => {
    const prefix = `t${createId(8)}:`
    const a = await startProcess(prefix)
    const alice = await follow(await connectAs(a.url, 'alice'))
    for (const word of ['written ', 'on ', 'process a']) await alice.append(word)
    const c = await startProcess(prefix)
    expect(await serverText(await connectAs(c.url, 'carol'), DOC)).toBe('written on process a')
  })

  it('one process unloads the document (grace, compaction) while the other keeps editing: nothing lost', async () => {
    const prefix = `t${createId(8)}:`
    const a = await startProcess(prefix, { documentGraceMs: 20 })
    const b = await startProcess(prefix)
    const aliceSocket = await connectAs(a.url, 'alice')
    const alice = await follow(aliceSocket)
    await alice.append('alice;')
    const bob = await follow(await connectAs(b.url, 'bob'))
    // Alice leaves: process a compacts the doc (its state taken, then held) and unloads it,
    // while bob's edits keep coming through process b.
    let release = () => undefined as void
    const released = new Promise<void>((resolve) => (release = resolve))
    a.spy.hooks.compact = () => released
    aliceSocket.socket.terminate()
    await a.spy.called('compact')
    for (let i = 0; i < 10; i++) await bob.append(`during${i};`)
    release()
    for (let i = 0; i < 10; i++) await bob.append(`after${i};`)
    const expected = bob.text()
    const words = (name: string) => Array.from({ length: 10 }, (_, i) => `${name}${i};`).join('')
    expect(expected).toBe(`alice;${words('during')}${words('after')}`)
    // Process a loads it again for a new connection: everything is there, and in the store.
    expect(await serverText(await connectAs(a.url, 'carol'), DOC)).toBe(expected)
    expect(await storedText(a.store)).toBe(expected)
    expect(a.spy.count('load')).toBe(2)
  })

  it('a subscriber connection dropped while edits flow: the process reloads and both sides converge', async () => {
    const { a, alice, bob } = await aliceAndBobOnTwoProcesses()
    await alice.append('start;')
    await eventually(
      () => bob.text() === 'start;',
      () => bob.text(),
    )
    // Both processes' subscriptions drop; what bob writes right away (ioredis waits before it
    // reconnects) is published to no one on process a.
    expect(await redisServer.current.command('CLIENT', 'KILL', 'TYPE', 'pubsub')).toBe(':2')
    await bob.append('while-down;')
    for (let i = 0; i < 10; i++) {
      await bob.append(`b${i};`)
      await alice.append(`a${i};`)
    }
    const converged = () =>
      alice.text() === bob.text() &&
      ['while-down;', 'b9;', 'a9;'].every((w) => bob.text().includes(w))
    await eventually(converged, () => JSON.stringify({ alice: alice.text(), bob: bob.text() }))
    expect(await storedText(a.store)).toBe(alice.text())
  })

  it('an update whose message never came (a seq skipped) is read from the store', async () => {
    const { prefix, alice, bob } = await aliceAndBobOnTwoProcesses()
    await bob.append('first;')
    await eventually(
      () => alice.text() === 'first;',
      () => alice.text(),
    )
    // Stored the way the append script stores, but its message is lost.
    const lost = new Y.Doc()
    Y.applyUpdate(lost, Y.encodeStateAsUpdate(bob.ydoc))
    const update = edit(lost, 0, 'lost;')
    const key = documentKey(prefix, DOC)
    const redis = redisClient()
    const seq = await redis.hincrby(`${key}meta`, 'seq', 1)
    await redis.xadd(`${key}log`, `${seq}-0`, 'u', Buffer.from(update))
    // The next update published shows the gap to process a.
    await bob.append('next;')
    await eventually(
      () => alice.text().includes('lost;') && alice.text().includes('next;'),
      () => alice.text(),
    )
    expect(alice.text()).toBe('lost;first;next;')
  })

  it('awareness crosses processes: a cursor set on one is seen on the other, not forged there, and removed when its socket closes', async () => {
    const prefix = `t${createId(8)}:`
    const a = await startProcess(prefix)
    const b = await startProcess(prefix)
    const aliceSocket = await connectAs(a.url, 'alice')
    const bobSocket = await connectAs(b.url, 'bob')
    const aliceDoc = new Y.Doc()
    await openDoc(aliceSocket, DOC, aliceDoc)
    await openDoc(bobSocket, DOC)
    const aliceAwareness = new Awareness(aliceDoc)
    const bobView = new Awareness(new Y.Doc())
    onCleanup(() => {
      aliceAwareness.destroy()
      bobView.destroy()
    })
    aliceAwareness.setLocalState({
      user: { userId: 'mallory', name: 'Alice' },
      cursor: { anchor: 2, head: 4 },
    })
    aliceSocket.sendFrame('doc_awareness', {
      data: {
        doc: DOC,
        update: encodeBase64(encodeAwarenessUpdate(aliceAwareness, [aliceDoc.clientID])),
      },
    })
    const seen = await bobSocket.nextOfType('doc_awareness')
    applyAwarenessUpdate(bobView, bytesOf(seen.data.update), 'server')
    // Set by process a from alice's authenticated id, carried as it is.
    expect(bobView.getStates().get(aliceDoc.clientID)).toEqual({
      user: { userId: 'alice', name: 'Alice' },
      cursor: { anchor: 2, head: 4 },
    })
    // A later opener on process b gets it with its sync.
    const carol = await connectAs(b.url, 'carol')
    await openDoc(carol, DOC)
    const initial = await carol.nextOfType('doc_awareness')
    const carolView = new Awareness(new Y.Doc())
    onCleanup(() => carolView.destroy())
    applyAwarenessUpdate(carolView, bytesOf(initial.data.update), 'server')
    expect(carolView.getStates().get(aliceDoc.clientID)).toMatchObject({
      user: { userId: 'alice' },
    })

    // Mallory on process b writes under alice's clientID (introduced on process a): refused.
    const mallory = await connectAs(b.url, 'mallory')
    await openDoc(mallory, DOC)
    const forger = new Awareness(new Y.Doc())
    onCleanup(() => forger.destroy())
    forger.clientID = aliceDoc.clientID
    for (let i = 0; i < 3; i++) forger.setLocalState({ user: { name: `not alice ${i}` } })
    const forged = mallory.sendFrame('doc_awareness', {
      data: {
        doc: DOC,
        update: encodeBase64(encodeAwarenessUpdate(forger, [aliceDoc.clientID])),
      },
    })
    const refused = await mallory.nextOfType('error', (f) => f.data.refId === forged.id)
    expect(refused.data).toMatchObject({ code: 'FORBIDDEN', doc: DOC })

    aliceSocket.socket.terminate()
    const removal = await bobSocket.nextOfType('doc_awareness')
    applyAwarenessUpdate(bobView, bytesOf(removal.data.update), 'server')
    expect(bobView.getStates().has(aliceDoc.clientID)).toBe(false)
  })
  it('Redis paused (CLIENT PAUSE) while edits flow: each edit is acked once it is back, and both sides converge', async () => {
    const { a, alice, bob } = await aliceAndBobOnTwoProcesses()
    await alice.append('start;')
    await eventually(
      () => bob.text() === 'start;',
      () => bob.text(),
    )
    await redisServer.current.pause(300)
    // Sent while Redis holds every command: appended (and acked) once the pause ends.
    for (let i = 0; i < 5; i++) await bob.append(`b${i};`)
    await eventually(
      () => alice.text() === bob.text(),
      () => JSON.stringify([alice.text(), bob.text()]),
    )
    expect(alice.text()).toBe('start;b0;b1;b2;b3;b4;')
    expect(await storedText(a.store)).toBe(alice.text())
  })

  it('Redis restarted empty: each process stores again what it holds, and editing goes on', async () => {
    const { prefix, a, b, alice, bob } = await aliceAndBobOnTwoProcesses()
    // One after the other, so the text's order is known.
    await alice.append('before;')
    await eventually(
      () => bob.text() === 'before;',
      () => bob.text(),
    )
    await bob.append('restart;')
    await eventually(
      () => alice.text() === 'before;restart;',
      () => alice.text(),
    )
    await redisServer.current.restart()
    let stored = ''
    await eventually(
      async () => (stored = await storedText(a.store)) === 'before;restart;',
      () => stored,
    )
    await bob.append('after;')
    await eventually(
      () => alice.text().endsWith('after;'),
      () => alice.text(),
    )
    await alice.append('again;')
    await eventually(
      () => bob.text() === alice.text(),
      () => bob.text(),
    )
    expect(alice.text()).toBe('before;restart;after;again;')
    expect(await storedText(b.store)).toBe(alice.text())
    const c = await startProcess(prefix)
    expect(await serverText(await connectAs(c.url, 'carol'), DOC)).toBe(alice.text())
  })
})
