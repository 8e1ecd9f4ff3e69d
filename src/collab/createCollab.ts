import type * as Y from 'yjs'
import type { RealtimePlugin } from '../plugins'
import { collabActions } from './actions'
import { createCollabHandler } from './handler'
import type { CollabOptions } from './openDoc'
import {
  createDocumentSelectors,
  documentsReducer,
  type DocumentState,
  type DocumentsState,
} from './slice'

/** `realtime.documents`: the live Yjs documents, for editor bindings (never in state). */
export interface LiveDocuments {
  /** The open document's `Y.Doc` (undefined when not open). Edits made on it sync like `editText`. */
  get: (docId: string) => Y.Doc | undefined
}

export type CollabPlugin = RealtimePlugin<
  'documents',
  DocumentsState,
  typeof collabActions,
  {
    selectDocument: (state: unknown, docId: string) => DocumentState | undefined
    selectOpenDocuments: (state: unknown) => string[]
  },
  { documents: LiveDocuments }
>

const COMMAND_TYPES = [
  collabActions.openDocument.type,
  collabActions.closeDocument.type,
  collabActions.editText.type,
  collabActions.setCursor.type,
  collabActions.undo.type,
  collabActions.redo.type,
]

/**
 * Collaborative editing on Yjs over the instance's one connection.
 *
 * @example
 * const realtime = createRealtime({ url, getToken, plugins: [createCollab()] })
 * store.dispatch(realtime.actions.openDocument('doc-1'))
 * store.dispatch(realtime.actions.editText({ docId: 'doc-1', index: 0, deleteCount: 0, insert: 'Hello' }))
 * realtime.selectors.selectDocument(store.getState(), 'doc-1') // { status, text, unsyncedChanges, peers }
 */
export function createCollab(options: CollabOptions = {}): CollabPlugin {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('createCollab(options?): pass an options object such as { user: { name } }')
  }
  // The Y.Docs of the store the middleware was last built for (one store per instance).
  let live = new Map<string, Y.Doc>()
  return {
    name: 'collab',
    reducerKey: 'documents',
    reducer: documentsReducer,
    actions: collabActions,
    commandTypes: COMMAND_TYPES,
    frameTypes: ['doc_sync', 'doc_update', 'doc_awareness'],
    selectors: (select) => createDocumentSelectors(select),
    handler(ctx) {
      live = new Map()
      return createCollabHandler(ctx, options, live)
    },
    members: {
      documents: {
        get: (docId) => live.get(docId),
      },
    },
  }
}
