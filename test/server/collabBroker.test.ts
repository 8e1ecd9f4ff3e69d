import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { Awareness, encodeAwarenessUpdate } from 'y-protocols/awareness'
import { encodeBase64 } from '../../src/protocol'
import type { DocumentBroker, DocumentFeed } from '../../src/server/collab/documentBroker'
import { bytesOf, edit, openDoc, sendUpdate, spyStore } from './collabClient'
import { connectAs, framesOf, onCleanup, startServer } from './harness'

/**
 * The document fan-out seam without Redis: a broker that records what the server asks of it
 * and lets the test speak as the other processes.
 */

const DOC = 'seam-doc'

function recordingBroker() {
  const feeds = new Map<string, DocumentFeed>()
  const calls: string[] = []
  const published: Uint8Array[] = []
  const broker: DocumentBroker = {
    subscribe(doc, feed) {
      calls.push(`subscribe ${doc}`)
      feeds.set(doc, feed)
      return Promise.resolve()
    },
    unsubscribe(doc) {
      calls.push(`unsubscribe ${doc}`)
      feeds.delete(doc)
    },
    publishAwareness(doc, update) {
      calls.push(`awareness ${doc}`)
      published.push(update)
    },
    close: () => Promise.resolve(),
  }
  const feed = (doc = DOC) => {
    const found = feeds.get(doc)
    if (!found) throw new Error(`not subscribed to ${doc}`)
    return found
  }
  return { broker, calls, published, feed }
}

/** Polls (bounded) until `check` holds. */
async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (check()) return
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  throw new Error(`timed out waiting for ${what}`)
}

describe('collaborative documents: the document broker seam', () => {
  it("applies another process's update and forwards only what was new here; a repeat reaches no one", async () => {
    const { broker, feed } = recordingBroker()
    const server = await startServer({ documentBroker: broker })
    const alice = await connectAs(server.url, 'alice')
    const aliceDoc = new Y.Doc()
    await openDoc(alice, DOC, aliceDoc)

    const elsewhere = new Y.Doc()
    const first = edit(elsewhere, 0, 'from b ')
    feed().update(first)
    const forwarded = await alice.nextOfType('doc_update')
    Y.applyUpdate(aliceDoc, bytesOf(forwarded.data.update))
    expect(aliceDoc.getText('content').toJSON()).toBe('from b ')
    // The same update again (its own coming back, a repeat), then a new one: only the new one.
    feed().update(first)
    feed().update(edit(elsewhere, 7, 'again'))
    const next = await alice.nextOfType('doc_update')
    Y.applyUpdate(aliceDoc, bytesOf(next.data.update))
    expect(aliceDoc.getText('content').toJSON()).toBe('from b again')
    expect(framesOf(alice, 'doc_update')).toHaveLength(2)
    // Alice's own edit is not echoed back to her.
    const own = sendUpdate(alice, DOC, edit(aliceDoc, 0, '> '))
    await alice.nextOfType('ack', (ack) => ack.data.refId === own.id)
    expect(framesOf(alice, 'doc_update')).toHaveLength(2)
  })

  it('reloads from the store when updates were missed, forwarding what the store had that this process lacked', async () => {
    const { broker, feed } = recordingBroker()
    const spy = spyStore()
    const server = await startServer({ documents: spy.store, documentBroker: broker })
    const alice = await connectAs(server.url, 'alice')
    const aliceDoc = new Y.Doc()
    await openDoc(alice, DOC, aliceDoc)
    // Another process stored this, and its message never came.
    await spy.store.append(DOC, edit(new Y.Doc(), 0, 'missed'))
    feed().missed()
    const forwarded = await alice.nextOfType('doc_update')
    Y.applyUpdate(aliceDoc, bytesOf(forwarded.data.update))
    expect(aliceDoc.getText('content').toJSON()).toBe('missed')
    expect(spy.count('load')).toBe(2)
  })

  it("publishes its members' awareness and their leaving, never the server's own or what came from elsewhere; subscribes while loaded", async () => {
    const { broker, calls, published, feed } = recordingBroker()
    const server = await startServer({ documentBroker: broker, documentGraceMs: 10 })
    const alice = await connectAs(server.url, 'alice')
    const aliceDoc = new Y.Doc()
    await openDoc(alice, DOC, aliceDoc)
    expect(calls).toEqual([`subscribe ${DOC}`])

    const awareness = new Awareness(aliceDoc)
    onCleanup(() => awareness.destroy())
    awareness.setLocalState({ user: { name: 'Alice' } })
    alice.sendFrame('doc_awareness', {
      data: {
        doc: DOC,
        update: encodeBase64(encodeAwarenessUpdate(awareness, [awareness.clientID])),
      },
    })
    await until(() => published.length === 1, 'alice published')
    // Another process's state: applied (alice hears it), not published again.
    const remote = new Awareness(new Y.Doc())
    onCleanup(() => remote.destroy())
    remote.setLocalState({ user: { userId: 'bob', name: 'Bob' } })
    feed().awareness(encodeAwarenessUpdate(remote, [remote.clientID]))
    await alice.nextOfType('doc_awareness')

    alice.sendFrame('doc_close', { data: { doc: DOC } })
    await until(() => calls.includes(`unsubscribe ${DOC}`), 'the unload')
    expect(calls).toEqual([
      `subscribe ${DOC}`,
      `awareness ${DOC}`,
      `awareness ${DOC}`,
      `unsubscribe ${DOC}`,
    ])
    expect(published).toHaveLength(2)
  })
})
