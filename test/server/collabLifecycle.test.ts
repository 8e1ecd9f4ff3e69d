import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate } from 'y-protocols/awareness'
import { encodeBase64 } from '../../src/protocol'
import { createMemoryDocumentStore } from '../../src/server'
import { bytesOf, edit, openDoc, sendUpdate, serverText, spyStore } from './collabClient'
import { connectAs, framesOf, onCleanup, quietLogger, startServer } from './harness'
import type { RawClient } from '../support/rawClient'

const DOC = 'notes-1'

function awarenessOf(ydoc: Y.Doc): Awareness {
  const awareness = new Awareness(ydoc)
  onCleanup(() => awareness.destroy())
  return awareness
}

function sendAwareness(client: RawClient, awareness: Awareness, clientID = awareness.clientID) {
  return client.sendFrame('doc_awareness', {
    data: { doc: DOC, update: encodeBase64(encodeAwarenessUpdate(awareness, [clientID])) },
  })
}

describe('collaborative documents: a large first sync', () => {
  it('sends a 5 MB document through a 64 KiB maxPayload in parts, answering a ping meanwhile', async () => {
    const store = createMemoryDocumentStore()
    const big = new Y.Doc()
    const text = 'lorem ipsum dolor sit amet, '.repeat(Math.ceil((5 * 1024 * 1024) / 28))
    big.getText('content').insert(0, text)
    await store.append('big', Y.encodeStateAsUpdate(big))
    const maxPayload = 64 * 1024
    // Far below the document: sent all at once, its parts would get the client dropped (4009).
    const server = await startServer({ documents: store, maxPayload, maxBufferedBytes: 256 * 1024 })
    const alice = await connectAs(server.url, 'alice')
    const sizes: number[] = []
    alice.socket.on('message', (data: Buffer) => sizes.push(data.length))

    const ydoc = new Y.Doc()
    let pingTimestamp = 0
    const opened = await openDoc(alice, 'big', ydoc, {
      timeoutMs: 20_000,
      afterOpen: () => {
        pingTimestamp = alice.sendFrame('ping', { data: {} }).timestamp
      },
    })

    expect(ydoc.getText('content').toJSON()).toBe(text)
    expect(opened.parts.length).toBeGreaterThan(100)
    opened.parts.forEach((part, i) => {
      expect(part.data.part).toBe(i)
      expect(part.data.parts).toBe(opened.parts.length)
    })
    expect(opened.parts[0]?.data.access).toBe('edit')
    expect(Math.max(...sizes)).toBeLessThanOrEqual(maxPayload)
    const pong = alice.received.findIndex((f) => f.type === 'pong' && f.data.echo === pingTimestamp)
    const lastPart = alice.received.indexOf(opened.parts[opened.parts.length - 1] as never)
    expect(pong).toBeGreaterThan(-1)
    expect(pong).toBeLessThan(lastPart)
    expect(framesOf(alice, 'error')).toEqual([])
    expect(alice.socket.readyState).toBe(alice.socket.OPEN)
  })
})

describe('collaborative documents: awareness', () => {
  it('forwards awareness with the real user id, refuses a forged clientID, and removes a closed socket’s', async () => {
    const server = await startServer()
    const alice = await connectAs(server.url, 'alice')
    const bob = await connectAs(server.url, 'bob')
    const aliceDoc = new Y.Doc()
    const bobDoc = new Y.Doc()
    await openDoc(alice, DOC, aliceDoc)
    await openDoc(bob, DOC, bobDoc)
    const aliceAwareness = awarenessOf(aliceDoc)
    const bobView = awarenessOf(bobDoc)

    aliceAwareness.setLocalState({
      user: { userId: 'mallory', name: 'Alice', color: '#f00' },
      cursor: { anchor: 1, head: 3 },
    })
    sendAwareness(alice, aliceAwareness)
    const seen = await bob.nextOfType('doc_awareness')
    applyAwarenessUpdate(bobView, bytesOf(seen.data.update), 'server')
    expect(bobView.getStates().get(aliceDoc.clientID)).toEqual({
      user: { userId: 'alice', name: 'Alice', color: '#f00' },
      cursor: { anchor: 1, head: 3 },
    })

    // Bob writes an entry under Alice's clientID: ignored, and nobody hears of it.
    const forger = awarenessOf(new Y.Doc())
    forger.clientID = aliceDoc.clientID
    forger.setLocalState({ user: { name: 'not alice' } })
    forger.setLocalState({ user: { name: 'not alice!' } })
    forger.setLocalState({ user: { name: 'not alice!!' } })
    const forged = sendAwareness(bob, forger, aliceDoc.clientID)
    const refused = await bob.nextOfType('error', (f) => f.data.refId === forged.id)
    expect(refused.data).toMatchObject({ code: 'FORBIDDEN', doc: DOC })

    // A late joiner gets the states after its sync: Alice's as she set it.
    const carol = await connectAs(server.url, 'carol')
    await openDoc(carol, DOC)
    const initial = await carol.nextOfType('doc_awareness')
    const carolView = awarenessOf(new Y.Doc())
    applyAwarenessUpdate(carolView, bytesOf(initial.data.update), 'server')
    expect(carolView.getStates().get(aliceDoc.clientID)).toMatchObject({
      user: { userId: 'alice', name: 'Alice' },
    })
    expect(framesOf(alice, 'doc_awareness')).toEqual([])

    alice.socket.terminate()
    const removal = await bob.nextOfType('doc_awareness')
    applyAwarenessUpdate(bobView, bytesOf(removal.data.update), 'server')
    expect(bobView.getStates().has(aliceDoc.clientID)).toBe(false)
  })

  it('removes a connection’s awareness when it closes the document', async () => {
    const server = await startServer()
    const alice = await connectAs(server.url, 'alice')
    const bob = await connectAs(server.url, 'bob')
    const aliceDoc = new Y.Doc()
    await openDoc(alice, DOC, aliceDoc)
    await openDoc(bob, DOC)
    const aliceAwareness = awarenessOf(aliceDoc)
    const bobView = awarenessOf(new Y.Doc())
    aliceAwareness.setLocalState({ user: { name: 'Alice' } })
    sendAwareness(alice, aliceAwareness)
    applyAwarenessUpdate(bobView, bytesOf((await bob.nextOfType('doc_awareness')).data.update), 's')
    expect(bobView.getStates().has(aliceDoc.clientID)).toBe(true)

    alice.sendFrame('doc_close', { data: { doc: DOC } })
    applyAwarenessUpdate(bobView, bytesOf((await bob.nextOfType('doc_awareness')).data.update), 's')
    expect(bobView.getStates().has(aliceDoc.clientID)).toBe(false)
    // Closed: Alice gets nothing more of the document.
    const update = sendUpdate(bob, DOC, edit(new Y.Doc(), 0, 'after close'))
    await bob.nextOfType('ack', (f) => f.data.refId === update.id)
    expect(framesOf(alice, 'doc_update')).toEqual([])
  })
})

describe('collaborative documents: loading and unloading', () => {
  it('compacts and unloads a document after the grace period, and reloads the same content', async () => {
    const spy = spyStore()
    const server = await startServer({ documents: spy.store, documentGraceMs: 10 })
    const alice = await connectAs(server.url, 'alice')
    const aliceDoc = new Y.Doc()
    await openDoc(alice, DOC, aliceDoc)
    for (const word of ['kept ', 'after ', 'unload']) {
      const update = sendUpdate(
        alice,
        DOC,
        edit(aliceDoc, aliceDoc.getText('content').length, word),
      )
      await alice.nextOfType('ack', (f) => f.data.refId === update.id)
    }
    alice.socket.terminate()

    await spy.called('compact')
    const bob = await connectAs(server.url, 'bob')
    expect(await serverText(bob, DOC)).toBe('kept after unload')
    expect(spy.count('load')).toBe(2)
  })

  it('still unloads a document whose compaction keeps failing (retried once), losing nothing', async () => {
    const spy = spyStore()
    spy.hooks.compact = () => Promise.reject(new Error('store down'))
    const logger = quietLogger()
    const server = await startServer({ documents: spy.store, documentGraceMs: 10, logger })
    const alice = await connectAs(server.url, 'alice')
    const aliceDoc = new Y.Doc()
    await openDoc(alice, DOC, aliceDoc)
    const update = sendUpdate(alice, DOC, edit(aliceDoc, 0, 'appended'))
    await alice.nextOfType('ack', (f) => f.data.refId === update.id)
    alice.sendFrame('doc_close', { data: { doc: DOC } })

    await spy.called('compact', 2)
    const bob = await connectAs(server.url, 'bob')
    expect(await serverText(bob, DOC)).toBe('appended')
    expect(spy.count('load')).toBe(2)
    expect(spy.count('compact')).toBe(2)
    expect(logger.logged.some((line) => line.includes('failed twice'))).toBe(true)
  })

  it('answers SERVER_ERROR when the store cannot load a document, and loads it on the next open', async () => {
    const spy = spyStore()
    let failures = 2
    spy.hooks.load = () =>
      failures-- > 0 ? Promise.reject(new Error('timeout')) : Promise.resolve()
    const server = await startServer({ documents: spy.store })
    const alice = await connectAs(server.url, 'alice')
    const open = alice.sendFrame('doc_sync', { data: { doc: DOC, step: 1, update: 'AA==' } })
    const error = await alice.nextOfType('error', (f) => f.data.refId === open.id)
    expect(error.data).toMatchObject({ code: 'SERVER_ERROR', doc: DOC })
    expect(await serverText(alice, DOC)).toBe('')
    expect(spy.count('load')).toBe(3)
  })

  it('compacts a loaded document every documentCompactEvery appends', async () => {
    const spy = spyStore()
    const server = await startServer({ documents: spy.store, documentCompactEvery: 3 })
    const alice = await connectAs(server.url, 'alice')
    const aliceDoc = new Y.Doc()
    await openDoc(alice, DOC, aliceDoc)
    for (let i = 0; i < 3; i++) sendUpdate(alice, DOC, edit(aliceDoc, 0, `${i}`))
    await spy.called('compact')
    expect(spy.count('append')).toBe(3)
    expect(await serverText(await connectAs(server.url, 'bob'), DOC)).toBe('210')
    expect(spy.count('load')).toBe(1)
  })

  it('refuses an update that would pass maxDocumentBytes with MESSAGE_TOO_LARGE', async () => {
    const server = await startServer({ maxDocumentBytes: 200 })
    const alice = await connectAs(server.url, 'alice')
    const aliceDoc = new Y.Doc()
    await openDoc(alice, DOC, aliceDoc)
    const small = sendUpdate(alice, DOC, edit(aliceDoc, 0, 'small'))
    await alice.nextOfType('ack', (f) => f.data.refId === small.id)
    const large = sendUpdate(alice, DOC, edit(aliceDoc, 0, 'x'.repeat(300)))
    const error = await alice.nextOfType('error', (f) => f.data.refId === large.id)
    expect(error.data).toMatchObject({ code: 'MESSAGE_TOO_LARGE', doc: DOC })
    expect(await serverText(await connectAs(server.url, 'bob'), DOC)).toBe('small')
  })
})
