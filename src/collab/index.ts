/**
 * `redux-realtime-kit/collab`: collaborative editing on Yjs over the realtime connection.
 * `yjs` and `y-protocols` are optional peer dependencies of the package: install them to use
 * this entry (the core entry never imports them).
 */
export { createCollab, type CollabPlugin, type LiveDocuments } from './createCollab'
export type { CollabOptions } from './openDoc'
export {
  collabActions,
  documents as documentEvents,
  type DocumentPeer,
  type DocumentStatus,
  type EditTextInput,
  type SetCursorInput,
} from './actions'
export type { DocumentState, DocumentsState } from './slice'
export { useCollaborativeText, type CollaborativeText } from './react'
