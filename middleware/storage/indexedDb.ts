import { createStore, del, entries, get, promisifyRequest, set, type UseStore } from 'idb-keyval'
import type { OutboxStorage } from '../storage'
import { createDurableStorage, type DurableStorageOptions } from './durableStorage'
import type { RecordKind, RecordStore, StoredRecord } from './records'

export interface IndexedDbStorageOptions extends DurableStorageOptions {
  /** The IndexedDB database (its object store is `outbox`). Default `'redux-realtime'`. */
  name?: string
}

/**
 * Keeps the outbox and the rooms' resume cursors in IndexedDB (through `idb-keyval`), so they
 * survive a reload; the browser's quota is far larger than localStorage's. Database `name`,
 * object store `outbox`, one record per key: `['entry', messageId]`, `['cursor', room]` and, in
 * the fallback without Web Locks, `['owner', ownerId]` heartbeats. A record that cannot be read
 * is skipped, reported to `onError` and left as it is.
 *
 * Two tabs on one database never both send an entry while both are alive: each tab only loads
 * what it saved, plus what a closed tab left behind, which it takes over once (under a Web Lock,
 * and in one IndexedDB transaction that checks the record's owner).
 *
 * Without Web Locks (old browsers, plain-http origins other than localhost) a heartbeat lease
 * decides who is alive: a tab whose timers are throttled in the background for more than
 * 3 × `lease.periodMs` counts as closed, so another tab may take over and send its messages too
 * (the server's idempotency by message id still applies each once), and a reloaded page's
 * messages become available only once its old heartbeat has expired (6 s by default), at the
 * next `load()`. Two tabs taking over at once still cannot both win: the check is transactional.
 *
 * @example
 * createRealtime({ url, getToken, storage: createIndexedDbStorage({ name: 'chat' }) })
 */
export function createIndexedDbStorage(
  options: IndexedDbStorageOptions = {},
): Required<OutboxStorage> {
  const name = options.name ?? 'redux-realtime'
  let opened: UseStore | undefined

  // `createStore` opens nothing until first used; the check keeps SSR imports free of IndexedDB.
  function db(): UseStore {
    if (opened) return opened
    if (typeof indexedDB === 'undefined') {
      throw new Error(
        'there is no IndexedDB here; use createLocalStorage() or createMemoryStorage() (in Node tests, import "fake-indexeddb/auto")',
      )
    }
    opened = createStore(name, 'outbox')
    return opened
  }

  const toRecord = (key: [RecordKind, string], value: unknown): StoredRecord => ({
    name: key[1],
    value,
  })

  const store: RecordStore = {
    label: `IndexedDB "${name}"`,
    settleMs: 0,
    where: (kind, id) => `record ${JSON.stringify([kind, id])}`,
    async list(kind) {
      const all = await entries<IDBValidKey, unknown>(db())
      const records: StoredRecord[] = []
      for (const [key, value] of all) {
        if (Array.isArray(key) && key[0] === kind && typeof key[1] === 'string') {
          records.push(toRecord([kind, key[1]], value))
        }
      }
      return records
    },
    async get(kind, id) {
      const value = await get<unknown>([kind, id], db())
      return value === undefined ? undefined : toRecord([kind, id], value)
    },
    set: (kind, id, value) => set([kind, id], value, db()),
    delete: (kind, id) => del([kind, id], db()),
    // One readwrite transaction: IndexedDB runs overlapping ones in turn, across tabs too.
    swap: (kind, id, decide) =>
      db()('readwrite', (objects) => {
        let wrote = false
        const request = objects.get([kind, id])
        // Decided in the request's own callback, while the transaction is surely still active.
        request.onsuccess = () => {
          const current: unknown = request.result
          const decision = decide(current === undefined ? undefined : toRecord([kind, id], current))
          if (decision === 'delete') objects.delete([kind, id])
          else if (decision !== undefined) objects.put(decision.write, [kind, id])
          wrote = decision !== undefined
        }
        return promisifyRequest(objects.transaction).then(() => wrote)
      }),
  }

  return createDurableStorage(store, `redux-realtime:indexedDB:${name}`, options)
}
