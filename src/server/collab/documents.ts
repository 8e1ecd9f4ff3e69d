/**
 * One server's collaborative documents: the `doc_*` frames and each document's life, composed
 * of one file per concern (like the middleware's `index.ts`). This file routes the frames.
 */
import { MessageType, WebSocketErrorCode } from '../../protocol'
import type { DocFrame } from '../../protocol'
import type { ClientConnection, Session } from '../context'
import { createAwarenessUpdate } from './docAwareness'
import { createDocFanout } from './docFanout'
import { createDocMembers } from './docMembers'
import { createDocMemory } from './docMemory'
import { createDocOpen } from './docOpen'
import { createDocPersistence } from './docPersistence'
import { reply } from './docReplies'
import { createDocUpdate } from './docUpdate'
import type { DocumentsContext, DocumentsOptions } from './loadedDoc'
import { loadYjs } from './yjsPeer'
import type { YjsModules } from './yjsPeer'

/** Collaborative documents of one server: the `doc_*` frames and each document's life. */
export interface Documents {
  /** Handles one `doc_*` frame of an authenticated connection (in its arrival order). */
  handle(frame: DocFrame, session: Session, connection: ClientConnection): Promise<void>
  /** A socket closed: it leaves every document it had open and its awareness is removed. */
  disconnected(connection: ClientConnection): void
  /** How many documents are in memory now (loading ones included). */
  readonly loadedCount: number
  /** Stops the unload timers and frees every document (appends are durable already). */
  close(): void
}

/**
 * Creates the documents manager. Documents load lazily (yjs is imported the first time one is
 * opened) through the `DocumentStore`; an update is applied only once `append` resolved, then
 * acked and forwarded to the document's other connections; a document with no connection left
 * is compacted and unloaded `documentGraceMs` later. A store failure (load, compact) is logged
 * and retried once; it never keeps a document in memory. With other processes on one store, a
 * loaded document is subscribed to through the `documentBroker`: what they store is applied and
 * forwarded here (only what was new to this process reaches its members), awareness goes both
 * ways, and a sign of missed updates reloads the document from the store.
 *
 * @example
 * const documents = createDocuments(options)
 * await documents.handle(frame, session, connection)
 */
export function createDocuments(options: DocumentsOptions): Documents {
  const { logger } = options
  const c: DocumentsContext = {
    options,
    loaded: new Map(),
    loading: new Map(),
    docsOf: new Map(),
    closed: false,
  }
  const { loaded, loading, docsOf } = c
  /** Set by the first doc frame: a connection with a doc open implies yjs is loaded. */
  let yjs: YjsModules | undefined

  // Store calls: timed, retried, compaction and restore.
  const persistence = createDocPersistence(options)
  // What other processes store and change, applied and forwarded here.
  const fanout = createDocFanout({
    logger,
    isLoaded: (doc) => loaded.get(doc.name) === doc,
    load: persistence.load,
    append: persistence.append,
  })
  // Which documents are in memory: load once, unload after the grace period.
  const memory = createDocMemory(c, { persistence, fanout })
  // Who has which document open.
  const members = createDocMembers(c, memory)
  // The frames: step 1 opens, updates (and step 2) apply, awareness goes both ways.
  const open = createDocOpen(c, { getDoc: memory.getDoc, join: members.join, leave: members.leave })
  const update = createDocUpdate(c, { memberOf: members.memberOf, persistence })
  const awarenessUpdate = createAwarenessUpdate(members)

  return {
    async handle(frame, session, connection) {
      let modules: YjsModules
      try {
        modules = await loadYjs()
      } catch (error) {
        logger.error('redux-realtime server: a document was opened without yjs', error)
        return reply(connection, frame, {
          code: WebSocketErrorCode.SERVER_ERROR,
          message: 'collaborative editing needs yjs and y-protocols installed on the server',
        })
      }
      yjs = modules
      if (connection.closed || c.closed) return
      switch (frame.type) {
        case MessageType.DOC_SYNC:
          return frame.data.step === 1
            ? open(frame, session, connection, modules)
            : update(frame, session, connection, modules)
        case MessageType.DOC_UPDATE:
          return update(frame, session, connection, modules)
        case MessageType.DOC_AWARENESS:
          return awarenessUpdate(frame, connection, modules)
        case MessageType.DOC_CLOSE: {
          const found = members.memberOf(connection, frame.data.doc)
          if (found) members.leave(found.doc, found.member, modules)
          return
        }
      }
    },

    disconnected(connection) {
      const open = docsOf.get(connection)
      if (!open) return
      docsOf.delete(connection)
      const modules = yjs
      if (!modules) return
      for (const doc of open.values()) {
        const member = doc.members.get(connection)
        if (member) members.leave(doc, member, modules)
      }
    },

    get loadedCount() {
      return loaded.size + loading.size
    },

    close() {
      c.closed = true
      for (const doc of [...loaded.values()]) memory.free(doc)
      docsOf.clear()
    },
  }
}
