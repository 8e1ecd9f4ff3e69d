/**
 * Opening and closing a document: its Y.Doc, Awareness and UndoManager are made on the first
 * open and destroyed on the last close; what changes in them is routed to the text snapshot,
 * the storage and the sender.
 */
import * as Y from 'yjs'
import { Awareness } from 'y-protocols/awareness'
import { documents } from './actions'
import { reportPeers, setLocalUser } from './awareness'
import { reportUnsynced } from './docEvents'
import type { DocStorage } from './docStorage'
import {
  LOCAL_ORIGIN,
  REMOTE_ORIGIN,
  STORED_ORIGIN,
  docFrame,
  type CollabContext,
  type OpenDoc,
} from './openDoc'

export interface DocLifecycle {
  /** Opens the doc, or counts one more open of an open one. */
  open: (docId: string) => void
  /** Counts one open less; the last (or `force`) saves it, tells the server and frees it. */
  close: (docId: string, force?: boolean) => void
}

export function createDocLifecycle(
  c: CollabContext,
  {
    scheduleText,
    scheduleFlush,
    storage,
  }: { scheduleText: (doc: OpenDoc) => void; scheduleFlush: () => void; storage: DocStorage },
): DocLifecycle {
  const { ctx, docs, live } = c
  const authenticated = () => ctx.session.authenticated

  function open(docId: string): void {
    const existing = docs.get(docId)
    if (existing) {
      existing.refs += 1
      return
    }
    const ydoc = new Y.Doc()
    const awareness = new Awareness(ydoc)
    const undoManager = new Y.UndoManager(ydoc.getText('content'), {
      trackedOrigins: new Set([LOCAL_ORIGIN, null]),
    })
    const doc: OpenDoc = {
      id: docId,
      ydoc,
      awareness,
      undoManager,
      refs: 1,
      pending: [],
      pendingChanges: 0,
      inFlight: new Map(),
      split: undefined,
      partIds: new Map(),
      recover: 0,
      parts: null,
      opened: false,
      step1Id: undefined,
      refused: false,
      live: false,
      loaded: false,
      awarenessDirty: false,
      status: authenticated() ? 'syncing' : c.wasConnected ? 'offline' : 'connecting',
      reportedUnsynced: 0,
      textTimer: undefined,
      lastTextAt: -Infinity,
      truncated: false,
      peersKey: '[]',
      saveTimer: undefined,
      retryTimer: undefined,
    }
    docs.set(docId, doc)
    live.set(docId, ydoc)
    ydoc.on('update', (update: Uint8Array, origin: unknown) => {
      if (docs.get(docId) !== doc) return
      scheduleText(doc)
      storage.scheduleSave(doc)
      if (origin === REMOTE_ORIGIN || origin === STORED_ORIGIN) return
      // A local change (editText, undo/redo, or an editor bound to the Y.Doc).
      doc.pending.push(update)
      doc.pendingChanges += 1
      reportUnsynced(ctx, doc)
      scheduleFlush()
    })
    awareness.on('update', (_changes: unknown, origin: unknown) => {
      if (origin === REMOTE_ORIGIN) return
      if (origin === 'local' || origin === undefined) {
        doc.awarenessDirty = true
        scheduleFlush()
      }
    })
    awareness.on('change', () => reportPeers(c, doc))
    setLocalUser(c, doc)
    ctx.dispatch(documents.opened({ docId, status: doc.status }))
    storage.load(doc)
  }

  function close(docId: string, force = false): void {
    const doc = docs.get(docId)
    if (!doc) return
    doc.refs -= 1
    if (doc.refs > 0 && !force) return
    void storage.save(doc)
    if (authenticated() && doc.opened) ctx.send(docFrame(ctx, 'doc_close', { doc: docId }))
    docs.delete(docId)
    live.delete(docId)
    clearTimeout(doc.textTimer)
    clearTimeout(doc.retryTimer)
    doc.undoManager.destroy()
    doc.awareness.destroy()
    doc.ydoc.destroy()
    ctx.dispatch(documents.closed({ docId }))
  }

  return { open, close }
}
