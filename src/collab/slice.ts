import { createReducer } from '@reduxjs/toolkit'
import type { WebSocketErrorInfo } from '../errors'
import type { DocAccess } from '../protocol/docFrames'
import { documents, type DocumentPeer, type DocumentStatus } from './actions'

/** One open document, as plain data. The `Y.Doc` itself is `realtime.documents.get(docId)`. */
export interface DocumentState {
  docId: string
  status: DocumentStatus
  /** The `Y.Text` named `content`, throttled; null past the snapshot cap (see `textTruncated`). */
  text: string | null
  textTruncated?: true
  /** Local changes the server has not acknowledged yet. */
  unsyncedChanges: number
  /** Everyone else with the document open (their awareness). */
  peers: DocumentPeer[]
  /** Whether this user may edit, once the server said. */
  access?: DocAccess
  lastError?: WebSocketErrorInfo
}

/** Open documents by id (doc ids follow the room-name rule: never an Object.prototype name). */
export interface DocumentsState {
  byId: Record<string, DocumentState>
}

const initialState: DocumentsState = { byId: {} }

export const documentsReducer = createReducer(initialState, (builder) => {
  builder
    .addCase(documents.opened, (state, { payload }) => {
      const current = Object.hasOwn(state.byId, payload.docId)
        ? state.byId[payload.docId]
        : undefined
      state.byId[payload.docId] = current ?? {
        docId: payload.docId,
        status: payload.status,
        text: '',
        unsyncedChanges: 0,
        peers: [],
      }
    })
    .addCase(documents.closed, (state, { payload }) => {
      delete state.byId[payload.docId]
    })
    .addMatcher(
      (action) =>
        documents.statusChanged.match(action) ||
        documents.textChanged.match(action) ||
        documents.unsyncedChanged.match(action) ||
        documents.peersChanged.match(action) ||
        documents.failed.match(action),
      (state, action) => {
        const { payload } = action
        const doc = Object.hasOwn(state.byId, payload.docId) ? state.byId[payload.docId] : undefined
        if (!doc) return
        if (documents.statusChanged.match(action)) {
          doc.status = action.payload.status
          if (action.payload.access !== undefined) doc.access = action.payload.access
        } else if (documents.textChanged.match(action)) {
          doc.text = action.payload.text
          if (action.payload.text === null) doc.textTruncated = true
          else delete doc.textTruncated
        } else if (documents.unsyncedChanged.match(action)) {
          doc.unsyncedChanges = action.payload.unsyncedChanges
        } else if (documents.peersChanged.match(action)) {
          doc.peers = action.payload.peers
        } else if (documents.failed.match(action)) {
          doc.lastError = action.payload.error
        }
      },
    )
})

export function createDocumentSelectors(select: (root: unknown) => DocumentsState | undefined) {
  return {
    /** The open document's state, or undefined when it is not open. */
    selectDocument(state: unknown, docId: string): DocumentState | undefined {
      const byId = select(state)?.byId
      return byId && Object.hasOwn(byId, docId) ? byId[docId] : undefined
    },
    /** The ids of the open documents. */
    selectOpenDocuments(state: unknown): string[] {
      return Object.keys(select(state)?.byId ?? {})
    },
  }
}
