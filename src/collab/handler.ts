import type { UnknownAction } from '@reduxjs/toolkit'
import * as Y from 'yjs'
import {
  Awareness,
  applyAwarenessUpdate,
  encodeAwarenessUpdate,
  removeAwarenessStates,
} from 'y-protocols/awareness'
import { connection, outbox } from '../../slices/actions'
import { errorInfo } from '../errors'
import { WebSocketErrorCode } from '../protocol/codes'
import {
  base64Length,
  bytesForBase64,
  decodeBase64,
  encodeBase64,
  joinParts,
  type DocAccess,
  type DocFrame,
} from '../protocol/docFrames'
import type { ErrorData, Frame } from '../protocol/frames'
import { createId } from '../protocol/ids'
import { utf8Length } from '../protocol/validate'
import type { PluginContext, PluginHandler } from '../plugins'
import type { StoredDocument } from '../../middleware/storage'
import {
  closeDocument,
  documents,
  editText,
  openDocument,
  redo,
  setCursor,
  undo,
  type DocumentPeer,
  type DocumentStatus,
} from './actions'

/** Transaction origins: what the server sent, and what the storage restored. Neither is sent. */
export const REMOTE_ORIGIN = Symbol('redux-realtime remote')
const STORED_ORIGIN = Symbol('redux-realtime stored')
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
interface OpenDoc {
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

interface Sent {
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
interface Split {
  type: 'doc_update' | 'doc_sync'
  update: Uint8Array
  perPart: number
  ids: string[]
  next: number
}

const DEFAULT_MAX_IN_FLIGHT = 16
/** Stored states up to this size are merged with ours on save (another tab's offline edits). */
const MERGE_MAX_BYTES = 1024 * 1024
/** After the server failed to open a document (e.g. its store failed), it is asked again. */
const STEP1_RETRY_MS = 1000
/** Room for a doc frame's envelope around its base64 (its doc id is added, as JSON). */
const FRAME_OVERHEAD = 512
/** Errors about our updates that mean "not applied, send it again" (after a pause). */
const RESEND_CODES: ReadonlySet<string> = new Set([
  WebSocketErrorCode.RATE_LIMITED,
  WebSocketErrorCode.TOKEN_EXPIRED,
  WebSocketErrorCode.SERVER_ERROR,
])
const MAX_HANDLED_COMMANDS = 10_000
const COLORS = ['#d7263d', '#1b998b', '#2e294e', '#f46036', '#3a86ff', '#8338ec', '#ff006e']

function colorOf(userId: string): string {
  let hash = 0
  for (let i = 0; i < userId.length; i++) hash = (hash * 31 + userId.charCodeAt(i)) | 0
  return COLORS[Math.abs(hash) % COLORS.length] ?? '#3a86ff'
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const shortString = (value: unknown, max: number): string | undefined =>
  typeof value === 'string' && value.length > 0 && value.length <= max ? value : undefined

const position = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined

/** A peer's awareness state as plain, validated data (it came from the wire). */
function peerOf(state: unknown): DocumentPeer | undefined {
  if (!isObject(state) || !isObject(state.user)) return undefined
  const userId = shortString(state.user.userId, 300)
  if (userId === undefined) return undefined
  const name = shortString(state.user.name, 100)
  const color = shortString(state.user.color, 32)
  const cursor = isObject(state.cursor) ? state.cursor : undefined
  const anchor = position(cursor?.anchor)
  const head = position(cursor?.head)
  return {
    userId,
    ...(name !== undefined ? { name } : {}),
    ...(color !== undefined ? { color } : {}),
    ...(anchor !== undefined && head !== undefined ? { cursor: { anchor, head } } : {}),
  }
}

/** The collab plugin's handler for one store: every Y.Doc, UndoManager and Awareness is here. */
export function createCollabHandler(
  ctx: PluginContext,
  options: CollabOptions,
  live: Map<string, Y.Doc>,
): PluginHandler {
  const docs = new Map<string, OpenDoc>()
  const textThrottleMs = options.textThrottleMs ?? 100
  const maxTextBytes = options.maxTextBytes ?? 64 * 1024
  const saveThrottleMs = options.saveThrottleMs ?? 1000
  const maxInFlight = options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT
  /** Command ids acted on: a command re-dispatched from a DevTools log is not acted on twice. */
  const handled = new Set<string>()
  let flushTimer: ReturnType<typeof setTimeout> | undefined
  let pausedUntil = 0
  let wasConnected = false

  const authenticated = () => ctx.session.authenticated
  const frameLimit = () => ctx.session.maxFrameBytes ?? Infinity

  function frame<T extends DocFrame['type']>(
    type: T,
    data: Extract<DocFrame, { type: T }>['data'],
    id = createId(),
  ): Frame {
    return { v: 1, id, type, timestamp: ctx.now(), data } as Frame
  }

  function setStatus(doc: OpenDoc, status: DocumentStatus): void {
    if (doc.status === status) return
    doc.status = status
    ctx.dispatch(
      documents.statusChanged({
        docId: doc.id,
        status,
        ...(doc.access !== undefined ? { access: doc.access } : {}),
      }),
    )
  }

  function fail(doc: OpenDoc, code: WebSocketErrorCode, message: string, refId?: string): void {
    ctx.dispatch(
      documents.failed({
        docId: doc.id,
        error: errorInfo(code, message, {
          context: 'collab',
          ...(refId !== undefined ? { refId } : {}),
        }),
      }),
    )
  }

  const unsyncedOf = (doc: OpenDoc) => {
    let changes = doc.pendingChanges + doc.recover
    for (const sent of doc.inFlight.values()) changes += sent.changes
    return changes
  }

  function reportUnsynced(doc: OpenDoc): void {
    const unsyncedChanges = unsyncedOf(doc)
    if (unsyncedChanges === doc.reportedUnsynced) return
    doc.reportedUnsynced = unsyncedChanges
    ctx.dispatch(documents.unsyncedChanged({ docId: doc.id, unsyncedChanges }))
  }

  // --- Text snapshot (throttled) ------------------------------------------------------------

  function emitText(doc: OpenDoc): void {
    doc.textTimer = undefined
    doc.lastTextAt = ctx.now()
    const { length } = doc.ydoc.getText('content')
    // A big document is not even turned into a string: its snapshot is null.
    const text = length <= maxTextBytes ? textOf(doc.ydoc) : null
    const fits = text !== null && utf8Length(text) <= maxTextBytes
    if (!fits && doc.truncated) return
    doc.truncated = !fits
    ctx.dispatch(documents.textChanged({ docId: doc.id, text: fits ? text : null, length }))
  }

  function scheduleText(doc: OpenDoc): void {
    if (doc.textTimer !== undefined) return
    const wait = doc.lastTextAt + textThrottleMs - ctx.now()
    if (wait <= 0) emitText(doc)
    else doc.textTimer = setTimeout(() => emitText(doc), wait)
  }

  // --- Storage --------------------------------------------------------------------------------

  /**
   * Saves the document's state. Merged with what is stored (another tab's offline edits on the
   * same storage are kept), except on `pagehide`, where one write has the best chance to land.
   */
  function save(doc: OpenDoc, merge = true): Promise<void> {
    clearTimeout(doc.saveTimer)
    doc.saveTimer = undefined
    const { storage } = ctx
    if (!storage.saveDocument) return Promise.resolve()
    const state = Y.encodeStateAsUpdate(doc.ydoc)
    const unsynced = unsyncedOf(doc)
    const write = (stored: StoredDocument | undefined) =>
      storage.saveDocument?.(mergeStored(doc.id, state, unsynced, stored))
    return ctx.persist(`save document "${doc.id}"`, () => {
      const stored = merge ? storage.loadDocument?.(doc.id) : undefined
      return stored instanceof Promise ? stored.then(write) : write(stored)
    })
  }

  function scheduleSave(doc: OpenDoc): void {
    if (doc.saveTimer === undefined && ctx.storage.saveDocument) {
      doc.saveTimer = setTimeout(() => void save(doc), saveThrottleMs)
    }
  }

  function load(doc: OpenDoc): void {
    const { storage } = ctx
    let stored: StoredDocument | undefined
    const done = () => {
      if (docs.get(doc.id) !== doc) return
      const bytes = stored && decodeBase64(stored.state)
      if (stored && bytes) {
        try {
          Y.applyUpdate(doc.ydoc, bytes, STORED_ORIGIN)
          const unsynced = Math.max(0, Math.floor(stored.unsynced))
          doc.recover += unsynced
        } catch (error) {
          ctx.log(`stored document "${doc.id}" is unreadable`, error)
        }
      }
      doc.loaded = true
      reportUnsynced(doc)
      scheduleText(doc)
      sendStep1(doc)
    }
    if (!storage.loadDocument) return done()
    void ctx.persist(
      `load document "${doc.id}"`,
      () => {
        const result = storage.loadDocument?.(doc.id)
        if (result instanceof Promise) {
          return result.then((value) => {
            stored = value
          })
        }
        stored = result
        return undefined
      },
      done,
    )
  }

  // --- Opening and closing ----------------------------------------------------------------

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
      status: authenticated() ? 'syncing' : wasConnected ? 'offline' : 'connecting',
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
      scheduleSave(doc)
      if (origin === REMOTE_ORIGIN || origin === STORED_ORIGIN) return
      // A local change (editText, undo/redo, or an editor bound to the Y.Doc).
      doc.pending.push(update)
      doc.pendingChanges += 1
      reportUnsynced(doc)
      scheduleFlush()
    })
    awareness.on('update', (_changes: unknown, origin: unknown) => {
      if (origin === REMOTE_ORIGIN) return
      if (origin === 'local' || origin === undefined) {
        doc.awarenessDirty = true
        scheduleFlush()
      }
    })
    awareness.on('change', () => reportPeers(doc))
    const user = {
      userId: ctx.session.userId ?? '',
      name: options.user?.name ?? ctx.session.userId ?? 'anonymous',
      color: options.user?.color ?? colorOf(ctx.session.userId ?? ''),
    }
    awareness.setLocalState({ user })
    ctx.dispatch(documents.opened({ docId, status: doc.status }))
    load(doc)
  }

  function reportPeers(doc: OpenDoc): void {
    if (docs.get(doc.id) !== doc) return
    const peers: DocumentPeer[] = []
    for (const [clientId, state] of doc.awareness.getStates()) {
      if (clientId === doc.ydoc.clientID) continue
      const peer = peerOf(state)
      if (peer) peers.push(peer)
    }
    // Our own cursor moving changes no peer: no action.
    const key = JSON.stringify(peers)
    if (key === doc.peersKey) return
    doc.peersKey = key
    ctx.dispatch(documents.peersChanged({ docId: doc.id, peers }))
  }

  function close(docId: string, force = false): void {
    const doc = docs.get(docId)
    if (!doc) return
    doc.refs -= 1
    if (doc.refs > 0 && !force) return
    void save(doc)
    if (authenticated() && doc.opened) ctx.send(frame('doc_close', { doc: docId }))
    docs.delete(docId)
    live.delete(docId)
    clearTimeout(doc.textTimer)
    clearTimeout(doc.retryTimer)
    doc.undoManager.destroy()
    doc.awareness.destroy()
    doc.ydoc.destroy()
    ctx.dispatch(documents.closed({ docId }))
  }

  // --- Sync ---------------------------------------------------------------------------------

  function sendStep1(doc: OpenDoc): void {
    if (!authenticated() || !doc.loaded || doc.opened || doc.refused) return
    const sv = Y.encodeStateVector(doc.ydoc)
    const id = createId()
    if (!ctx.send(frame('doc_sync', { doc: doc.id, step: 1, update: encodeBase64(sv) }, id))) return
    doc.opened = true
    doc.step1Id = id
    doc.live = false
    doc.parts = null
    setStatus(doc, 'syncing')
  }

  /** The server's step 1: send what it lacks (our offline edits), then regular updates may go. */
  function answerStep1(doc: OpenDoc, serverVector: Uint8Array): void {
    const changes = doc.recover + doc.pendingChanges
    if (changes > 0 && doc.access !== 'view') {
      // Everything the server lacks, as one acknowledged update (in parts when above the limit).
      const diff = Y.encodeStateAsUpdate(doc.ydoc, serverVector)
      let sent = true
      if (!fits(doc, diff)) startSplit(doc, 'doc_sync', diff, changes)
      else {
        const id = createId()
        sent = ctx.send(frame('doc_sync', { doc: doc.id, step: 2, update: encodeBase64(diff) }, id))
        if (sent) doc.inFlight.set(id, { update: diff, changes })
      }
      if (sent) {
        clearRecover(doc)
        doc.pending = []
        doc.pendingChanges = 0
      }
    }
    if (changes > 0 && doc.access === 'view') {
      // Made before the server said view only: they cannot go, and are not counted as waiting.
      fail(
        doc,
        WebSocketErrorCode.FORBIDDEN,
        `you may only view "${doc.id}": ${changes} local changes were not sent`,
      )
      clearRecover(doc)
      doc.pending = []
      doc.pendingChanges = 0
    }
    doc.live = true
    setStatus(doc, 'synced')
    const userId = ctx.session.userId
    const user = doc.awareness.getLocalState()?.user as Record<string, unknown> | undefined
    if (userId !== undefined && user && user.userId !== userId) {
      doc.awareness.setLocalStateField('user', {
        ...user,
        userId,
        ...(options.user?.name === undefined ? { name: userId } : {}),
        ...(options.user?.color === undefined ? { color: colorOf(userId) } : {}),
      })
    }
    doc.awarenessDirty = true
    reportUnsynced(doc)
    scheduleFlush()
  }

  function applyRemote(doc: OpenDoc, bytes: Uint8Array, what: string, refId: string): boolean {
    try {
      Y.applyUpdate(doc.ydoc, bytes, REMOTE_ORIGIN)
      return true
    } catch (error) {
      fail(
        doc,
        WebSocketErrorCode.INVALID_MESSAGE,
        `${what} for "${doc.id}" is not a Yjs update: ${error instanceof Error ? error.message : String(error)}`,
        refId,
      )
      return false
    }
  }

  function receive(received: Frame): void {
    const f = received as DocFrame
    const doc = docs.get(f.data.doc)
    // A document we do not have open (closed meanwhile, or a server's mistake): nothing to do.
    if (!doc || !doc.opened) return
    const bytes = 'update' in f.data ? decodeBase64(f.data.update) : undefined
    if ('update' in f.data && bytes === undefined) {
      return fail(doc, WebSocketErrorCode.INVALID_MESSAGE, `${f.type}: update is not base64`, f.id)
    }
    const data = bytes ?? new Uint8Array(0)
    if (f.type === 'doc_sync') {
      if (f.data.step === 2) {
        const { part = 0, parts = 1 } = f.data
        if (part === 0) {
          doc.parts = []
          if (f.data.access !== undefined) doc.access = f.data.access
        }
        if (!doc.parts || doc.parts.length !== part) {
          doc.parts = null
          return fail(
            doc,
            WebSocketErrorCode.INVALID_MESSAGE,
            `doc_sync part ${part} out of order`,
            f.id,
          )
        }
        doc.parts.push(data)
        if (doc.parts.length < parts) return
        const whole = joinParts(doc.parts)
        doc.parts = null
        applyRemote(doc, whole, 'the server step 2', f.id)
      } else answerStep1(doc, data)
    } else if (f.type === 'doc_update') {
      applyRemote(doc, data, 'doc_update', f.id)
    } else if (f.type === 'doc_awareness') {
      try {
        applyAwarenessUpdate(doc.awareness, data, REMOTE_ORIGIN)
      } catch (error) {
        fail(
          doc,
          WebSocketErrorCode.INVALID_MESSAGE,
          `doc_awareness for "${doc.id}" is unreadable: ${error instanceof Error ? error.message : String(error)}`,
          f.id,
        )
      }
    }
  }

  // --- Sending, through the connection's one flow control ----------------------------------

  function scheduleFlush(): void {
    if (flushTimer === undefined) flushTimer = setTimeout(flush, 0)
  }

  /** Whether `update` fits one frame of `limit` bytes as base64 in a doc frame of `doc`. */
  function fits(doc: OpenDoc, update: Uint8Array, limit = frameLimit()): boolean {
    return base64Length(update.length) + overheadOf(doc) <= limit
  }

  const overheadOf = (doc: OpenDoc) => FRAME_OVERHEAD + utf8Length(JSON.stringify(doc.id))

  /** Starts sending `update` in parts (see `Split`); in flight from now, under the last part's id. */
  function startSplit(
    doc: OpenDoc,
    type: Split['type'],
    update: Uint8Array,
    changes: number,
    limit = frameLimit(),
  ): void {
    const perPart = Math.max(3, bytesForBase64(limit - overheadOf(doc)))
    const ids = Array.from({ length: Math.ceil(update.length / perPart) }, () => createId())
    const last = ids[ids.length - 1] as string
    for (const id of ids) doc.partIds.set(id, last)
    doc.inFlight.set(last, { update, changes, parts: ids })
    doc.split = { type, update, perPart, ids, next: 0 }
  }

  /** Sends the doc's update in parts on, as far as the flow control allows. */
  function sendParts(doc: OpenDoc): 'done' | 'waiting' | 'closed' {
    const split = doc.split
    if (!split) return 'done'
    const parts = split.ids.length
    while (split.next < parts) {
      if (ctx.allowance() < 1) return 'waiting'
      const part = split.next
      const id = split.ids[part] as string
      const update = encodeBase64(
        split.update.subarray(part * split.perPart, (part + 1) * split.perPart),
      )
      const sent =
        split.type === 'doc_sync'
          ? frame('doc_sync', { doc: doc.id, step: 2, update, part, parts }, id)
          : frame('doc_update', { doc: doc.id, update, part, parts }, id)
      if (!ctx.send(sent)) return 'closed'
      split.next += 1
    }
    doc.split = undefined
    return 'done'
  }

  function flush(): void {
    clearTimeout(flushTimer)
    flushTimer = undefined
    if (!authenticated()) return
    const now = ctx.now()
    if (now < pausedUntil) {
      flushTimer = setTimeout(flush, pausedUntil - now)
      return
    }
    const limit = frameLimit()
    let inFlight = 0
    for (const doc of docs.values()) inFlight += doc.inFlight.size
    let waiting = false
    for (const doc of docs.values()) {
      if (!doc.live) continue
      // An update in parts goes on first: nothing else of the doc goes between its parts.
      let parts = sendParts(doc)
      if (parts === 'closed') return
      if (parts === 'waiting') waiting = true
      while (parts === 'done' && doc.pending.length > 0) {
        if (inFlight >= maxInFlight) break
        if (ctx.allowance() < 1) {
          waiting = true
          break
        }
        // While waiting, local updates merged into one; a batch past the frame limit is halved,
        // and one change past it goes in parts.
        let count = doc.pending.length
        let merged = count === 1 ? (doc.pending[0] as Uint8Array) : Y.mergeUpdates(doc.pending)
        while (count > 1 && !fits(doc, merged, limit)) {
          count = Math.ceil(count / 2)
          merged = Y.mergeUpdates(doc.pending.slice(0, count))
        }
        const changes = count === doc.pending.length ? doc.pendingChanges : count
        if (fits(doc, merged, limit)) {
          const id = createId()
          if (!ctx.send(frame('doc_update', { doc: doc.id, update: encodeBase64(merged) }, id))) {
            return
          }
          doc.inFlight.set(id, { update: merged, changes })
        } else startSplit(doc, 'doc_update', merged, changes, limit)
        doc.pending.splice(0, count)
        doc.pendingChanges -= changes
        inFlight += 1
        parts = sendParts(doc)
        if (parts === 'closed') return
        if (parts === 'waiting') waiting = true
      }
      if (doc.awarenessDirty && doc.opened && !waiting) {
        if (ctx.allowance() < 1) waiting = true
        else {
          const update = encodeAwarenessUpdate(doc.awareness, [doc.ydoc.clientID])
          if (ctx.send(frame('doc_awareness', { doc: doc.id, update: encodeBase64(update) })))
            doc.awarenessDirty = false
        }
      }
    }
    if (waiting) flushTimer = setTimeout(flush, Math.max(1, ctx.waitMs()))
  }

  function settle(action: UnknownAction): void {
    if (outbox.acked.match(action)) {
      for (const { refId } of action.payload.acks) {
        for (const doc of docs.values()) {
          const sent = doc.inFlight.get(refId)
          if (!sent) continue
          doc.inFlight.delete(refId)
          for (const id of sent.parts ?? []) doc.partIds.delete(id)
          reportUnsynced(doc)
          scheduleSave(doc)
          break
        }
      }
      scheduleFlush()
    } else if (connection.errorsReceived.match(action)) {
      for (const error of action.payload.errors) docError(error)
      scheduleFlush()
    } else if (connection.opened.match(action)) {
      if (ctx.session.refresh) return
      wasConnected = true
      for (const doc of docs.values()) {
        doc.opened = false
        sendStep1(doc)
      }
    } else if (connection.closed.match(action)) {
      wasConnected = true
      clearTimeout(flushTimer)
      flushTimer = undefined
      pausedUntil = 0
      for (const doc of docs.values()) disconnected(doc)
    } else if (connection.connecting.match(action)) {
      for (const doc of docs.values()) if (!doc.opened && wasConnected) setStatus(doc, 'offline')
    }
  }

  function clearRecover(doc: OpenDoc): void {
    doc.recover = 0
  }

  /** Whatever was in flight may or may not have arrived: the next step 2 covers it. */
  function disconnected(doc: OpenDoc): void {
    for (const sent of doc.inFlight.values()) doc.recover += sent.changes
    doc.recover += doc.pendingChanges
    doc.inFlight.clear()
    doc.split = undefined
    doc.partIds.clear()
    doc.pending = []
    doc.pendingChanges = 0
    doc.opened = false
    doc.refused = false
    clearTimeout(doc.retryTimer)
    doc.live = false
    doc.parts = null
    // Peers' cursors are not shown while we cannot see them move; the server resends them.
    const others = [...doc.awareness.getStates().keys()].filter((c) => c !== doc.ydoc.clientID)
    if (others.length > 0) removeAwarenessStates(doc.awareness, others, REMOTE_ORIGIN)
    setStatus(doc, 'offline')
    reportUnsynced(doc)
  }

  function docError(error: ErrorData): void {
    const doc = error.doc !== undefined ? docs.get(error.doc) : undefined
    if (!doc) return
    // An error about any part of an update sent in parts is about the whole update.
    const key =
      error.refId !== undefined ? (doc.partIds.get(error.refId) ?? error.refId) : undefined
    const sent = key !== undefined ? doc.inFlight.get(key) : undefined
    // About a part of an update already given up (its remaining parts refused in turn): told once.
    if (!sent && error.refId !== undefined && doc.partIds.has(error.refId)) return
    if (sent && key !== undefined) {
      doc.inFlight.delete(key)
      if (doc.split && doc.split.ids[doc.split.ids.length - 1] === key) doc.split = undefined
      if (RESEND_CODES.has(error.code)) {
        // Not applied (not admitted, or not stored): it goes again, whole.
        doc.pending.unshift(sent.update)
        doc.pendingChanges += sent.changes
        pausedUntil = Math.max(pausedUntil, ctx.now() + (error.retryAfterMs ?? 1000))
      }
    }
    if (error.refId !== undefined && error.refId === doc.step1Id) {
      doc.opened = false
      doc.step1Id = undefined
      if (
        error.code === WebSocketErrorCode.FORBIDDEN ||
        error.code === WebSocketErrorCode.MESSAGE_TOO_LARGE
      ) {
        // Not even to view (or too big for this connection): open, without the server's state.
        doc.refused = true
      } else {
        // The server could not load it now (or asked us to slow down): open it again later.
        const retry = setTimeout(() => {
          if (docs.get(doc.id) === doc) sendStep1(doc)
        }, error.retryAfterMs ?? STEP1_RETRY_MS)
        doc.retryTimer = retry
      }
    } else if (error.code === WebSocketErrorCode.FORBIDDEN) {
      // A viewer: nothing of ours is applied or forwarded, and nothing more is sent.
      doc.access = 'view'
      ctx.dispatch(documents.statusChanged({ docId: doc.id, status: doc.status, access: 'view' }))
      doc.pending = []
      doc.pendingChanges = 0
      clearRecover(doc)
      doc.inFlight.clear()
    }
    if (error.code !== WebSocketErrorCode.RATE_LIMITED) {
      ctx.dispatch(
        documents.failed({
          docId: doc.id,
          error: errorInfo(error.code, error.message, {
            context: 'collab',
            ...(error.refId !== undefined ? { refId: error.refId } : {}),
          }),
        }),
      )
    }
    reportUnsynced(doc)
  }

  // --- Commands -----------------------------------------------------------------------------

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
    fail(doc, WebSocketErrorCode.FORBIDDEN, message)
    ctx.dispatch(
      connection.errorOccurred({
        error: errorInfo(WebSocketErrorCode.FORBIDDEN, message, { context: 'collab' }),
      }),
    )
    return true
  }

  function command(action: UnknownAction): void {
    if (openDocument.match(action)) {
      if (once(action.payload.id)) open(action.payload.docId)
    } else if (closeDocument.match(action)) {
      if (once(action.payload.id)) close(action.payload.docId)
    } else if (editText.match(action)) {
      const { docId, index, deleteCount, insert, id } = action.payload
      if (!once(id)) return
      const doc = requireOpen('editText', docId)
      if (refusedToViewer(doc, 'editText')) return
      const text = doc.ydoc.getText('content')
      const at = Math.min(index, text.length)
      // One change however big (a paste): above the frame limit it goes in parts.
      doc.ydoc.transact(() => {
        if (deleteCount > 0) text.delete(at, Math.min(deleteCount, text.length - at))
        if (insert.length > 0) text.insert(at, insert)
      }, LOCAL_ORIGIN)
    } else if (setCursor.match(action)) {
      const { docId, anchor, head, id } = action.payload
      if (!once(id)) return
      const doc = requireOpen('setCursor', docId)
      doc.awareness.setLocalStateField('cursor', { anchor, head })
    } else if (undo.match(action) || redo.match(action)) {
      const { docId, id } = action.payload
      if (!once(id)) return
      const doc = requireOpen(undo.match(action) ? 'undo' : 'redo', docId)
      if (refusedToViewer(doc, undo.match(action) ? 'undo' : 'redo')) return
      if (undo.match(action)) doc.undoManager.undo()
      else doc.undoManager.redo()
    } else settle(action)
  }

  // The page goes away: save every document and take our cursors away at once.
  const target = globalThis as { addEventListener?: (type: string, listener: () => void) => void }
  /** Our awareness states taken away on pagehide, back if the page is shown again (bfcache). */
  const hidden = new Map<OpenDoc, unknown>()
  target.addEventListener?.('pageshow', () => {
    for (const [doc, state] of hidden) {
      if (docs.get(doc.id) === doc && doc.awareness.getLocalState() === null) {
        doc.awareness.setLocalState(state as Record<string, unknown>)
      }
    }
    hidden.clear()
  })
  target.addEventListener?.('pagehide', () => {
    for (const doc of docs.values()) {
      void save(doc, false)
      hidden.set(doc, doc.awareness.getLocalState())
      doc.awareness.setLocalState(null)
      if (authenticated() && doc.opened) {
        const update = encodeAwarenessUpdate(doc.awareness, [doc.ydoc.clientID])
        ctx.send(frame('doc_awareness', { doc: doc.id, update: encodeBase64(update) }))
      }
    }
  })

  return { handle: command, receive }
}

/**
 * What to store for `doc`: our state merged with the stored one. The stored record's unsynced
 * changes count only when it holds something ours lacks (another tab's offline edits).
 */
function mergeStored(
  doc: string,
  state: Uint8Array,
  unsynced: number,
  stored: StoredDocument | undefined,
): StoredDocument {
  const bytes = stored && decodeBase64(stored.state)
  // A big stored state is not parsed on every save: ours replaces it.
  if (!bytes || bytes.length > MERGE_MAX_BYTES) return { doc, state: encodeBase64(state), unsynced }
  try {
    const extra = Y.diffUpdate(bytes, Y.encodeStateVectorFromUpdate(state))
    const adds = Y.decodeUpdate(extra).structs.length > 0
    return {
      doc,
      state: encodeBase64(adds ? Y.mergeUpdates([state, bytes]) : state),
      unsynced: adds ? unsynced + Math.max(0, Math.floor(stored.unsynced)) : unsynced,
    }
  } catch {
    // An unreadable stored state is replaced by ours.
    return { doc, state: encodeBase64(state), unsynced }
  }
}

/** The document's `Y.Text` named `content`, as a string. */
export function textOf(ydoc: Y.Doc): string {
  return ydoc.getText('content').toJSON()
}
