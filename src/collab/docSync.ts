/**
 * The Yjs sync protocol with the server, and every doc frame that comes in: our step 1 when a
 * document opens (or the socket reopens), the answer to the server's step 1 (what it lacks, our
 * offline edits, as one acknowledged step 2), its step 2 (in parts too), its updates and its
 * awareness.
 */
import * as Y from 'yjs'
import { applyAwarenessUpdate } from 'y-protocols/awareness'
import { WebSocketErrorCode } from '../protocol/codes'
import { decodeBase64, encodeBase64, joinParts, type DocFrame } from '../protocol/docFrames'
import type { Frame } from '../protocol/frames'
import { createId } from '../protocol/ids'
import { renewLocalUser } from './awareness'
import { fail, reasonOf, reportUnsynced, setStatus } from './docEvents'
import type { DocSender } from './docSender'
import {
  REMOTE_ORIGIN,
  docFrame,
  dropLocalChanges,
  type CollabContext,
  type OpenDoc,
} from './openDoc'

export interface DocSync {
  /** Opens the doc on the server (once loaded, on an authenticated socket, not yet opened). */
  sendStep1: (doc: OpenDoc) => void
  /** A validated `doc_*` frame from the server. */
  receive: (frame: Frame) => void
}

export function createDocSync(
  c: CollabContext,
  { scheduleFlush, fits, startSplit }: DocSender,
): DocSync {
  const { ctx, docs } = c

  function sendStep1(doc: OpenDoc): void {
    if (!ctx.session.authenticated || !doc.loaded || doc.opened || doc.refused) return
    const sv = Y.encodeStateVector(doc.ydoc)
    const id = createId()
    const step1 = docFrame(ctx, 'doc_sync', { doc: doc.id, step: 1, update: encodeBase64(sv) }, id)
    if (!ctx.send(step1)) return
    doc.opened = true
    doc.step1Id = id
    doc.live = false
    doc.parts = null
    setStatus(ctx, doc, 'syncing')
  }

  /** The server's step 1: send what it lacks (our offline edits), then regular updates may go. */
  function answerStep1(doc: OpenDoc, serverVector: Uint8Array): void {
    const changes = doc.recover + doc.pendingChanges
    if (changes > 0 && doc.access !== 'view') {
      // Everything the server lacks, as one acknowledged update (in parts when above the limit).
      const diff = Y.encodeStateAsUpdate(doc.ydoc, serverVector)
      let sent = true
      if (!fits(doc, diff)) startSplit(doc, 'doc_sync', diff, changes)
      else {
        const id = createId()
        const update = encodeBase64(diff)
        sent = ctx.send(docFrame(ctx, 'doc_sync', { doc: doc.id, step: 2, update }, id))
        if (sent) doc.inFlight.set(id, { update: diff, changes })
      }
      if (sent) dropLocalChanges(doc)
    }
    if (changes > 0 && doc.access === 'view') {
      // Made before the server said view only: they cannot go, and are not counted as waiting.
      fail(
        ctx,
        doc,
        WebSocketErrorCode.FORBIDDEN,
        `you may only view "${doc.id}": ${changes} local changes were not sent`,
      )
      dropLocalChanges(doc)
    }
    doc.live = true
    setStatus(ctx, doc, 'synced')
    renewLocalUser(c, doc)
    doc.awarenessDirty = true
    reportUnsynced(ctx, doc)
    scheduleFlush()
  }

  /** Applies what the server sent; what Yjs refuses becomes a failure naming the frame. */
  function applyFromServer(doc: OpenDoc, refId: string, refusal: string, apply: () => void): void {
    try {
      apply()
    } catch (error) {
      const message = `${refusal}: ${reasonOf(error)}`
      fail(ctx, doc, WebSocketErrorCode.INVALID_MESSAGE, message, refId)
    }
  }

  function applyRemote(doc: OpenDoc, bytes: Uint8Array, what: string, refId: string): void {
    applyFromServer(doc, refId, `${what} for "${doc.id}" is not a Yjs update`, () =>
      Y.applyUpdate(doc.ydoc, bytes, REMOTE_ORIGIN),
    )
  }

  function receive(received: Frame): void {
    const f = received as DocFrame
    const doc = docs.get(f.data.doc)
    // A document we do not have open (closed meanwhile, or a server's mistake): nothing to do.
    if (!doc || !doc.opened) return
    const bytes = 'update' in f.data ? decodeBase64(f.data.update) : undefined
    if ('update' in f.data && bytes === undefined) {
      const message = `${f.type}: update is not base64`
      return fail(ctx, doc, WebSocketErrorCode.INVALID_MESSAGE, message, f.id)
    }
    const data = bytes ?? new Uint8Array(0)
    if (f.type === 'doc_sync') {
      if (f.data.step === 2) {
        const { part = 0, parts = 1 } = f.data
        if (part === 0) {
          doc.parts = []
          if (f.data.access !== undefined) doc.access = f.data.access
        }
        if (!doc.parts || doc.parts.length !== part) {
          doc.parts = null
          const message = `doc_sync part ${part} out of order`
          return fail(ctx, doc, WebSocketErrorCode.INVALID_MESSAGE, message, f.id)
        }
        doc.parts.push(data)
        if (doc.parts.length < parts) return
        const whole = joinParts(doc.parts)
        doc.parts = null
        applyRemote(doc, whole, 'the server step 2', f.id)
      } else answerStep1(doc, data)
    } else if (f.type === 'doc_update') {
      applyRemote(doc, data, 'doc_update', f.id)
    } else if (f.type === 'doc_awareness') {
      applyFromServer(doc, f.id, `doc_awareness for "${doc.id}" is unreadable`, () =>
        applyAwarenessUpdate(doc.awareness, data, REMOTE_ORIGIN),
      )
    }
  }

  return { sendStep1, receive }
}
