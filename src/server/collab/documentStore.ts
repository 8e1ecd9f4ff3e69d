import { loadYjs } from './yjsPeer'

/**
 * Where the server keeps collaborative documents (Yjs updates). The memory store is the
 * default; the Redis engine of the scale-out issue implements the same three calls.
 */
export interface DocumentStore {
  /** Every update stored for `doc` since its last compaction, merged or not (null: a new doc). */
  load(doc: string): Promise<Uint8Array | null>
  /** Called before an update is acked: it must be durable when this resolves. */
  append(doc: string, update: Uint8Array): Promise<void>
  /**
   * Compaction, optional: replaces the updates stored for `doc` by one state holding them and
   * `state` (the caller's merged view). It never drops an update `state` lacks: one appended
   * meanwhile (by another process on a shared store) stays.
   */
  compact?(doc: string, state: Uint8Array): Promise<void>
}

/**
 * Documents in this process's memory: lost on restart, fine for development and tests. `load`
 * merges what was appended (`Y.mergeUpdates`); `compact` keeps one state, the stored updates
 * merged with the one it is given.
 *
 * @example
 * const server = await createRealtimeServer({ jwt, documents: createMemoryDocumentStore() })
 */
export function createMemoryDocumentStore(): DocumentStore {
  const docs = new Map<string, Uint8Array[]>()
  return {
    async load(doc) {
      const updates = docs.get(doc)
      if (!updates || updates.length === 0) return null
      if (updates.length === 1) return (updates[0] as Uint8Array).slice()
      const taken = updates.slice()
      const { Y } = await loadYjs()
      const merged = Y.mergeUpdates(taken)
      // Appends (or a compaction) made while yjs loaded stay after the merged part.
      const now = docs.get(doc) ?? []
      if (now[taken.length - 1] === taken[taken.length - 1])
        docs.set(doc, [merged, ...now.slice(taken.length)])
      return merged.slice()
    },
    append(doc, update) {
      let updates = docs.get(doc)
      if (!updates) docs.set(doc, (updates = []))
      // A copy: the caller's buffer may be reused.
      updates.push(update.slice())
      return Promise.resolve()
    },
    async compact(doc, state) {
      const { Y } = await loadYjs()
      // Read after the await: every update appended so far is merged, none is dropped.
      const updates = docs.get(doc) ?? []
      docs.set(doc, [updates.length === 0 ? state.slice() : Y.mergeUpdates([...updates, state])])
    },
  }
}
