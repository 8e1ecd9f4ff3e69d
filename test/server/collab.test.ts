import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { encodeBase64 } from '../../src/protocol'
import type { Frame } from '../../src/protocol'
import type { AuthorizeRequest } from '../../src/server'
import { createMemoryDocumentStore } from '../../src/server'
import {
  applyReceived,
  bytesOf,
  edit,
  openDoc,
  receiveStep2,
  sendUpdate,
  serverText,
  spyStore,
} from './collabClient'
import { connect, connectAs, framesOf, quietLogger, roundTrip, startServer } from './harness'
import { tokenFor } from '../support/tokens'

const DOC = 'notes-1'

/** A frame from the server that every connection gets at once: a fence for "not sent before". */
async function fence(
  server: Awaited<ReturnType<typeof startServer>>,
  ...clients: Awaited<ReturnType<typeof connectAs>>[]
) {
  const message = `fence-${Math.random()}`
  server.systemAlert({ message, severity: 'info' })
  for (const client of clients)
    await client.nextOfType('system_alert', (f) => f.data.message === message)
}

describe('collaborative documents: sync', () => {
  it('answers an open (step 1) with step 2 holding what the client lacks, then its own step 1', async () => {
    const store = createMemoryDocumentStore()
    const seed = new Y.Doc()
    seed.getText('content').insert(0, 'stored text')
    await store.append(DOC, Y.encodeStateAsUpdate(seed))
    const server = await startServer({ documents: store })
    const alice = await connectAs(server.url, 'alice')

    const ydoc = new Y.Doc()
    const opened = await openDoc(alice, DOC, ydoc)

    expect(ydoc.getText('content').toJSON()).toBe('stored text')
    expect(opened.access).toBe('edit')
    expect(opened.parts).toHaveLength(1)
    expect(opened.parts[0]?.data).not.toHaveProperty('parts')
    expect(opened.serverVector).toEqual(Y.encodeStateVector(seed))
    // Doc frames are no stream's: no room, no seq.
    for (const frame of framesOf(alice, 'doc_sync')) {
      expect(frame.room).toBeUndefined()
      expect(frame.seq).toBeUndefined()
    }
  })

  it("acks the client's step 2 (its offline edits) and applies it", async () => {
    const server = await startServer()
    const alice = await connectAs(server.url, 'alice')
    const ydoc = new Y.Doc()
    ydoc.getText('content').insert(0, 'offline edit')
    const { serverVector } = await openDoc(alice, DOC, ydoc)
    const step2 = alice.sendFrame('doc_sync', {
      data: { doc: DOC, step: 2, update: encodeBase64(Y.encodeStateAsUpdate(ydoc, serverVector)) },
    })
    await alice.nextOfType('ack', (f) => f.data.refId === step2.id)
    expect(await serverText(await connectAs(server.url, 'bob'), DOC)).toBe('offline edit')
  })

  it('converges two raw clients editing at once, never echoing an update to its author', async () => {
    const server = await startServer()
    const alice = await connectAs(server.url, 'alice')
    const bob = await connectAs(server.url, 'bob')
    const aliceDoc = new Y.Doc()
    const bobDoc = new Y.Doc()
    await openDoc(alice, DOC, aliceDoc)
    await openDoc(bob, DOC, bobDoc)

    const sent: string[] = []
    for (let i = 0; i < 20; i++) {
      sent.push(sendUpdate(alice, DOC, edit(aliceDoc, 0, `a${i} `)).id)
      sent.push(sendUpdate(bob, DOC, edit(bobDoc, bobDoc.getText('content').length, ` b${i}`)).id)
    }
    await roundTrip(alice)
    await roundTrip(bob)
    await fence(server, alice, bob)
    applyReceived(alice, DOC, aliceDoc)
    applyReceived(bob, DOC, bobDoc)

    const acked = [...framesOf(alice, 'ack'), ...framesOf(bob, 'ack')].map((f) => f.data.refId)
    expect(acked.sort()).toEqual([...sent].sort())
    expect(framesOf(alice, 'doc_update').every((f) => f.userId === 'bob')).toBe(true)
    expect(framesOf(bob, 'doc_update').every((f) => f.userId === 'alice')).toBe(true)
    const text = aliceDoc.getText('content').toJSON()
    expect(text).toContain('a19')
    expect(text).toContain('b19')
    expect(bobDoc.getText('content').toJSON()).toBe(text)
    expect(await serverText(await connectAs(server.url, 'carol'), DOC)).toBe(text)
  })
})

describe('collaborative documents: frame limits', () => {
  it("sends an update above a peer's maxFrameBytes to it as a step 2 in parts", async () => {
    const server = await startServer()
    const alice = await connectAs(server.url, 'alice')
    const bob = await connect(server.url)
    bob.sendFrame('auth', { data: { token: await tokenFor('bob'), maxFrameBytes: 2048 } })
    await bob.nextOfType('auth_ok')
    const aliceDoc = new Y.Doc()
    const bobDoc = new Y.Doc()
    await openDoc(alice, DOC, aliceDoc)
    await openDoc(bob, DOC, bobDoc)

    const text = Array.from({ length: 6000 }, (_, i) => String.fromCharCode(97 + (i % 26))).join('')
    const update = sendUpdate(alice, DOC, edit(aliceDoc, 0, text))
    await alice.nextOfType('ack', (f) => f.data.refId === update.id)
    const parts = await receiveStep2(bob, DOC, bobDoc)
    expect(parts.length).toBeGreaterThan(2)
    expect(bobDoc.getText('content').toJSON()).toBe(text)
    expect(framesOf(bob, 'doc_update')).toEqual([])
  })
})

describe('collaborative documents: access', () => {
  const authorize = ({ userId, action }: AuthorizeRequest) =>
    !(userId === 'viewer' && action === 'edit') && !(userId === 'eve' && action === 'view')

  it("refuses a viewer's update with FORBIDDEN, applies and forwards nothing", async () => {
    const requests: AuthorizeRequest[] = []
    const server = await startServer({
      authorize: (request) => {
        requests.push(request)
        return authorize(request)
      },
    })
    const alice = await connectAs(server.url, 'alice')
    const viewer = await connectAs(server.url, 'viewer')
    const aliceDoc = new Y.Doc()
    await openDoc(alice, DOC, aliceDoc)
    const ack = sendUpdate(alice, DOC, edit(aliceDoc, 0, 'by alice'))
    await alice.nextOfType('ack', (f) => f.data.refId === ack.id)

    const viewerDoc = new Y.Doc()
    const opened = await openDoc(viewer, DOC, viewerDoc)
    expect(opened.access).toBe('view')
    // A viewer's step 2 with nothing in it is acked, not refused.
    const empty = viewer.sendFrame('doc_sync', {
      data: {
        doc: DOC,
        step: 2,
        update: encodeBase64(Y.encodeStateAsUpdate(viewerDoc, opened.serverVector)),
      },
    })
    await viewer.nextOfType('ack', (f) => f.data.refId === empty.id)

    const refused = sendUpdate(viewer, DOC, edit(viewerDoc, 0, 'by viewer '))
    const error = await viewer.nextOfType('error', (f) => f.data.refId === refused.id)
    expect(error.data).toMatchObject({ code: 'FORBIDDEN', doc: DOC })
    expect(error.data.message).toContain('not allowed to edit')

    await fence(server, alice, viewer)
    expect(framesOf(alice, 'doc_update')).toEqual([])
    expect(await serverText(await connectAs(server.url, 'carol'), DOC)).toBe('by alice')
    expect(requests).toContainEqual({ userId: 'viewer', doc: DOC, action: 'view' })
    expect(requests).toContainEqual({ userId: 'viewer', doc: DOC, action: 'edit' })
  })

  it('refuses to open a document without view permission', async () => {
    const server = await startServer({ authorize })
    const eve = await connectAs(server.url, 'eve')
    const open = eve.sendFrame('doc_sync', { data: { doc: DOC, step: 1, update: 'AA==' } })
    const error = await eve.nextOfType('error', (f) => f.data.refId === open.id)
    expect(error.data).toMatchObject({ code: 'FORBIDDEN', doc: DOC })
    // Not opened: its updates are refused as such.
    const update = sendUpdate(eve, DOC, edit(new Y.Doc(), 0, 'x'))
    expect((await eve.nextOfType('error', (f) => f.data.refId === update.id)).data.code).toBe(
      'NOT_JOINED',
    )
  })
})

describe('collaborative documents: hostile input', () => {
  it('answers invalid, truncated and random updates and bad doc ids with an error, changing nothing', async () => {
    const logger = quietLogger()
    const server = await startServer({ rateLimit: false, logger })
    const alice = await connectAs(server.url, 'alice')
    // Fixed client ids: the bytes below, and so which mutations Yjs throws on, are the same each run.
    const reference = new Y.Doc()
    reference.clientID = 101
    await openDoc(alice, DOC, reference)
    const valid = edit(reference, 0, 'the real text')
    const first = sendUpdate(alice, DOC, valid)
    await alice.nextOfType('ack', (f) => f.data.refId === first.id)
    const biggerDoc = new Y.Doc()
    biggerDoc.clientID = 103
    const bigger = edit(biggerDoc, 0, 'another client, a longer insert to cut short')
    // Edits of the real text by another client, with a few bytes changed: some decode and still
    // make Yjs throw half way through applying them (the server restores the doc from its store).
    const peer = new Y.Doc()
    peer.clientID = 102
    Y.applyUpdate(peer, Y.encodeStateAsUpdate(reference))
    peer.getText('content').delete(4, 5)
    peer.getText('content').insert(2, 'XYZ')
    peer.getMap('meta').set('title', 'notes')
    const peerEdit = Y.encodeStateAsUpdate(peer, Y.encodeStateVector(reference))
    const mutations = fc.sample(
      fc.array(fc.tuple(fc.nat(peerEdit.length - 1), fc.nat(255)), { minLength: 1, maxLength: 3 }),
      { numRuns: 400, seed: 5 },
    )
    const mutated = mutations.map((changes) => {
      const bytes = peerEdit.slice()
      for (const [at, value] of changes) bytes[at] = value
      return bytes
    })
    // And a few that Yjs decodes but throws on half way through applying, found on a copy here.
    const throwing: Uint8Array[] = []
    let seed = 1
    const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff)
    for (let tries = 0; tries < 20_000 && throwing.length < 5; tries++) {
      const bytes = peerEdit.slice()
      for (let flips = 1 + (next() % 3); flips > 0; flips--)
        bytes[next() % bytes.length] = next() % 256
      try {
        Y.decodeUpdate(bytes)
      } catch {
        continue
      }
      const copy = new Y.Doc()
      const before = Y.encodeStateAsUpdate(reference)
      Y.applyUpdate(copy, before)
      try {
        Y.applyUpdate(copy, bytes)
      } catch {
        // Only those that leave the copy changed: the ones a server must undo.
        const after = Y.encodeStateAsUpdate(copy)
        if (after.length !== before.length || after.some((b, i) => b !== before[i]))
          throwing.push(bytes)
      }
    }
    expect(throwing.length).toBeGreaterThan(0)

    const badFrames: Array<{ type: string; data: Record<string, unknown> }> = [
      { type: 'doc_update', data: { doc: DOC, update: 'not base64!' } },
      { type: 'doc_update', data: { doc: DOC, update: 'QUJD' /* "ABC" */ } },
      { type: 'doc_update', data: { doc: DOC, update: encodeBase64(bigger.subarray(0, 9)) } },
      {
        type: 'doc_sync',
        data: { doc: DOC, step: 1, update: encodeBase64(new Uint8Array([200])) },
      },
      { type: 'doc_sync', data: { doc: DOC, step: 2, update: 'AAAA', part: 1, parts: 2 } },
      { type: 'doc_awareness', data: { doc: DOC, update: encodeBase64(new Uint8Array([5, 1])) } },
      { type: 'doc_update', data: { doc: '__proto__', update: encodeBase64(valid) } },
      { type: 'doc_update', data: { doc: 'toString', update: encodeBase64(valid) } },
      { type: 'doc_update', data: { doc: 'a b', update: encodeBase64(valid) } },
      { type: 'doc_update', data: { doc: 'x'.repeat(301), update: encodeBase64(valid) } },
      { type: 'doc_update', data: { doc: 42, update: encodeBase64(valid) } },
      { type: 'doc_update', data: { doc: 'not-open', update: encodeBase64(valid) } },
      { type: 'doc_close', data: {} },
    ]
    const randomUpdates = fc.sample(fc.uint8Array({ minLength: 1, maxLength: 64 }), {
      numRuns: 150,
      seed: 11,
    })
    const truncations = Array.from({ length: bigger.length - 1 }, (_, n) =>
      bigger.subarray(0, n + 1),
    )
    // The throwing ones first, while the server's doc is still the copy's.
    const frames = [
      ...[...throwing, ...randomUpdates, ...truncations, ...mutated].map((bytes) => ({
        type: 'doc_update',
        data: { doc: DOC, update: encodeBase64(bytes) },
      })),
      ...badFrames,
    ]

    const acked: Uint8Array[] = []
    // In rounds below maxInFlight; each frame is answered by an error or (bytes that happen to be
    // a valid update) an ack.
    for (let start = 0; start < frames.length; start += 50) {
      const round = frames.slice(start, start + 50).map((f, i) => ({
        ...f,
        v: 1,
        id: `fuzz-${start + i}`,
        timestamp: Date.now(),
      }))
      for (const frame of round) alice.send(JSON.stringify(frame))
      await roundTrip(alice)
      const answers = new Map<string, Frame>()
      for (const frame of [...framesOf(alice, 'error'), ...framesOf(alice, 'ack')])
        if (frame.data.refId !== undefined) answers.set(frame.data.refId, frame)
      for (const frame of round) {
        const answer = answers.get(frame.id)
        expect(answer, `${frame.id}: ${JSON.stringify(frame.data)}`).toBeDefined()
        if (answer?.type === 'ack') acked.push(bytesOf((frame.data as { update: string }).update))
        if (answer?.type === 'error')
          expect(['INVALID_MESSAGE', 'INVALID_FRAME', 'NOT_JOINED']).toContain(answer.data.code)
      }
    }
    expect(alice.socket.readyState).toBe(alice.socket.OPEN)
    // The bad ones changed nothing: the server holds the reference plus what it acked.
    for (const bytes of acked) Y.applyUpdate(reference, bytes)
    const fresh = new Y.Doc()
    await openDoc(await connectAs(server.url, 'bob'), DOC, fresh)
    expect(fresh.getText('content').toJSON()).toBe(reference.getText('content').toJSON())
    expect(fresh.getMap('meta').toJSON()).toEqual(reference.getMap('meta').toJSON())
    expect(Y.encodeStateVector(fresh)).toEqual(Y.encodeStateVector(reference))
    expect(Y.encodeStateAsUpdate(fresh)).toEqual(Y.encodeStateAsUpdate(reference))
    expect(logger.logged.some((line) => line.includes('Yjs refused an update'))).toBe(true)
  })
})

describe('collaborative documents: durability', () => {
  it('acks an update (and forwards it) only once the store resolved its append', async () => {
    const spy = spyStore()
    let release = () => {}
    spy.hooks.append = () => new Promise<void>((resolve) => (release = resolve))
    const server = await startServer({ documents: spy.store })
    const alice = await connectAs(server.url, 'alice')
    const bob = await connectAs(server.url, 'bob')
    const aliceDoc = new Y.Doc()
    await openDoc(alice, DOC, aliceDoc)
    await openDoc(bob, DOC)

    const update = sendUpdate(alice, DOC, edit(aliceDoc, 0, 'durable'))
    await spy.called('append')
    await fence(server, alice, bob)
    expect(framesOf(alice, 'ack')).toEqual([])
    expect(framesOf(bob, 'doc_update')).toEqual([])

    release()
    await alice.nextOfType('ack', (f) => f.data.refId === update.id)
    const forwarded = await bob.nextOfType('doc_update')
    expect(forwarded.data).toEqual({ doc: DOC, update: update.data.update })
  })

  it('does not apply or ack an update whose append failed, and says so', async () => {
    const spy = spyStore()
    spy.hooks.append = () => Promise.reject(new Error('disk full'))
    const server = await startServer({ documents: spy.store })
    const alice = await connectAs(server.url, 'alice')
    const aliceDoc = new Y.Doc()
    await openDoc(alice, DOC, aliceDoc)
    const update = sendUpdate(alice, DOC, edit(aliceDoc, 0, 'lost?'))
    const error = await alice.nextOfType('error', (f) => f.data.refId === update.id)
    expect(error.data).toMatchObject({ code: 'SERVER_ERROR', doc: DOC })
    expect(framesOf(alice, 'ack')).toEqual([])
    expect(await serverText(await connectAs(server.url, 'bob'), DOC)).toBe('')
  })
})
