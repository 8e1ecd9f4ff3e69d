import type * as YTypes from 'yjs'
import type { Awareness } from 'y-protocols/awareness'
import {
  decodeBase64,
  encodeBase64,
  encodeFrame,
  joinParts,
  makeFrame,
  MessageType,
  WebSocketErrorCode,
} from '../../protocol'
import type {
  DocAccess,
  DocAwarenessFrame,
  DocFrame,
  DocSyncFrame,
  DocUpdateFrame,
  ErrorData,
} from '../../protocol'
import { isDocumentAllowed } from '../access'
import type { ClientConnection, Session } from '../context'
import type { ResolvedServerOptions } from '../options'
import { createSerialQueue } from '../serialQueue'
import type { SerialQueue } from '../serialQueue'
import { withinTimeout } from '../storeCalls'
import { acceptAwareness } from './awarenessGate'
import { createDocFanout } from './docFanout'
import { awarenessFrame, forwardUpdate, sendUpdateInParts, encodedAwareness } from './docSend'
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

type Options = Pick<
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

/** The origin of updates applied from the store, so nothing mistakes them for a member's. */
const STORE_ORIGIN = 'redux-realtime:store'
/** The origin of the awareness states a member leaving the doc (or closing) takes with it. */
const LEAVE_ORIGIN = 'close'

type DocError = Omit<ErrorData, 'doc' | 'refId'>

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
export function createDocuments(options: Options): Documents {
  const { logger, documents: store, documentBroker: broker } = options
  const loaded = new Map<string, LoadedDoc>()
  const loading = new Map<string, Promise<LoadedDoc>>()
  const docsOf = new Map<ClientConnection, Map<string, LoadedDoc>>()
  let closed = false
  /** Set by the first doc frame: a connection with a doc open implies yjs is loaded. */
  let yjs: YjsModules | undefined

  /**
   * One store call, failed once `documentStoreTimeoutMs` passed without it settling: a store
   * that hangs is a store that failed (what it may still do later is only ever a durable
   * append, which a reload then includes, or a compaction of what is stored anyway).
   */
  const timed = <T>(what: string, call: () => Promise<T>): Promise<T> =>
    withinTimeout(call, options.documentStoreTimeoutMs, `document store ${what}`)

  const retried = async <T>(what: string, task: () => Promise<T>): Promise<T> => {
    try {
      return await timed(what, task)
    } catch (error) {
      logger.warn(`redux-realtime server: document store ${what} failed, retrying once`, error)
      return timed(what, task)
    }
  }

  const fanout = createDocFanout({
    logger,
    isLoaded: (doc) => loaded.get(doc.name) === doc,
    load: (name) => retried(`load of ${name}`, () => store.load(name)),
    append: (name, update) => timed(`append to ${name}`, () => store.append(name, update)),
  })

  const compact = async (doc: LoadedDoc, Y: YjsModules['Y']): Promise<void> => {
    doc.appends = 0
    if (!store.compact) return
    const state = Y.encodeStateAsUpdate(doc.ydoc)
    try {
      await retried(`compact of ${doc.name}`, async () => store.compact?.(doc.name, state))
      doc.bytes = state.length
    } catch (error) {
      // Appends are durable: what is stored is complete, only not merged.
      logger.error(
        `redux-realtime server: document store compact of ${doc.name} failed twice; keeping its appends`,
        error,
      )
    }
  }

  const scheduleCompaction = (doc: LoadedDoc, Y: YjsModules['Y']): void => {
    if (doc.compacting || doc.appends < options.documentCompactEvery) return
    doc.compacting = true
    void doc.writes
      .run(() => compact(doc, Y))
      .finally(() => {
        doc.compacting = false
      })
  }

  /** What the store holds for `name` as a doc (null: nothing stored). */
  const fromStore = async (name: string, Y: YjsModules['Y']) => {
    const stored = await retried(`load of ${name}`, () => store.load(name))
    const ydoc = new Y.Doc()
    if (stored && stored.length > 0) {
      try {
        Y.applyUpdate(ydoc, stored, STORE_ORIGIN)
      } catch (error) {
        ydoc.destroy()
        throw new Error(`the stored state of document ${name} is not a Yjs update`, {
          cause: error,
        })
      }
    }
    return { ydoc, bytes: stored?.length ?? 0 }
  }

  /** Replaces the doc in memory by what the store holds (after a failed apply or append). */
  const restore = async (doc: LoadedDoc, Y: YjsModules['Y']): Promise<void> => {
    try {
      const { ydoc, bytes } = await fromStore(doc.name, Y)
      doc.ydoc.destroy()
      doc.ydoc = ydoc
      doc.bytes = bytes
    } catch (error) {
      logger.error(
        `redux-realtime server: could not restore document ${doc.name} from the store; keeping it as it is`,
        error,
      )
    }
  }

  const unload = (doc: LoadedDoc, Y: YjsModules['Y']): void => {
    if (doc.members.size > 0 || doc.unloading) return
    doc.unloading = (async () => {
      await doc.writes.run(() => compact(doc, Y))
      free(doc)
    })()
  }

  const free = (doc: LoadedDoc): void => {
    clearTimeout(doc.unloadTimer)
    if (loaded.get(doc.name) === doc) broker.unsubscribe(doc.name)
    doc.awareness.destroy()
    doc.awareness.doc.destroy()
    doc.ydoc.destroy()
    if (loaded.get(doc.name) === doc) loaded.delete(doc.name)
  }

  const scheduleUnload = (doc: LoadedDoc, Y: YjsModules['Y']): void => {
    clearTimeout(doc.unloadTimer)
    if (closed) return
    doc.unloadTimer = setTimeout(() => unload(doc, Y), options.documentGraceMs)
    doc.unloadTimer.unref?.()
  }

  const load = async (name: string, modules: YjsModules): Promise<LoadedDoc> => {
    const { Y, awareness: A } = modules
    // What other processes store while this one reads is heard: subscribed before the read.
    const { feed, attach } = fanout.feed(modules)
    let ydoc: YTypes.Doc
    let bytes: number
    try {
      await timed(`subscribe to ${name}`, () => broker.subscribe(name, feed))
      ;({ ydoc, bytes } = await fromStore(name, Y))
    } catch (error) {
      broker.unsubscribe(name)
      throw error
    }
    if (closed) {
      broker.unsubscribe(name)
      ydoc.destroy()
      throw new Error('the server is closing')
    }
    // Its own doc: the content doc is replaced when restored from the store.
    const awareness = new A.Awareness(new Y.Doc())
    // The server has no presence of its own in any document.
    awareness.setLocalState(null)
    const doc: LoadedDoc = {
      name,
      ydoc,
      awareness,
      members: new Map(),
      owners: new Map(),
      remoteUsers: new Map(),
      writes: createSerialQueue(),
      bytes,
      appends: 0,
      compacting: false,
      unloadTimer: undefined,
      unloading: undefined,
      reloadQueued: false,
    }
    awareness.on(
      'update',
      (
        { added, updated, removed }: { added: number[]; updated: number[]; removed: number[] },
        origin: unknown,
      ) => {
        const changed = [...added, ...updated, ...removed]
        for (const id of removed) doc.remoteUsers.delete(id)
        const update = A.encodeAwarenessUpdate(awareness, changed)
        const text = awarenessFrame(doc, update)
        for (const member of doc.members.values())
          if (member !== origin) member.connection.sendText(text)
        // Only a member's change (its origin) or its leaving is this process's to tell: what
        // came from elsewhere is not sent back, each process removes the states nobody renewed
        // itself (y-protocols' 'timeout'), and the server's own (null) state is nobody's news.
        if (origin === LEAVE_ORIGIN || (typeof origin === 'object' && origin !== null))
          broker.publishAwareness(name, update)
      },
    )
    loaded.set(name, doc)
    attach(doc)
    // A doc nobody ends up opening (the opener left meanwhile) unloads like any other.
    scheduleUnload(doc, Y)
    return doc
  }

  /** The loaded doc, loading it once however many open it at the same time. */
  const getDoc = async (name: string, modules: YjsModules): Promise<LoadedDoc> => {
    for (;;) {
      const doc = loaded.get(name)
      if (doc) {
        if (!doc.unloading) return doc
        await doc.unloading
        continue
      }
      let pending = loading.get(name)
      if (!pending) {
        pending = load(name, modules).finally(() => loading.delete(name))
        loading.set(name, pending)
      }
      const fresh = await pending
      if (!fresh.unloading) return fresh
    }
  }

  const leave = (doc: LoadedDoc, member: DocMember, modules: YjsModules): void => {
    if (doc.members.get(member.connection) !== member) return
    doc.members.delete(member.connection)
    docsOf.get(member.connection)?.delete(doc.name)
    const owned = [...member.clientIDs].filter((id) => doc.owners.get(id) === member)
    for (const id of owned) doc.owners.delete(id)
    member.clientIDs.clear()
    // An update it was sending in parts is dropped with it (a closed socket has no one to tell).
    member.assembly = undefined
    // Everyone still there is told (the 'update' listener); the leaver is no member any more.
    if (owned.length > 0)
      modules.awareness.removeAwarenessStates(doc.awareness, owned, LEAVE_ORIGIN)
    if (doc.members.size === 0) scheduleUnload(doc, modules.Y)
  }

  const memberOf = (
    connection: ClientConnection,
    name: string,
  ): { doc: LoadedDoc; member: DocMember } | undefined => {
    const doc = docsOf.get(connection)?.get(name)
    const member = doc?.members.get(connection)
    return doc && member ? { doc, member } : undefined
  }

  const reply = (connection: ClientConnection, frame: DocFrame, error: DocError): void =>
    connection.sendError({ ...error, refId: frame.id, doc: frame.data.doc })

  const notOpen = (connection: ClientConnection, frame: DocFrame): void =>
    reply(connection, frame, {
      code: WebSocketErrorCode.NOT_JOINED,
      message: `open document ${frame.data.doc} (doc_sync step 1) before sending ${frame.type} for it`,
    })

  const invalid = (connection: ClientConnection, frame: DocFrame, message: string): void =>
    reply(connection, frame, { code: WebSocketErrorCode.INVALID_MESSAGE, message })

  /** `doc_sync` step 1: opens (or re-syncs) the doc and answers step 2 in parts, then step 1. */
  const open = async (
    frame: DocSyncFrame,
    session: Session,
    connection: ClientConnection,
    modules: YjsModules,
  ): Promise<void> => {
    const { Y } = modules
    const name = frame.data.doc
    const stateVector = decodeBase64(frame.data.update)
    if (!stateVector) return invalid(connection, frame, 'data.update is not base64')
    try {
      Y.decodeStateVector(stateVector)
    } catch {
      return invalid(connection, frame, 'data.update of a step 1 is not a Yjs state vector')
    }
    const userId = session.userId
    if (!(await isDocumentAllowed({ options }, { userId, doc: name, action: 'view' }))) {
      return reply(connection, frame, {
        code: WebSocketErrorCode.FORBIDDEN,
        message: `not allowed to view document ${name}`,
      })
    }
    const access: DocAccess = (await isDocumentAllowed(
      { options },
      { userId, doc: name, action: 'edit' },
    ))
      ? 'edit'
      : 'view'
    let doc: LoadedDoc
    try {
      doc = await getDoc(name, modules)
    } catch (error) {
      logger.error(`redux-realtime server: could not load document ${name}`, error)
      return reply(connection, frame, {
        code: WebSocketErrorCode.SERVER_ERROR,
        message: `document ${name} could not be loaded; try again later`,
      })
    }
    if (connection.closed) return
    let member = doc.members.get(connection)
    if (!member) {
      member = { connection, userId, access, clientIDs: new Set(), assembly: undefined }
      doc.members.set(connection, member)
      let open = docsOf.get(connection)
      if (!open) docsOf.set(connection, (open = new Map<string, LoadedDoc>()))
      open.set(name, doc)
      clearTimeout(doc.unloadTimer)
    }
    member.access = access
    // The diff and the server's state vector are taken together: updates applied after this are
    // forwarded to the member as they come.
    const diff = Y.encodeStateAsUpdate(doc.ydoc, stateVector)
    const serverVector = Y.encodeStateVector(doc.ydoc)
    const joined = member
    const fits = sendUpdateInParts(doc, joined, diff, access, [
      () =>
        encodeFrame(
          makeFrame(MessageType.DOC_SYNC, {
            data: { doc: name, step: 1, update: encodeBase64(serverVector) },
          }),
        ),
      () => {
        const ids = [...doc.awareness.getStates().keys()]
        return ids.length > 0 ? encodedAwareness(modules, doc, ids) : undefined
      },
    ])
    if (!fits) {
      leave(doc, joined, modules)
      reply(connection, frame, {
        code: WebSocketErrorCode.MESSAGE_TOO_LARGE,
        message: `this connection's maxFrameBytes of ${connection.maxFrameBytes} is too small to carry document ${name}`,
      })
    }
  }

  /** Tells the connection its update in parts was abandoned (naming its last part received). */
  const abandon = (
    connection: ClientConnection,
    member: DocMember,
    doc: LoadedDoc,
    why: string,
  ): void => {
    const assembly = member.assembly
    if (!assembly) return
    member.assembly = undefined
    connection.sendError({
      code: WebSocketErrorCode.INVALID_MESSAGE,
      message: `${why}: the ${assembly.type} in ${assembly.parts} parts begun by frame ${assembly.firstId} was abandoned after ${assembly.next} parts; nothing of it was applied, send it again from part 0`,
      refId: assembly.lastId,
      doc: doc.name,
    })
  }

  /**
   * The whole update of `frame`: its own bytes, or, for the last of an update sent in parts
   * (`part`/`parts`), the parts joined (`joined`). Undefined while parts are missing, and after
   * refusing a part (answered): parts out of order, repeated, with another `parts` count or
   * frame type, or a whole update in between abandon the assembly; a part 0 starts a new one
   * (abandoning one in progress); the first part needs 'edit'; their bytes together stay
   * within `maxDocumentBytes`. A connection leaving the doc (or closing) drops its assembly.
   */
  const assemble = (
    frame: DocUpdateFrame | DocSyncFrame,
    doc: LoadedDoc,
    member: DocMember,
    connection: ClientConnection,
  ): { bytes: Uint8Array; joined: boolean } | undefined => {
    const { part, parts } = frame.data
    const bytes = decodeBase64(frame.data.update)
    if (part === undefined || parts === undefined || parts === 1) {
      abandon(
        connection,
        member,
        doc,
        `a whole ${frame.type} (frame ${frame.id}) came between parts`,
      )
      if (!bytes) return void invalid(connection, frame, 'data.update is not base64')
      return { bytes, joined: false }
    }
    if (part === 0) {
      abandon(connection, member, doc, `part 0 of another update in parts (frame ${frame.id}) came`)
      if (member.access !== 'edit') {
        return void reply(connection, frame, {
          code: WebSocketErrorCode.FORBIDDEN,
          message: `not allowed to edit document ${doc.name}; the update in parts was refused`,
        })
      }
      if (doc.bytes + parts > options.maxDocumentBytes) {
        return void reply(connection, frame, {
          code: WebSocketErrorCode.MESSAGE_TOO_LARGE,
          message: `an update in ${parts} parts would pass the server's maxDocumentBytes of ${options.maxDocumentBytes} for document ${doc.name}; refused`,
        })
      }
      member.assembly = {
        type: frame.type,
        parts,
        next: 0,
        chunks: [],
        bytes: 0,
        firstId: frame.id,
        lastId: frame.id,
      }
    }
    const assembly = member.assembly
    if (!assembly) {
      return void invalid(
        connection,
        frame,
        `part ${part} of ${parts} came with no update in parts begun (part 0 never came, or it was abandoned); send the update again from part 0`,
      )
    }
    if (assembly.type !== frame.type || assembly.parts !== parts || assembly.next !== part) {
      assembly.lastId = frame.id
      return void abandon(
        connection,
        member,
        doc,
        `expected part ${assembly.next} of ${assembly.parts} (${assembly.type}), got part ${part} of ${parts} (${frame.type})`,
      )
    }
    assembly.lastId = frame.id
    if (!bytes || bytes.length === 0) {
      return void abandon(connection, member, doc, `part ${part} is not base64 or is empty`)
    }
    if (doc.bytes + assembly.bytes + bytes.length > options.maxDocumentBytes) {
      member.assembly = undefined
      return void reply(connection, frame, {
        code: WebSocketErrorCode.MESSAGE_TOO_LARGE,
        message: `the update in parts begun by frame ${assembly.firstId} would pass the server's maxDocumentBytes of ${options.maxDocumentBytes} for document ${doc.name}; abandoned, nothing of it was applied`,
      })
    }
    assembly.chunks.push(bytes)
    assembly.bytes += bytes.length
    assembly.next += 1
    if (assembly.next < assembly.parts) return undefined
    member.assembly = undefined
    return { bytes: joinParts(assembly.chunks), joined: true }
  }

  /** `doc_update`, or a client's `doc_sync` step 2: append, apply, ack, forward. */
  const update = async (
    frame: DocUpdateFrame | DocSyncFrame,
    session: Session,
    connection: ClientConnection,
    modules: YjsModules,
  ): Promise<void> => {
    const { Y } = modules
    const found = memberOf(connection, frame.data.doc)
    if (!found) return notOpen(connection, frame)
    const { doc, member } = found
    const whole = assemble(frame, doc, member, connection)
    if (!whole) return
    const { bytes, joined } = whole
    let decoded: ReturnType<typeof Y.decodeUpdate>
    try {
      decoded = Y.decodeUpdate(bytes)
    } catch {
      return invalid(connection, frame, 'data.update is not a Yjs update')
    }
    const ack = (): void =>
      connection.send(makeFrame(MessageType.ACK, { data: { refId: frame.id } }))
    // Nothing to store (a viewer's step 2 with no offline edits is one): acked, never refused.
    if (decoded.structs.length === 0 && decoded.ds.clients.size === 0) return ack()
    if (member.access !== 'edit') {
      return reply(connection, frame, {
        code: WebSocketErrorCode.FORBIDDEN,
        message: `not allowed to edit document ${doc.name}; the update was not applied`,
      })
    }
    if (doc.bytes + bytes.length > options.maxDocumentBytes) {
      return reply(connection, frame, {
        code: WebSocketErrorCode.MESSAGE_TOO_LARGE,
        message: `document ${doc.name} would pass the server's maxDocumentBytes of ${options.maxDocumentBytes}; the update was not applied`,
      })
    }
    // Applied first, stored second: Yjs may throw half way through bytes it decoded (and leave
    // the doc changed), and a failed append must not leave in memory what the store lacks. Either
    // failure restores the doc from the store, which holds exactly what was applied before.
    const outcome = await doc.writes.run(async (): Promise<'applied' | 'invalid' | 'unstored'> => {
      try {
        Y.applyUpdate(doc.ydoc, bytes, member)
      } catch (error) {
        logger.warn(`redux-realtime server: Yjs refused an update of ${doc.name}`, error)
        await restore(doc, Y)
        return 'invalid'
      }
      try {
        await timed(`append to ${doc.name}`, () => store.append(doc.name, bytes))
      } catch (error) {
        logger.error(`redux-realtime server: could not store an update of ${doc.name}`, error)
        await restore(doc, Y)
        return 'unstored'
      }
      doc.bytes += bytes.length
      doc.appends++
      return 'applied'
    })
    if (outcome === 'invalid') return invalid(connection, frame, 'data.update is not a Yjs update')
    if (outcome === 'unstored') {
      return reply(connection, frame, {
        code: WebSocketErrorCode.SERVER_ERROR,
        message: `the update of document ${doc.name} could not be stored and was not applied; send it again`,
      })
    }
    ack()
    forwardUpdate(doc, bytes, member, {
      userId: session.userId,
      ...(joined ? {} : { base64: frame.data.update }),
    })
    scheduleCompaction(doc, Y)
  }

  const awarenessUpdate = (
    frame: DocAwarenessFrame,
    connection: ClientConnection,
    modules: YjsModules,
  ): void => {
    const found = memberOf(connection, frame.data.doc)
    if (!found) return notOpen(connection, frame)
    const outcome = acceptAwareness(found.doc, found.member, frame.data.update)
    if (outcome.error) return invalid(connection, frame, outcome.error)
    if (outcome.update)
      modules.awareness.applyAwarenessUpdate(found.doc.awareness, outcome.update, found.member)
    if (outcome.refused) {
      reply(connection, frame, {
        code: WebSocketErrorCode.FORBIDDEN,
        message: `awareness clientID ${outcome.refused} belongs to another connection (or this one has too many); its entry was ignored`,
      })
    }
  }

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
      if (connection.closed || closed) return
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
          const found = memberOf(connection, frame.data.doc)
          if (found) leave(found.doc, found.member, modules)
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
        if (member) leave(doc, member, modules)
      }
    },

    get loadedCount() {
      return loaded.size + loading.size
    },

    close() {
      closed = true
      for (const doc of [...loaded.values()]) free(doc)
      docsOf.clear()
    },
  }
}
