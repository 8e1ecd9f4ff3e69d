import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { edit, openDoc, sendUpdate, serverText, spyStore } from './collabClient'
import { connectAs, framesOf, quietLogger, startServer } from './harness'

/**
 * A DocumentStore call that never settles is a failure after `documentStoreTimeoutMs`: the
 * document is never held in memory forever, and what the client sent is not acked.
 */

const DOC = 'notes-1'
const never = () => new Promise<void>(() => {})

describe('collaborative documents: a store that hangs', () => {
  it('fails an append that never settles (SERVER_ERROR, no ack, the doc reloaded), and takes the resend', async () => {
    const spy = spyStore()
    const logger = quietLogger()
    const server = await startServer({ documents: spy.store, documentStoreTimeoutMs: 20, logger })
    const alice = await connectAs(server.url, 'alice')
    const bob = await connectAs(server.url, 'bob')
    const aliceDoc = new Y.Doc()
    await openDoc(alice, DOC, aliceDoc)
    await openDoc(bob, DOC)
    spy.hooks.append = never

    const update = sendUpdate(alice, DOC, edit(aliceDoc, 0, 'kept'))
    const error = await alice.nextOfType('error', (f) => f.data.refId === update.id)
    expect(error.data).toMatchObject({ code: 'SERVER_ERROR', doc: DOC })
    expect(framesOf(alice, 'ack')).toEqual([])
    expect(framesOf(bob, 'doc_update')).toEqual([])
    // Restored from the store, which lacks it.
    expect(spy.count('load')).toBe(2)
    expect(logger.logged.some((line) => line.includes('could not store an update'))).toBe(true)
    expect(await serverText(await connectAs(server.url, 'carol'), DOC)).toBe('')

    // The store is back: the client's resend is stored, acked and forwarded.
    delete spy.hooks.append
    const again = alice.sendFrame('doc_update', { data: { doc: DOC, update: update.data.update } })
    await alice.nextOfType('ack', (f) => f.data.refId === again.id)
    await bob.nextOfType('doc_update')
    expect(await serverText(await connectAs(server.url, 'dave'), DOC)).toBe('kept')
  })

  it('fails an open whose load never settles (retried once), and loads the doc on the next open', async () => {
    const spy = spyStore()
    spy.hooks.load = never
    const server = await startServer({ documents: spy.store, documentStoreTimeoutMs: 20 })
    const alice = await connectAs(server.url, 'alice')
    const open = alice.sendFrame('doc_sync', { data: { doc: DOC, step: 1, update: 'AA==' } })
    const error = await alice.nextOfType('error', (f) => f.data.refId === open.id)
    expect(error.data).toMatchObject({ code: 'SERVER_ERROR', doc: DOC })
    expect(spy.count('load')).toBe(2)

    delete spy.hooks.load
    expect(await serverText(alice, DOC)).toBe('')
    expect(spy.count('load')).toBe(3)
  })

  it('unloads a document whose compaction never settles, and loads it again with nothing lost', async () => {
    const spy = spyStore()
    const logger = quietLogger()
    const server = await startServer({
      documents: spy.store,
      documentGraceMs: 10,
      documentStoreTimeoutMs: 20,
      logger,
    })
    const alice = await connectAs(server.url, 'alice')
    const aliceDoc = new Y.Doc()
    await openDoc(alice, DOC, aliceDoc)
    const update = sendUpdate(alice, DOC, edit(aliceDoc, 0, 'appended'))
    await alice.nextOfType('ack', (f) => f.data.refId === update.id)
    spy.hooks.compact = never
    alice.sendFrame('doc_close', { data: { doc: DOC } })

    // Both tries time out; the unload goes on (an open waits for it, then loads again).
    await spy.called('compact', 2)
    const bob = await connectAs(server.url, 'bob')
    expect(await serverText(bob, DOC)).toBe('appended')
    expect(spy.count('load')).toBe(2)
    expect(logger.logged.some((line) => line.includes('failed twice'))).toBe(true)
  })
})
