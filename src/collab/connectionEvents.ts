/**
 * What the connection's own events mean for the open documents: acks settle updates in
 * flight, errors go to `docErrors`, an opened socket re-opens every document (step 1), and a
 * closed one takes whatever was in flight back into what the next step 2 covers.
 */
import type { UnknownAction } from '@reduxjs/toolkit'
import { removeAwarenessStates } from 'y-protocols/awareness'
import { connection, outbox } from '../../slices/actions'
import type { ErrorData } from '../protocol/frames'
import { reportUnsynced, setStatus } from './docEvents'
import type { DocSender } from './docSender'
import { REMOTE_ORIGIN, type CollabContext, type OpenDoc } from './openDoc'

export function createConnectionEvents(
  c: CollabContext,
  deps: {
    sender: DocSender
    sendStep1: (doc: OpenDoc) => void
    scheduleSave: (doc: OpenDoc) => void
    docError: (error: ErrorData) => void
  },
): (action: UnknownAction) => void {
  const { ctx, docs } = c
  const { sender, sendStep1, scheduleSave, docError } = deps

  /** Whatever was in flight may or may not have arrived: the next step 2 covers it. */
  function disconnected(doc: OpenDoc): void {
    for (const sent of doc.inFlight.values()) doc.recover += sent.changes
    doc.recover += doc.pendingChanges
    doc.inFlight.clear()
    doc.split = undefined
    doc.partIds.clear()
    doc.pending = []
    doc.pendingChanges = 0
    doc.opened = false
    doc.refused = false
    clearTimeout(doc.retryTimer)
    doc.live = false
    doc.parts = null
    // Peers' cursors are not shown while we cannot see them move; the server resends them.
    const others = [...doc.awareness.getStates().keys()].filter((c) => c !== doc.ydoc.clientID)
    if (others.length > 0) removeAwarenessStates(doc.awareness, others, REMOTE_ORIGIN)
    setStatus(ctx, doc, 'offline')
    reportUnsynced(ctx, doc)
  }

  return function settle(action: UnknownAction): void {
    if (outbox.acked.match(action)) {
      for (const { refId } of action.payload.acks) {
        for (const doc of docs.values()) {
          const sent = doc.inFlight.get(refId)
          if (!sent) continue
          doc.inFlight.delete(refId)
          for (const id of sent.parts ?? []) doc.partIds.delete(id)
          reportUnsynced(ctx, doc)
          scheduleSave(doc)
          break
        }
      }
      sender.scheduleFlush()
    } else if (connection.errorsReceived.match(action)) {
      for (const error of action.payload.errors) docError(error)
      sender.scheduleFlush()
    } else if (connection.opened.match(action)) {
      if (ctx.session.refresh) return
      c.wasConnected = true
      for (const doc of docs.values()) {
        doc.opened = false
        sendStep1(doc)
      }
    } else if (connection.closed.match(action)) {
      c.wasConnected = true
      sender.reset()
      for (const doc of docs.values()) disconnected(doc)
    } else if (connection.connecting.match(action)) {
      for (const doc of docs.values())
        if (!doc.opened && c.wasConnected) setStatus(ctx, doc, 'offline')
    }
  }
}
