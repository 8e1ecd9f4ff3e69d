import * as Y from 'yjs'
import { decodeBase64, encodeBase64 } from '../../src/protocol'
import type { DocAccess, FrameOfType } from '../../src/protocol'
import type { DocumentStore } from '../../src/server'
import { createMemoryDocumentStore } from '../../src/server'
import type { RawClient } from '../support/rawClient'
import { framesOf } from './harness'

/** What opening a document returned: the step 2 as it came, and the server's state vector. */
export interface Opened {
  access: DocAccess | undefined
  parts: Array<FrameOfType<'doc_sync'>>
  serverVector: Uint8Array
}

export function bytesOf(base64: string): Uint8Array {
  const bytes = decodeBase64(base64)
  if (!bytes) throw new Error(`not base64: ${base64.slice(0, 40)}`)
  return bytes
}

/**
 * Opens `doc` the way a client does: step 1 with `ydoc`'s state vector, then the server's step 2
 * (all its parts) applied to `ydoc`, then the server's step 1.
 */
export async function openDoc(
  client: RawClient,
  doc: string,
  ydoc: Y.Doc = new Y.Doc(),
  { timeoutMs = 2000, afterOpen }: { timeoutMs?: number; afterOpen?: () => void } = {},
): Promise<Opened> {
  client.sendFrame('doc_sync', {
    data: { doc, step: 1, update: encodeBase64(Y.encodeStateVector(ydoc)) },
  })
  afterOpen?.()
  const parts = await receiveStep2(client, doc, ydoc, timeoutMs)
  const step1 = await client.nextOfType(
    'doc_sync',
    (f) => f.data.doc === doc && f.data.step === 1,
    timeoutMs,
  )
  return { access: parts[0]?.data.access, parts, serverVector: bytesOf(step1.data.update) }
}

/** Reads a `doc_sync` step 2 (every part of it) and applies it to `ydoc`; returns the parts. */
export async function receiveStep2(
  client: RawClient,
  doc: string,
  ydoc: Y.Doc,
  timeoutMs = 2000,
): Promise<Array<FrameOfType<'doc_sync'>>> {
  const parts: Array<FrameOfType<'doc_sync'>> = []
  for (;;) {
    const part = await client.nextOfType(
      'doc_sync',
      (f) => f.data.doc === doc && f.data.step === 2,
      timeoutMs,
    )
    parts.push(part)
    const { part: index, parts: count } = part.data
    if (count === undefined || index === count - 1) break
  }
  // Parts are slices of one update's bytes: joined, not merged.
  const chunks = parts.map((p) => bytesOf(p.data.update))
  const whole = new Uint8Array(chunks.reduce((sum, c) => sum + c.length, 0))
  let offset = 0
  for (const chunk of chunks) {
    whole.set(chunk, offset)
    offset += chunk.length
  }
  Y.applyUpdate(ydoc, whole, 'server')
  return parts
}

/** Sends `update` as a `doc_update` and returns the frame (its id is the ack's refId). */
export function sendUpdate(client: RawClient, doc: string, update: Uint8Array) {
  return client.sendFrame('doc_update', { data: { doc, update: encodeBase64(update) } })
}

/** Applies every `doc_update` `client` received for `doc` to `ydoc`. */
export function applyReceived(client: RawClient, doc: string, ydoc: Y.Doc): void {
  for (const frame of framesOf(client, 'doc_update'))
    if (frame.data.doc === doc) Y.applyUpdate(ydoc, bytesOf(frame.data.update), 'server')
}

/** The update that inserts `text` at `index` of `ydoc`'s `content` text. */
export function edit(ydoc: Y.Doc, index: number, text: string): Uint8Array {
  let captured: Uint8Array | undefined
  const capture = (update: Uint8Array) => {
    captured = update
  }
  ydoc.on('update', capture)
  ydoc.getText('content').insert(index, text)
  ydoc.off('update', capture)
  if (!captured) throw new Error('edit produced no update')
  return captured
}

/** What the server has for `doc`, read by a fresh connection. */
export async function serverText(client: RawClient, doc: string): Promise<string> {
  const ydoc = new Y.Doc()
  await openDoc(client, doc, ydoc)
  return ydoc.getText('content').toJSON()
}

/** A memory store that records calls and can be slowed or made to fail. */
export function spyStore(inner: DocumentStore = createMemoryDocumentStore()) {
  const calls: string[] = []
  const waiters: Array<{ what: string; count: number; resolve: () => void }> = []
  const check = () => {
    for (const waiter of [...waiters]) {
      if (calls.filter((c) => c === waiter.what).length >= waiter.count) {
        waiters.splice(waiters.indexOf(waiter), 1)
        waiter.resolve()
      }
    }
  }
  const record = (what: string) => {
    calls.push(what)
    check()
  }
  const hooks: {
    load?: () => Promise<void>
    append?: () => Promise<void>
    compact?: () => Promise<void>
  } = {}
  const store: DocumentStore = {
    async load(doc) {
      record('load')
      await hooks.load?.()
      return inner.load(doc)
    },
    async append(doc, update) {
      record('append')
      await hooks.append?.()
      return inner.append(doc, update)
    },
    async compact(doc, state) {
      record('compact')
      await hooks.compact?.()
      return inner.compact?.(doc, state)
    },
  }
  return {
    store,
    calls,
    hooks,
    count: (what: string) => calls.filter((c) => c === what).length,
    /** Resolves once `what` was called `count` times in all. */
    called(what: string, count = 1): Promise<void> {
      return new Promise((resolve) => {
        waiters.push({ what, count, resolve })
        check()
      })
    },
  }
}
