import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { encodeBase64 } from '../../src/protocol'
import type { Frame } from '../../src/protocol'
import { edit, openDoc, receiveStep2, serverText, spyStore } from './collabClient'
import { connect, connectAs, framesOf, roundTrip, startServer } from './harness'
import type { RawClient } from '../support/rawClient'
import { tokenFor } from '../support/tokens'

/**
 * A client's update above its frame limit, sent as `part`/`parts` frames (`doc_update`, or its
 * `doc_sync` step 2): byte slices of one update the server joins, applies, stores and acks once
 * (naming the last part's id); any broken sequence is abandoned with an error, nothing applied.
 */

const DOC = 'notes-1'
let nextId = 0

interface Part {
  type: 'doc_update' | 'doc_sync'
  part: number
  parts: number
  /** The slice of the update this part carries (of `parts` equal slices). */
  slice?: number
}

/** The update cut into `parts` byte slices. */
function slices(update: Uint8Array, parts: number): Uint8Array[] {
  const size = Math.ceil(update.length / parts)
  return Array.from({ length: parts }, (_, i) => update.subarray(i * size, (i + 1) * size))
}

/** Sends the frames of `sequence` (parts of `update`, each its slice unless told) and returns them. */
function sendParts(client: RawClient, update: Uint8Array, sequence: Part[]): Frame[] {
  const frames = sequence.map(({ type, part, parts, slice = part }) => {
    const bytes = slices(update, parts)[slice] ?? new Uint8Array([1])
    return {
      v: 1,
      id: `part-${nextId++}`,
      type,
      timestamp: Date.now(),
      data: {
        doc: DOC,
        update: encodeBase64(bytes),
        part,
        parts,
        ...(type === 'doc_sync' ? { step: 2 } : {}),
      },
    } as Frame
  })
  for (const frame of frames) client.send(frame)
  return frames
}

const inOrder = (parts: number, type: Part['type'] = 'doc_update'): Part[] =>
  Array.from({ length: parts }, (_, part) => ({ type, part, parts }))

const NOTHING = encodeBase64(Y.encodeStateAsUpdate(new Y.Doc()))

/**
 * Sends a whole empty update and waits for its ack: what was sent before it is handled (the
 * server takes a connection's frames in order; pings are rate limited, this is not), and an
 * update left half sent is abandoned by it.
 */
async function handled(client: RawClient): Promise<void> {
  const fence = client.sendFrame('doc_update', { data: { doc: DOC, update: NOTHING } })
  await client.nextOfType('ack', (f) => f.data.refId === fence.id)
}

/** The answers (ack or error) `client` got so far, by the id they name. */
function answers(client: RawClient): Map<string, Frame> {
  const byId = new Map<string, Frame>()
  for (const frame of [...framesOf(client, 'error'), ...framesOf(client, 'ack')])
    if (frame.data.refId !== undefined) byId.set(frame.data.refId, frame)
  return byId
}

describe('collaborative documents: client updates in parts', () => {
  it('joins a doc_update sent in parts, stores it once, acks the last part only and forwards it', async () => {
    const spy = spyStore()
    const server = await startServer({ documents: spy.store })
    const alice = await connectAs(server.url, 'alice')
    const bob = await connect(server.url)
    bob.sendFrame('auth', { data: { token: await tokenFor('bob'), maxFrameBytes: 2048 } })
    await bob.nextOfType('auth_ok')
    const aliceDoc = new Y.Doc()
    const bobDoc = new Y.Doc()
    await openDoc(alice, DOC, aliceDoc)
    await openDoc(bob, DOC, bobDoc)

    const text = Array.from({ length: 6000 }, (_, i) => String.fromCharCode(97 + (i % 26))).join('')
    const update = edit(aliceDoc, 0, text)
    const frames = sendParts(alice, update, inOrder(5))
    const last = frames[frames.length - 1] as Frame
    const ack = await alice.nextOfType('ack', (f) => f.data.refId === last.id)
    expect(ack.data.refId).toBe(last.id)
    await roundTrip(alice)
    expect(framesOf(alice, 'ack').map((f) => f.data.refId)).toEqual([last.id])
    expect(framesOf(alice, 'error')).toEqual([])
    expect(spy.count('append')).toBe(1)
    // Bob's limit is below the whole update: it reaches him as a step 2 in parts.
    await receiveStep2(bob, DOC, bobDoc)
    expect(bobDoc.getText('content').toJSON()).toBe(text)
    expect(await serverText(await connectAs(server.url, 'carol'), DOC)).toBe(text)
  })

  it("joins a client's step 2 (its offline edits) sent in parts and acks it once", async () => {
    const server = await startServer()
    const alice = await connectAs(server.url, 'alice')
    const ydoc = new Y.Doc()
    ydoc.getText('content').insert(0, 'offline edits, '.repeat(200))
    const { serverVector } = await openDoc(alice, DOC, ydoc)
    const frames = sendParts(
      alice,
      Y.encodeStateAsUpdate(ydoc, serverVector),
      inOrder(3, 'doc_sync'),
    )
    await alice.nextOfType('ack', (f) => f.data.refId === frames[2]?.id)
    expect(await serverText(await connectAs(server.url, 'bob'), DOC)).toBe(
      'offline edits, '.repeat(200),
    )
  })

  it('abandons broken sequences with an error, applies nothing of them, and keeps the connection', async () => {
    const server = await startServer({
      maxDocumentBytes: 4096,
      authorize: ({ userId, action }) => !(userId === 'viewer' && action === 'edit'),
    })
    const alice = await connectAs(server.url, 'alice')
    const aliceDoc = new Y.Doc()
    await openDoc(alice, DOC, aliceDoc)
    const update = edit(aliceDoc, 0, 'never applied '.repeat(20))
    const wholeUpdate = edit(new Y.Doc(), 0, 'a whole one')
    const whole = {
      v: 1,
      id: 'whole-between',
      type: 'doc_update',
      timestamp: Date.now(),
      data: { doc: DOC, update: encodeBase64(wholeUpdate) },
    } as Frame
    const u = 'doc_update' as const
    const cases: Array<{ name: string; sequence: Part[]; between?: Frame; code: string }> = [
      {
        name: 'out of order',
        sequence: [
          { type: u, part: 0, parts: 3 },
          { type: u, part: 2, parts: 3 },
          { type: u, part: 1, parts: 3 },
        ],
        code: 'INVALID_MESSAGE',
      },
      {
        name: 'a part repeated',
        sequence: [
          { type: u, part: 0, parts: 3 },
          { type: u, part: 1, parts: 3 },
          { type: u, part: 1, parts: 3 },
          { type: u, part: 2, parts: 3 },
        ],
        code: 'INVALID_MESSAGE',
      },
      {
        name: 'another parts count',
        sequence: [
          { type: u, part: 0, parts: 3 },
          { type: u, part: 1, parts: 4, slice: 1 },
          { type: u, part: 2, parts: 3 },
        ],
        code: 'INVALID_MESSAGE',
      },
      {
        name: 'another frame type',
        sequence: [
          { type: u, part: 0, parts: 2 },
          { type: 'doc_sync', part: 1, parts: 2 },
        ],
        code: 'INVALID_MESSAGE',
      },
      {
        name: 'a part without part 0',
        sequence: [
          { type: u, part: 1, parts: 2 },
          { type: u, part: 2, parts: 3 },
        ],
        code: 'INVALID_MESSAGE',
      },
      {
        name: 'a missing part (a whole update came in between)',
        sequence: [{ type: u, part: 0, parts: 2 }],
        between: whole,
        code: 'INVALID_MESSAGE',
      },
    ]
    for (const { name, sequence, between, code } of cases) {
      const frames = sendParts(alice, update, sequence)
      if (between) {
        alice.send(between)
        await alice.nextOfType('ack', (f) => f.data.refId === between.id)
        sendParts(alice, update, [{ type: u, part: 1, parts: 2 }])
      }
      await handled(alice)
      const got = answers(alice)
      const errors = frames.flatMap((f) => (got.get(f.id)?.type === 'error' ? [got.get(f.id)] : []))
      expect(errors.length, name).toBeGreaterThan(0)
      expect(errors[0]?.data, name).toMatchObject({ code, doc: DOC })
      expect(
        frames.some((f) => got.get(f.id)?.type === 'ack'),
        name,
      ).toBe(false)
    }
    expect(alice.socket.readyState).toBe(alice.socket.OPEN)
    expect(await serverText(await connectAs(server.url, 'bob'), DOC)).toBe('a whole one')

    // Past maxDocumentBytes, counted as the parts arrive.
    const big = edit(new Y.Doc(), 0, 'x'.repeat(6000))
    const tooBig = sendParts(alice, big, inOrder(4))
    await handled(alice)
    const got = answers(alice)
    const refused = tooBig.map((t) => got.get(t.id)).find((f) => f?.type === 'error')
    expect(refused?.data).toMatchObject({ code: 'MESSAGE_TOO_LARGE', doc: DOC })

    // A viewer's first part is refused ('edit' asked on the first part).
    const viewer = await connectAs(server.url, 'viewer')
    await openDoc(viewer, DOC)
    const viewed = sendParts(viewer, update, inOrder(2))
    const forbidden = await viewer.nextOfType('error', (f) => f.data.refId === viewed[0]?.id)
    expect(forbidden.data).toMatchObject({ code: 'FORBIDDEN', doc: DOC })

    // Nothing of any of them: and a good sequence on the same connection still goes through.
    const good = sendParts(alice, update, inOrder(3))
    await alice.nextOfType('ack', (f) => f.data.refId === good[2]?.id)
    const expected = new Y.Doc()
    Y.applyUpdate(expected, wholeUpdate)
    Y.applyUpdate(expected, update)
    expect(await serverText(await connectAs(server.url, 'carol'), DOC)).toBe(
      expected.getText('content').toJSON(),
    )
  })

  it('an assembly is its connection’s: after a close, the rest of it on a new connection is refused', async () => {
    const server = await startServer()
    const first = await connectAs(server.url, 'alice')
    const aliceDoc = new Y.Doc()
    await openDoc(first, DOC, aliceDoc)
    const update = edit(aliceDoc, 0, 'cut off half way')
    sendParts(first, update, inOrder(3).slice(0, 2))
    await roundTrip(first)
    first.socket.terminate()

    const second = await connectAs(server.url, 'alice')
    await openDoc(second, DOC)
    const [rest] = sendParts(second, update, inOrder(3).slice(2))
    const error = await second.nextOfType('error', (f) => f.data.refId === rest?.id)
    expect(error.data).toMatchObject({ code: 'INVALID_MESSAGE', doc: DOC })
    expect(error.data.message).toContain('part 0')
    expect(await serverText(second, DOC)).toBe('')
  })

  it('fuzz: random part numbers and counts apply an update only after a complete in-order run', async () => {
    const server = await startServer({ rateLimit: false })
    const alice = await connectAs(server.url, 'alice')
    await openDoc(alice, DOC)
    const PARTS = 3
    const sequences = fc.sample(
      fc.array(fc.record({ part: fc.nat(PARTS), parts: fc.constantFrom(PARTS, PARTS + 1) }), {
        minLength: 1,
        maxLength: 8,
      }),
      { numRuns: 120, seed: 7 },
    )
    const expected = new Y.Doc()
    let acks = 0
    for (const [round, raw] of sequences.entries()) {
      const sequence = raw
        .filter((p) => p.part < p.parts)
        .map((p) => ({ type: 'doc_update' as const, part: p.part, parts: p.parts }))
      if (sequence.length === 0) continue
      // Each round its own client's insert: independent of the others, applied or not.
      const source = new Y.Doc()
      source.clientID = 1000 + round
      const update = edit(source, 0, `<${round}>`)
      const frames = sendParts(alice, update, sequence)
      await handled(alice)
      // The model: acked where parts 0..n-1 of one count n came in a row.
      const acked = new Set<string>()
      for (const n of [PARTS, PARTS + 1]) {
        for (let i = 0; i + n <= sequence.length; i++) {
          const run = sequence.slice(i, i + n)
          if (run.every((p, k) => p.part === k && p.parts === n))
            acked.add((frames[i + n - 1] as Frame).id)
        }
      }
      const got = answers(alice)
      for (const frame of frames)
        expect(got.get(frame.id)?.type === 'ack', `round ${round} ${frame.id}`).toBe(
          acked.has(frame.id),
        )
      if (acked.size > 0) {
        Y.applyUpdate(expected, update)
        acks++
      }
    }
    expect(acks).toBeGreaterThan(0)
    expect(alice.socket.readyState).toBe(alice.socket.OPEN)
    const fresh = new Y.Doc()
    await openDoc(await connectAs(server.url, 'bob'), DOC, fresh)
    expect(Y.encodeStateVector(fresh)).toEqual(Y.encodeStateVector(expected))
    expect(fresh.getText('content').toJSON()).toBe(expected.getText('content').toJSON())
  })
})
