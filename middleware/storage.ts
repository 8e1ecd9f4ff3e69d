import type { OutboxEntry } from '../slices/types'

/**
 * Where the outbox keeps messages until the server acknowledges them. Methods may be sync or
 * async; errors are reported, never thrown into the middleware.
 */
export interface OutboxStorage {
  load(): OutboxEntry[] | Promise<OutboxEntry[]>
  save(entry: OutboxEntry): void | Promise<void>
  remove(id: string): void | Promise<void>
}

/**
 * The default storage: in memory, so the outbox survives reconnects but not a page reload.
 *
 * @example
 * createRealtime({ url, storage: createMemoryStorage() })
 */
export function createMemoryStorage(): OutboxStorage {
  const entries = new Map<string, OutboxEntry>()
  return {
    load: () => [...entries.values()],
    save: (entry) => {
      entries.set(entry.id, entry)
    },
    remove: (id) => {
      entries.delete(id)
    },
  }
}
