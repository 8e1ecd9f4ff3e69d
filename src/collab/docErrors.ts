/**
 * The server's errors about our documents: an update not applied goes again (after the pause
 * it asks for), a refused step 1 is asked again later (or never, for a document we may not see),
 * and a FORBIDDEN edit makes the document view only. Each becomes a `documents.failed` event.
 */
import { WebSocketErrorCode } from '../protocol/codes'
import type { ErrorData } from '../protocol/frames'
import { documents } from './actions'
import { fail, reportUnsynced } from './docEvents'
import type { DocSender } from './docSender'
import { dropLocalChanges, type CollabContext, type OpenDoc } from './openDoc'

/** After the server failed to open a document (e.g. its store failed), it is asked again. */
const STEP1_RETRY_MS = 1000
/** Errors about our updates that mean "not applied, send it again" (after a pause). */
const RESEND_CODES: ReadonlySet<string> = new Set([
  WebSocketErrorCode.RATE_LIMITED,
  WebSocketErrorCode.TOKEN_EXPIRED,
  WebSocketErrorCode.SERVER_ERROR,
])

export function createDocErrors(
  { ctx, docs }: CollabContext,
  { sender, sendStep1 }: { sender: DocSender; sendStep1: (doc: OpenDoc) => void },
): (error: ErrorData) => void {
  return function docError(error: ErrorData): void {
    const doc = error.doc !== undefined ? docs.get(error.doc) : undefined
    if (!doc) return
    // An error about any part of an update sent in parts is about the whole update.
    const key =
      error.refId !== undefined ? (doc.partIds.get(error.refId) ?? error.refId) : undefined
    const sent = key !== undefined ? doc.inFlight.get(key) : undefined
    // About a part of an update already given up (its remaining parts refused in turn): told once.
    if (!sent && error.refId !== undefined && doc.partIds.has(error.refId)) return
    if (sent && key !== undefined) {
      doc.inFlight.delete(key)
      if (doc.split && doc.split.ids[doc.split.ids.length - 1] === key) doc.split = undefined
      if (RESEND_CODES.has(error.code)) {
        // Not applied (not admitted, or not stored): it goes again, whole.
        doc.pending.unshift(sent.update)
        doc.pendingChanges += sent.changes
        sender.pauseFor(error.retryAfterMs ?? 1000)
      }
    }
    if (error.refId !== undefined && error.refId === doc.step1Id) {
      doc.opened = false
      doc.step1Id = undefined
      if (
        error.code === WebSocketErrorCode.FORBIDDEN ||
        error.code === WebSocketErrorCode.MESSAGE_TOO_LARGE
      ) {
        // Not even to view (or too big for this connection): open, without the server's state.
        doc.refused = true
      } else {
        // The server could not load it now (or asked us to slow down): open it again later.
        const retry = setTimeout(() => {
          if (docs.get(doc.id) === doc) sendStep1(doc)
        }, error.retryAfterMs ?? STEP1_RETRY_MS)
        doc.retryTimer = retry
      }
    } else if (error.code === WebSocketErrorCode.FORBIDDEN) {
      // A viewer: nothing of ours is applied or forwarded, and nothing more is sent.
      doc.access = 'view'
      ctx.dispatch(documents.statusChanged({ docId: doc.id, status: doc.status, access: 'view' }))
      dropLocalChanges(doc)
      doc.inFlight.clear()
    }
    if (error.code !== WebSocketErrorCode.RATE_LIMITED) {
      fail(ctx, doc, error.code, error.message, error.refId)
    }
    reportUnsynced(ctx, doc)
  }
}
