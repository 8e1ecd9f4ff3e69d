import { createAction } from '@reduxjs/toolkit'
import type { WebSocketErrorInfo } from '../errors'
import { DOC_ID_RULE, isValidDocId, type DocAccess } from '../protocol/docFrames'
import { createId } from '../protocol/ids'

/**
 * The collab plugin's actions, in the canonical namespace (`realtime/…`; an instance with
 * another `reducerPath` renames them). Commands carry an `id`: the middleware acts on each id
 * once, so a command re-dispatched from a DevTools log touches no document and no socket.
 */

/** Where a document is: connecting, syncing with the server, in sync, or offline (edits kept). */
export type DocumentStatus = 'connecting' | 'syncing' | 'synced' | 'offline'

/** A peer's state, from its awareness (validated: every field comes from the wire). */
export interface DocumentPeer {
  userId: string
  name?: string
  color?: string
  cursor?: { anchor: number; head: number }
}

function requireDocId(command: string, docId: unknown): string {
  if (!isValidDocId(docId)) {
    throw new TypeError(
      `${command}(docId): docId must be ${DOC_ID_RULE}, got ${JSON.stringify(docId)}`,
    )
  }
  return docId
}

function requireIndex(command: string, field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new TypeError(`${command}: ${field} must be an integer ≥ 0, got ${JSON.stringify(value)}`)
  }
  return value
}

const withDoc = (command: string) => (docId: string) => ({
  payload: { docId: requireDocId(command, docId), id: createId() },
})

export interface EditTextInput {
  docId: string
  /** Where in the text (UTF-16 code units, as `string.length` counts). */
  index: number
  deleteCount: number
  insert: string
}

export interface SetCursorInput {
  docId: string
  anchor: number
  head: number
}

export const openDocument = createAction('realtime/openDocument', withDoc('openDocument'))
export const closeDocument = createAction('realtime/closeDocument', withDoc('closeDocument'))
export const undo = createAction('realtime/undo', withDoc('undo'))
export const redo = createAction('realtime/redo', withDoc('redo'))

export const editText = createAction('realtime/editText', (input: EditTextInput) => {
  if (typeof input !== 'object' || input === null) {
    throw new TypeError('editText: pass { docId, index, deleteCount, insert }')
  }
  if (typeof input.insert !== 'string') {
    throw new TypeError(`editText: insert must be a string (use '' to only delete)`)
  }
  return {
    payload: {
      docId: requireDocId('editText', input.docId),
      index: requireIndex('editText', 'index', input.index),
      deleteCount: requireIndex('editText', 'deleteCount', input.deleteCount),
      insert: input.insert,
      id: createId(),
    },
  }
})

export const setCursor = createAction('realtime/setCursor', (input: SetCursorInput) => {
  if (typeof input !== 'object' || input === null) {
    throw new TypeError('setCursor: pass { docId, anchor, head }')
  }
  return {
    payload: {
      docId: requireDocId('setCursor', input.docId),
      anchor: requireIndex('setCursor', 'anchor', input.anchor),
      head: requireIndex('setCursor', 'head', input.head),
      id: createId(),
    },
  }
})

/** Events: what happened to a document (summaries only: no Yjs bytes in actions). */
export const documents = {
  opened: createAction<{ docId: string; status: DocumentStatus }>('realtime/documents/opened'),
  statusChanged: createAction<{ docId: string; status: DocumentStatus; access?: DocAccess }>(
    'realtime/documents/statusChanged',
  ),
  /** The text snapshot (throttled); `text` null past the size cap. `bytes`: the update sizes since the last. */
  textChanged: createAction<{ docId: string; text: string | null; length: number }>(
    'realtime/documents/textChanged',
  ),
  unsyncedChanged: createAction<{ docId: string; unsyncedChanges: number }>(
    'realtime/documents/unsyncedChanged',
  ),
  peersChanged: createAction<{ docId: string; peers: DocumentPeer[] }>(
    'realtime/documents/peersChanged',
  ),
  failed: createAction<{ docId: string; error: WebSocketErrorInfo }>('realtime/documents/failed'),
  closed: createAction<{ docId: string }>('realtime/documents/closed'),
}

export const collabCommands = [openDocument, closeDocument, editText, setCursor, undo, redo]

export const collabActions = {
  openDocument,
  closeDocument,
  editText,
  setCursor,
  undo,
  redo,
  documents,
}
