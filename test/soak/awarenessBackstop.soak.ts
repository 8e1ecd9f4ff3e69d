import * as Y from 'yjs'
import { Awareness, encodeAwarenessUpdate } from 'y-protocols/awareness'
import { afterAll, describe, expect, it } from 'vitest'
import { encodeBase64 } from '../../src/protocol'
import { createMemoryDocumentStore, createRealtimeServer } from '../../src/server'
import { createCollabPeer } from '../support/collabPeer'
import { connectRaw } from '../support/rawClient'
import { TEST_SECRET, tokenFor } from '../support/tokens'

/**
 * The awareness backstop (issue 11): a peer whose removal never comes — its connection stays
 * up, it just stops refreshing its state — is gone from everyone's peers within ~30 s
 * (y-protocols' outdated timeout, on real clocks: lib0 reads `Date.now` at import, so fake
 * timers cannot show it). In the soak suite because it waits half a minute.
 */
const DOC = 'backstop-doc'
const disposers: Array<() => unknown> = []
afterAll(async () => {
  for (const dispose of disposers.reverse()) await dispose()
})

describe('collab awareness backstop', () => {
  it('drops a silent peer after ~30 s while its connection stays open', async () => {
    const server = await createRealtimeServer({
      port: 0,
      host: '127.0.0.1',
      jwt: { secret: TEST_SECRET },
      documents: createMemoryDocumentStore(),
      rateLimit: false,
    })
    disposers.push(() => server.close())
    const bob = await createCollabPeer(server.url, 'bob')
    disposers.push(() => bob.dispose())
    bob.store.dispatch(bob.actions.connect())
    bob.store.dispatch(bob.actions.openDocument(DOC))
    await bob.waitForStatus(DOC, 'synced')

    // carol: a raw client that opens the document, says where she is once, then only pings.
    const carol = await connectRaw(server.url)
    disposers.push(() => carol.close())
    let closed = false
    void carol.closed.then(() => (closed = true))
    await carol.authenticate(await tokenFor('carol'))
    carol.sendFrame('doc_sync', {
      data: { doc: DOC, step: 1, update: encodeBase64(Y.encodeStateVector(new Y.Doc())) },
    })
    const ydoc = new Y.Doc()
    const awareness = new Awareness(ydoc)
    awareness.setLocalState({ user: { userId: 'carol', name: 'Carol' } })
    const update = encodeBase64(encodeAwarenessUpdate(awareness, [ydoc.clientID]))
    awareness.destroy() // no refreshes from here on
    carol.sendFrame('doc_awareness', { data: { doc: DOC, update } })
    const pinger = setInterval(() => carol.sendFrame('ping', { data: {} }), 5_000)
    disposers.push(() => clearInterval(pinger))

    const peerIds = () =>
      (bob.realtime.selectors.selectDocument(bob.store.getState(), DOC)?.peers ?? []).map(
        (peer) => peer.userId,
      )
    await bob.waitFor(() => peerIds().includes('carol'), 10_000)
    await bob.waitFor(() => !peerIds().includes('carol'), 60_000)
    expect(closed, "carol's connection is still open: the backstop, not a close, removed her").toBe(
      false,
    )
  })
})
