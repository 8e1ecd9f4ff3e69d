import type { OutboxStorage } from '../storage'
import { createDurableStorage, type DurableStorageOptions } from './durableStorage'
import { describeError, type RecordKind, type RecordStore, type StoredRecord } from './records'

/** The part of the Web Storage API the adapter uses (`localStorage`, `sessionStorage`, a fake). */
export type StorageLike = Pick<Storage, 'getItem' | 'setItem' | 'removeItem' | 'key' | 'length'>

export interface LocalStorageOptions extends DurableStorageOptions {
  /** Prefix of every key the adapter writes. Default `'redux-realtime'`. */
  key?: string
  /** Default `globalThis.localStorage`, looked up on first use (SSR-safe). */
  storage?: StorageLike
  /**
   * How long a write may take to reach other tabs (default 100 ms): after taking a closed tab's
   * entries over, `load()` waits this long and keeps only those still recorded as its own.
   */
  settleMs?: number
}

/**
 * Keeps the outbox and the rooms' resume cursors in `localStorage`, so they survive a reload.
 * One key per record, JSON: `<key>:entry:<message id>`, `<key>:cursor:<room>` and, in the
 * fallback without Web Locks, `<key>:owner:<owner id>` heartbeats. A record that cannot be read
 * is skipped, reported to `onError` and left as it is.
 *
 * Two tabs on one key never both send an entry while both are alive: each tab only loads what it
 * saved, plus what a closed tab left behind, which it takes over under a Web Lock. localStorage
 * writes reach other tabs with a delay, so a take-over counts only if the record still names
 * this tab `settleMs` later (the next tab to take over waits for the lock meanwhile).
 *
 * Without Web Locks (old browsers, plain-http origins other than localhost, Node) a heartbeat
 * lease decides who is alive, and it is weaker: a tab whose timers are throttled in the
 * background for more than 3 × `lease.periodMs` counts as closed, so another tab may take over
 * and send its messages too (the server's idempotency by message id still applies each once);
 * two tabs taking over at the same moment are told apart only by the `settleMs` re-read, which
 * holds as long as a write reaches the other tab within it; and a reloaded page's messages
 * become available only once its old heartbeat has expired (6 s by default), at the next
 * `load()`.
 *
 * @example
 * createRealtime({ url, getToken, storage: createLocalStorage({ key: 'chat-outbox' }) })
 */
export function createLocalStorage(options: LocalStorageOptions = {}): Required<OutboxStorage> {
  const key = options.key ?? 'redux-realtime'
  const label = `localStorage "${key}"`
  const keyOf = (kind: RecordKind, name: string) => `${key}:${kind}:${name}`

  function storage(): StorageLike {
    if (options.storage) return options.storage
    let found: StorageLike | undefined | null
    try {
      found = (globalThis as { localStorage?: StorageLike | null }).localStorage
    } catch (error) {
      // Safari with storage blocked, sandboxed iframes: the getter itself throws.
      throw new Error(
        `localStorage is not available (${describeError(error)}); use createIndexedDbStorage() or createMemoryStorage()`,
        { cause: error },
      )
    }
    if (!found) {
      throw new Error(
        'there is no localStorage here; pass createLocalStorage({ storage }) or use createMemoryStorage()',
      )
    }
    return found
  }

  function read(name: string, raw: string): StoredRecord {
    try {
      return { name, value: JSON.parse(raw) as unknown }
    } catch (error) {
      return { name, unreadable: `invalid JSON (${describeError(error)})` }
    }
  }

  function get(kind: RecordKind, name: string): StoredRecord | undefined {
    const raw = storage().getItem(keyOf(kind, name))
    return raw === null ? undefined : read(name, raw)
  }
  function set(kind: RecordKind, name: string, value: unknown): void {
    storage().setItem(keyOf(kind, name), JSON.stringify(value))
  }
  function remove(kind: RecordKind, name: string): void {
    storage().removeItem(keyOf(kind, name))
  }

  const store: RecordStore = {
    label,
    settleMs: options.settleMs ?? 100,
    where: (kind, name) => `key "${keyOf(kind, name)}"`,
    list(kind) {
      const local = storage()
      const prefix = keyOf(kind, '')
      const keys: string[] = []
      for (let i = 0; i < local.length; i++) {
        const name = local.key(i)
        if (name?.startsWith(prefix)) keys.push(name)
      }
      const records: StoredRecord[] = []
      for (const name of keys) {
        const raw = local.getItem(name)
        if (raw !== null) records.push(read(name.slice(prefix.length), raw))
      }
      return records
    },
    get,
    set,
    delete: remove,
    swap(kind, name, decide) {
      const decision = decide(get(kind, name))
      if (decision === undefined) return false
      if (decision === 'delete') remove(kind, name)
      else set(kind, name, decision.write)
      return true
    },
  }

  return createDurableStorage(store, `redux-realtime:localStorage:${key}`, options)
}
