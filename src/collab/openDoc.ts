/**
 * What every file of the collab handler shares: the plugin's options, the transaction origins,
 * the record held per open document (`OpenDoc`: all of it lives here, never in state), and the
 * one builder of doc frames.
 */
import type * as Y from 'yjs'
import type { Awareness } from 'y-protocols/awareness'
import type { DocAccess, DocFrame } from '../protocol/docFrames'
import type { Frame } from '../protocol/frames'
import { createId } from '../protocol/ids'
import type { PluginContext } from '../plugins'
import type { DocumentStatus } from './actions'

/** Transaction origins: what the server sent, and what the storage restored. Neither is sent. */
export const REMOTE_ORIGIN = Symbol('redux-realtime remote')
export const STORED_ORIGIN = Symbol('redux-realtime stored')
/** The origin of `editText`: what undo/redo track (with direct edits, origin null). */
export const LOCAL_ORIGIN = Symbol('redux-realtime local')

export interface CollabOptions {
  /** Shown to peers with your cursor. Default: your user id, a colour derived from it. */
  user?: { name?: string; color?: string }
  /** Most often the text snapshot in state is refreshed, ms. Default 100. */
  textThrottleMs?: number
  /** Past this many UTF-8 bytes state holds `text: null, textTruncated: true`. Default 64 KiB. */
  maxTextBytes?: number
  /** How long after a change the document is saved to the instance's storage, ms. Default 1000. */
  saveThrottleMs?: number
  /** `doc_update` frames sent and not acked at once, per connection. Default 16. */
  maxInFlight?: number
}

/** What the plugin holds per open document: all of it lives here, never in state. */
export interface OpenDoc {
  readonly id: string
  readonly ydoc: Y.Doc
  readonly awareness: Awareness
  readonly undoManager: Y.UndoManager
  /** Opens (hooks mount twice, two editors on one doc): closed when back to 0. */
  refs: number
  /** Local updates not yet sent, and how many local changes they hold. */
  pending: Uint8Array[]
  pendingChanges: number
  /**
   * Updates sent on this socket and not acked, by the id the ack names (the last part's for one
   * sent in parts): their local changes, and bytes to resend.
   */
  inFlight: Map<string, Sent>
  /** The update being sent in parts: nothing else of this document goes between its parts. */
  split: Split | undefined
  /** Each part's frame id of updates sent in parts on this socket, to the id their ack names. */
  partIds: Map<string, string>
  /** Local changes the server may lack after a reconnect or reload: the next step 2 covers them. */
  recover: number
  /** The server's step 2 as it arrives in parts. */
  parts: Uint8Array[] | null
  access?: DocAccess
  /** Our step 1 went out on this socket (its id); the server's step 1 arrived (regular updates may go). */
  opened: boolean
  step1Id: string | undefined
  /** The server refused to open it for this user: not asked again on this socket. */
  refused: boolean
  live: boolean
  /** Loaded from storage (or nothing there): step 1 may go. */
  loaded: boolean
  awarenessDirty: boolean
  status: DocumentStatus
  reportedUnsynced: number
  textTimer: ReturnType<typeof setTimeout> | undefined
  lastTextAt: number
  /** The last snapshot was null (too big): another null is not dispatched. */
  truncated: boolean
  /** The peers last dispatched, as JSON. */
  peersKey: string
  saveTimer: ReturnType<typeof setTimeout> | undefined
  retryTimer: ReturnType<typeof setTimeout> | undefined
}

export interface Sent {
  update: Uint8Array
  changes: number
  /** The frame ids of its parts, when sent in parts. */
  parts?: string[]
}

/**
 * A local update above the connection's frame limit, sent as `parts` frames of byte slices
 * (`doc_update`, or our `doc_sync` step 2), one at a time as the flow control allows. The server
 * joins them and acks the last part's id once, so its changes count as one update in flight.
 */
export interface Split {
  type: 'doc_update' | 'doc_sync'
  update: Uint8Array
  perPart: number
  ids: string[]
  next: number
}

/** What the handler's concerns share for one store (built once by `createCollabHandler`). */
export interface CollabContext {
  readonly ctx: PluginContext
  readonly options: CollabOptions
  /** Every open document, by id. */
  readonly docs: Map<string, OpenDoc>
  /** The same documents' Y.Docs, for `realtime.documents.get` (owned by `createCollab`). */
  readonly live: Map<string, Y.Doc>
  /** A socket was opened or closed once: a document not in sync since is `offline`. */
  wasConnected: boolean
}

export function docFrame<T extends DocFrame['type']>(
  ctx: PluginContext,
  type: T,
  data: Extract<DocFrame, { type: T }>['data'],
  id = createId(),
): Frame {
  return { v: 1, id, type, timestamp: ctx.now(), data } as Frame
}

/** Local changes the server may not have yet: waiting, in flight, or to recover. */
export const unsyncedOf = (doc: OpenDoc) => {
  let changes = doc.pendingChanges + doc.recover
  for (const sent of doc.inFlight.values()) changes += sent.changes
  return changes
}

/** Local changes that will never be sent (sent whole in a step 2, or refused to a viewer). */
export function dropLocalChanges(doc: OpenDoc): void {
  doc.recover = 0
  doc.pending = []
  doc.pendingChanges = 0
}
