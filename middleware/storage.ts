import type { OutboxEntry } from '../slices/types'
import { mergeCursor } from './storage/records'

export {
  createLocalStorage,
  type LocalStorageOptions,
  type StorageLike,
} from './storage/localStorage'
export { createIndexedDbStorage, type IndexedDbStorageOptions } from './storage/indexedDb'
export type { LockManagerLike, StorageTimers } from './storage/ownership'

/** Where a room's stream resumes after a reload: the last `seq` applied in the server's `epoch`. */
export interface StoredCursor {
  room: string
  epoch: string
  seq: number
}

/** A collaborative document's local state, kept so offline edits survive a reload (collab entry). */
export interface StoredDocument {
  doc: string
  /** base64 of the document's whole Yjs state (`Y.encodeStateAsUpdate`). */
  state: string
  /** Local changes the server had not acknowledged when it was saved. */
  unsynced: number
}

/**
 * Where the outbox keeps messages until the server acknowledges them, and the rooms' resume
 * cursors. Methods may be sync or async. `save`/`remove` throw (or reject) with an `Error`
 * that says what failed; the middleware reports it and keeps its in-memory outbox.
 */
export interface OutboxStorage {
  /** Entries this instance may send, oldest first (original order). Called at start and again after each reconnect to pick up entries no live instance owns. */
  load(): OutboxEntry[] | Promise<OutboxEntry[]>
  save(entry: OutboxEntry): void | Promise<void>
  remove(id: string): void | Promise<void>
  /** The rooms' resume cursors, saved by the middleware (throttled) after it applied messages. */
  loadCursors?(): StoredCursor[] | Promise<StoredCursor[]>
  /**
   * Merges by room: a listed room's cursor replaces the stored one unless that one is further
   * along in the same epoch; rooms not listed keep theirs.
   */
  saveCursors?(cursors: StoredCursor[]): void | Promise<void>
  /** A collaborative document saved with `saveDocument` (undefined: none). */
  loadDocument?(doc: string): StoredDocument | undefined | Promise<StoredDocument | undefined>
  /** Replaces what is stored for `document.doc`. */
  saveDocument?(document: StoredDocument): void | Promise<void>
  /** Releases what the instance holds (locks, heartbeats). */
  close?(): void
  /**
   * Problems the storage stepped over without failing a call (a record it could not read, a
   * take-over that failed): the middleware registers here and reports each as a
   * `STORAGE_FAILED` error action.
   */
  onProblem?(listener: (error: Error) => void): void
}

/**
 * The default storage: in memory, so the outbox survives reconnects but not a page reload.
 * One instance is one owner: nothing is shared between instances.
 *
 * @example
 * createRealtime({ url, storage: createMemoryStorage() })
 */
export function createMemoryStorage(): Required<OutboxStorage> {
  // Maps, not objects: ids and room names come from the wire (`__proto__`, `toString`).
  const entries = new Map<string, OutboxEntry>()
  const cursors = new Map<string, StoredCursor>()
  const documents = new Map<string, StoredDocument>()
  return {
    load: () => [...entries.values()],
    save: (entry) => {
      entries.set(entry.id, entry)
    },
    remove: (id) => {
      entries.delete(id)
    },
    loadCursors: () => [...cursors.values()].map((cursor) => ({ ...cursor })),
    saveCursors: (next) => {
      for (const cursor of next) {
        cursors.set(cursor.room, mergeCursor(cursors.get(cursor.room), cursor, 'saveCursors'))
      }
    },
    loadDocument: (doc) => {
      const stored = documents.get(doc)
      return stored && { ...stored }
    },
    saveDocument: (document) => {
      documents.set(document.doc, { ...document })
    },
    close: () => {},
    // Nothing in memory can be unreadable.
    onProblem: () => {},
  }
}
