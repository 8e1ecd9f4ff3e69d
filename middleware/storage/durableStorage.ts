import type { OutboxEntry } from '../../slices/types'
import type { OutboxStorage, StoredCursor, StoredDocument } from '../storage'
import {
  leaseOwnership,
  lockOwnership,
  newOwnerId,
  platformLocks,
  defaultTimers,
  type Ownership,
  type OwnershipOptions,
} from './ownership'
import {
  compareOrder,
  cursorRecord,
  mergeCursor,
  readCursorRecord,
  readEntryRecord,
  storageError,
  type EntryOrder,
  type EntryRecord,
  type RecordKind,
  type RecordStore,
  type StoredRecord,
} from './records'

/** Options every durable adapter takes. */
export interface DurableStorageOptions extends OwnershipOptions {
  /**
   * Problems `load()` / `loadCursors()` step over: records it cannot read (kept in storage as
   * they are) and single claims that failed; also a heartbeat that could not be written.
   * Default: `console.warn`.
   */
  onError?: (error: Error) => void
}

/**
 * An `OutboxStorage` over a `RecordStore`: one record per entry, owned by the instance that
 * saved or claimed it. `load()` returns this instance's entries plus those of owners no longer
 * alive, which it claims (rewrites as its own) first.
 */
export function createDurableStorage(
  store: RecordStore,
  namespace: string,
  options: DurableStorageOptions,
): Required<OutboxStorage> {
  const owner = newOwnerId()
  const timers = options.timers ?? defaultTimers
  let gen = timers.now()
  let counter = 0
  let lastAt = -Infinity
  /** Where this instance's entries sort, so a re-save keeps its place. */
  const orders = new Map<string, EntryOrder>()
  /** Unreadable records already reported, so each reload's `load()` does not repeat them. */
  const reported = new Set<string>()
  let ownership: Ownership | undefined

  const listeners = new Set<(error: Error) => void>()
  const report = (error: Error): void => {
    // Nobody listening and no onError: at least the console hears of it.
    const receivers = [...listeners, ...(options.onError ? [options.onError] : [])]
    for (const receive of receivers.length > 0 ? receivers : [console.warn]) {
      try {
        receive(error)
      } catch {
        // A throwing listener must not break loading.
      }
    }
  }

  function owned(): Ownership {
    if (ownership) return ownership
    const locks = options.locks === undefined ? platformLocks() : options.locks
    ownership = locks
      ? lockOwnership(locks, namespace, owner)
      : leaseOwnership(store, owner, options, report)
    return ownership
  }

  function unreadable(kind: RecordKind, record: StoredRecord, reason: string): void {
    const where = store.where(kind, record.name)
    if (reported.has(where)) return
    reported.add(where)
    report(new Error(`${store.label}: skipped ${where}: ${reason}; it was left in storage as is`))
  }

  function readEntries(records: StoredRecord[]): EntryRecord[] {
    const result: EntryRecord[] = []
    for (const record of records) {
      const read = record.unreadable ?? readEntryRecord(record.value, record.name)
      if (typeof read === 'string') unreadable('entry', record, read)
      else result.push(read)
    }
    return result
  }

  /** Rewrites a dead owner's record as ours, unless someone changed it since we read it. */
  async function claim(record: EntryRecord): Promise<EntryRecord | undefined> {
    const mine: EntryRecord = { ...record, owner }
    const id = record.entry.id
    try {
      const wrote = await store.swap('entry', id, (current) => {
        const latest = current?.unreadable ?? (current && readEntryRecord(current.value, id))
        const unchanged = typeof latest === 'object' && latest.owner === record.owner
        return unchanged ? { write: mine } : undefined
      })
      return wrote ? mine : undefined
    } catch (error) {
      report(storageError(store.label, `take over message "${id}" of a closed tab`, error))
      return undefined
    }
  }

  /**
   * Without atomic claims two instances may both have claimed (a write takes time to reach
   * other tabs): once writes have settled, the last one has won.
   */
  async function confirm(claimed: EntryRecord[]): Promise<EntryRecord[]> {
    await new Promise<void>((resolve) => {
      timers.setTimeout(resolve, store.settleMs)
    })
    const kept: EntryRecord[] = []
    for (const record of claimed) {
      const current = await store.get('entry', record.entry.id)
      const latest =
        current?.unreadable ?? (current && readEntryRecord(current.value, current.name))
      if (typeof latest === 'object' && latest.owner === owner) kept.push(record)
    }
    return kept
  }

  async function load(): Promise<OutboxEntry[]> {
    const own = owned()
    await own.ready()
    const records = await own.exclusive(async () => {
      const alive = await own.liveness()
      const all = readEntries(await store.list('entry'))
      const mine = all.filter((record) => record.owner === owner)
      let claimed: EntryRecord[] = []
      for (const record of all) {
        if (alive(record.owner)) continue
        const took = await claim(record)
        if (took) claimed.push(took)
      }
      // Still inside `exclusive`: the next instance to claim reads after our writes settled.
      if (claimed.length > 0 && store.settleMs > 0) {
        claimed = await confirm(claimed)
      }
      return [...mine, ...claimed]
    })
    for (const record of records) {
      orders.set(record.entry.id, { at: record.at, gen: record.gen, n: record.n })
      lastAt = Math.max(lastAt, record.at)
      // What this instance saves from now on sorts after what it loaded, even on a tie in `at`.
      gen = Math.max(gen, record.gen + 1)
    }
    return records.sort(compareOrder).map((record) => record.entry)
  }

  async function save(entry: OutboxEntry): Promise<void> {
    const order = orders.get(entry.id) ?? {
      at: Math.max(entry.createdAt, lastAt),
      gen,
      n: counter++,
    }
    const ready = owned().ready()
    // Without a wait, a localStorage write lands before `save()` returns.
    if (ready) await ready
    await store.set('entry', entry.id, { v: 1, owner, ...order, entry } satisfies EntryRecord)
    orders.set(entry.id, order)
    lastAt = Math.max(lastAt, order.at)
  }

  async function loadCursors(): Promise<StoredCursor[]> {
    const cursors: StoredCursor[] = []
    for (const record of await store.list('cursor')) {
      const read = record.unreadable ?? readCursorRecord(record.value, record.name)
      if (typeof read === 'string') unreadable('cursor', record, read)
      else cursors.push(read)
    }
    return cursors
  }

  async function saveCursors(cursors: StoredCursor[]): Promise<void> {
    const next = cursors.map((cursor) => mergeCursor(undefined, cursor, 'saveCursors'))
    // One after another: two cursors for one room in a call merge like two calls.
    for (const cursor of next) {
      await store.swap('cursor', cursor.room, (current) => {
        // An unreadable cursor is replaced: a cursor is only a shortcut for replay.
        const stored =
          current?.unreadable ?? (current && readCursorRecord(current.value, cursor.room))
        const kept = typeof stored === 'object' ? stored : undefined
        const merged = mergeCursor(kept, cursor, 'saveCursors')
        return merged === kept ? undefined : { write: cursorRecord(merged) }
      })
    }
  }

  // Last write wins: a document's state is a CRDT, and the plugin merges what it loaded into it.
  async function loadDocument(doc: string): Promise<StoredDocument | undefined> {
    const record = await store.get('doc', doc)
    if (!record) return undefined
    const value = record.value as Partial<StoredDocument> | undefined
    if (
      record.unreadable !== undefined ||
      typeof value !== 'object' ||
      value === null ||
      value.doc !== doc ||
      typeof value.state !== 'string' ||
      typeof value.unsynced !== 'number'
    ) {
      unreadable('doc', record, record.unreadable ?? 'not a stored document')
      return undefined
    }
    return { doc, state: value.state, unsynced: value.unsynced }
  }

  const failing =
    <A extends unknown[], R>(
      what: (...args: NoInfer<A>) => string,
      run: (...args: A) => Promise<R>,
    ) =>
    async (...args: A): Promise<R> => {
      try {
        return await run(...args)
      } catch (error) {
        throw storageError(store.label, what(...args), error)
      }
    }

  return {
    load: failing(() => 'load the outbox', load),
    save: failing((entry: OutboxEntry) => `save message "${String(entry?.id)}"`, save),
    remove: failing(
      (id: string) => `remove message "${id}"`,
      async (id: string) => {
        await store.delete('entry', id)
        orders.delete(id)
      },
    ),
    loadCursors: failing(() => 'load the room cursors', loadCursors),
    saveCursors: failing(() => 'save the room cursors', saveCursors),
    loadDocument: failing((doc: string) => `load document "${doc}"`, loadDocument),
    saveDocument: failing(
      (document: StoredDocument) => `save document "${String(document?.doc)}"`,
      async (document: StoredDocument) => {
        const { doc, state, unsynced } = document
        await store.set('doc', doc, { doc, state, unsynced })
      },
    ),
    close() {
      ownership?.close()
      ownership = undefined
    },
    onProblem(listener) {
      listeners.add(listener)
    },
  }
}
