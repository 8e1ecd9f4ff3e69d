/**
 * Offline storage of documents: each document's state (and its changes the server may lack) is
 * saved to the instance's storage `saveThrottleMs` after a change and loaded when it opens, so
 * offline edits survive a reload and another tab's are merged in.
 */
import * as Y from 'yjs'
import type { StoredDocument } from '../../middleware/storage'
import { decodeBase64, encodeBase64 } from '../protocol/docFrames'
import { reportUnsynced } from './docEvents'
import { STORED_ORIGIN, unsyncedOf, type CollabContext, type OpenDoc } from './openDoc'

/** Stored states up to this size are merged with ours on save (another tab's offline edits). */
const MERGE_MAX_BYTES = 1024 * 1024

export interface DocStorage {
  save: (doc: OpenDoc, merge?: boolean) => Promise<void>
  scheduleSave: (doc: OpenDoc) => void
  /** Applies what is stored for the doc, then it is `loaded` (its text shown, its step 1 sent). */
  load: (doc: OpenDoc) => void
}

export function createDocStorage(
  { ctx, docs, options }: CollabContext,
  {
    scheduleText,
    sendStep1,
  }: { scheduleText: (doc: OpenDoc) => void; sendStep1: (doc: OpenDoc) => void },
): DocStorage {
  const saveThrottleMs = options.saveThrottleMs ?? 1000

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
      reportUnsynced(ctx, doc)
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

  return { save, scheduleSave, load }
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
