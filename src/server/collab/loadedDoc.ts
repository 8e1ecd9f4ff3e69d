/**
 * What the documents' files share: a document in memory (`LoadedDoc`), each connection that has
 * it open (`DocMember`) with the update in parts it is sending (`Assembly`), the options they
 * read, and the maps of what is loaded and who has what open (`DocumentsContext`).
 */
import type * as YTypes from 'yjs'
import type { Awareness } from 'y-protocols/awareness'
import type { DocAccess, DocFrame } from '../../protocol'
import type { ClientConnection, Session } from '../context'
import type { ResolvedServerOptions } from '../serverOptions'
import type { SerialQueue } from '../serialQueue'
import type { YjsModules } from './yjsPeer'

/** One connection that has a document open. */
export interface DocMember {
  connection: ClientConnection
  userId: string
  access: DocAccess
  /** The awareness clientIDs this connection introduced: only it may change or remove them. */
  clientIDs: Set<number>
  /** The update in parts this connection is sending for the document (one at a time). */
  assembly: Assembly | undefined
}

/**
 * A client's update above its frame limit, arriving as `parts` frames (`doc_update`, or its
 * `doc_sync` step 2): byte slices of one update, joined in order once the last one came.
 */
export interface Assembly {
  type: DocFrame['type']
  parts: number
  /** The part expected next. */
  next: number
  chunks: Uint8Array[]
  bytes: number
  firstId: string
  /** The id of the last part received: an error about the whole assembly names it. */
  lastId: string
}

/** A document in memory. */
export interface LoadedDoc {
  name: string
  ydoc: YTypes.Doc
  awareness: Awareness
  members: Map<ClientConnection, DocMember>
  /** Who introduced each awareness clientID. */
  owners: Map<number, DocMember>
  /**
   * The user of each awareness clientID a connection of another process introduced (as that
   * process set it): a connection here may not take one over unless it is the same user's.
   */
  remoteUsers: Map<number, string>
  /** Appends and compactions, one at a time, so a compaction never overwrites a newer append. */
  writes: SerialQueue
  /** Bytes of state: exact after a load or compaction, plus the updates applied since. */
  bytes: number
  /** Appends since the last compaction. */
  appends: number
  compacting: boolean
  unloadTimer: ReturnType<typeof setTimeout> | undefined
  /** Set once unloading started: a new open waits for it and loads the doc again. */
  unloading: Promise<void> | undefined
  /** A reload from the store is queued and has not started (updates may have been missed). */
  reloadQueued: boolean
}

export type DocumentsOptions = Pick<
  ResolvedServerOptions,
  | 'authorize'
  | 'logger'
  | 'documents'
  | 'documentBroker'
  | 'documentGraceMs'
  | 'maxDocumentBytes'
  | 'documentCompactEvery'
  | 'documentStoreTimeoutMs'
>

/** One server's documents, as every file of them sees them (built once by `createDocuments`). */
export interface DocumentsContext {
  readonly options: DocumentsOptions
  /** The documents in memory, by name. */
  readonly loaded: Map<string, LoadedDoc>
  /** The loads under way, by name: however many open a document at once, it loads once. */
  readonly loading: Map<string, Promise<LoadedDoc>>
  /** The documents each connection has open. */
  readonly docsOf: Map<ClientConnection, Map<string, LoadedDoc>>
  /** The server is closing: nothing loads any more and no unload timer starts. */
  closed: boolean
}

/** The origin of the awareness states a member leaving the doc (or closing) takes with it. */
export const LEAVE_ORIGIN = 'close'

/** Handles one `doc_*` frame of a connection (yjs loaded, the connection and server open). */
export type DocFrameHandler<F extends DocFrame> = (
  frame: F,
  session: Session,
  connection: ClientConnection,
  modules: YjsModules,
) => Promise<void>
