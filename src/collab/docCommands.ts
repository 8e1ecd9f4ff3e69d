/**
 * The collab plugin's commands (`openDocument`, `editText`, `setCursor`, `undo`, …): each id is
 * acted on once, so a command re-dispatched from a DevTools log touches no document; a command
 * for a document not open throws (misuse), an edit of a view-only one is refused.
 */
import type { UnknownAction } from '@reduxjs/toolkit'
import { connection } from '../../slices/actions'
import { errorInfo } from '../errors'
import { WebSocketErrorCode } from '../protocol/codes'
import { closeDocument, editText, openDocument, redo, setCursor, undo } from './actions'
import { fail } from './docEvents'
import type { DocLifecycle } from './docLifecycle'
import { LOCAL_ORIGIN, type CollabContext, type OpenDoc } from './openDoc'

const MAX_HANDLED_COMMANDS = 10_000

/** Handles `action` when it is one of the plugin's commands: false for anything else. */
export function createDocCommands(
  { ctx, docs }: CollabContext,
  { open, close }: DocLifecycle,
): (action: UnknownAction) => boolean {
  /** Command ids acted on: a command re-dispatched from a DevTools log is not acted on twice. */
  const handled = new Set<string>()

  function once(id: string): boolean {
    if (handled.has(id)) return false
    handled.add(id)
    if (handled.size > MAX_HANDLED_COMMANDS) {
      const oldest = handled.values().next().value
      if (oldest !== undefined) handled.delete(oldest)
    }
    return true
  }

  function requireOpen(command: string, docId: string): OpenDoc {
    const doc = docs.get(docId)
    if (!doc) {
      throw new Error(
        `${command}: document "${docId}" is not open; dispatch openDocument('${docId}') first`,
      )
    }
    return doc
  }

  function refusedToViewer(doc: OpenDoc, command: string): boolean {
    if (doc.access !== 'view') return false
    const message = `${command}: you may only view "${doc.id}"; the change was not made`
    fail(ctx, doc, WebSocketErrorCode.FORBIDDEN, message)
    ctx.dispatch(
      connection.errorOccurred({
        error: errorInfo(WebSocketErrorCode.FORBIDDEN, message, { context: 'collab' }),
      }),
    )
    return true
  }

  return function command(action: UnknownAction): boolean {
    if (openDocument.match(action)) {
      if (once(action.payload.id)) open(action.payload.docId)
    } else if (closeDocument.match(action)) {
      if (once(action.payload.id)) close(action.payload.docId)
    } else if (editText.match(action)) {
      const { docId, index, deleteCount, insert, id } = action.payload
      if (!once(id)) return true
      const doc = requireOpen('editText', docId)
      if (refusedToViewer(doc, 'editText')) return true
      const text = doc.ydoc.getText('content')
      const at = Math.min(index, text.length)
      // One change however big (a paste): above the frame limit it goes in parts.
      doc.ydoc.transact(() => {
        if (deleteCount > 0) text.delete(at, Math.min(deleteCount, text.length - at))
        if (insert.length > 0) text.insert(at, insert)
      }, LOCAL_ORIGIN)
    } else if (setCursor.match(action)) {
      const { docId, anchor, head, id } = action.payload
      if (!once(id)) return true
      const doc = requireOpen('setCursor', docId)
      doc.awareness.setLocalStateField('cursor', { anchor, head })
    } else if (undo.match(action) || redo.match(action)) {
      const { docId, id } = action.payload
      if (!once(id)) return true
      const doc = requireOpen(undo.match(action) ? 'undo' : 'redo', docId)
      if (refusedToViewer(doc, undo.match(action) ? 'undo' : 'redo')) return true
      if (undo.match(action)) doc.undoManager.undo()
      else doc.undoManager.redo()
    } else return false
    return true
  }
}
