import { outbox } from '../slices/actions'
import type { OutboxEntry } from '../slices/types'
import type { RealtimeContext } from './context'
import { isValidStoredEntry } from './outboxEntries'

/**
 * The outbox's entries and their storage: what is queued, in send order, and what the storage
 * has. Sending (when, how many, in which frames) is `outbox.ts`'s and `outboxSend.ts`'s; this
 * only keeps the list and the storage in step.
 */
export interface OutboxQueue {
  /** In send order: restored entries first, then new ones. */
  values(): IterableIterator<OutboxEntry>
  get(id: string): OutboxEntry | undefined
  has(id: string): boolean
  readonly size: number
  /** False until the storage's entries were loaded (nothing is sent before). */
  readonly loaded: boolean
  /** Queues an entry and saves it; it may not be sent until the save finished (or failed). */
  add(entry: OutboxEntry): void
  isSaving(id: string): boolean
  /** Takes an acked or failed entry out and off storage; false if it was not queued. */
  remove(id: string): boolean
  /** Every entry whose room is `room`. */
  ofRoom(room: string, roomOf: (entry: OutboxEntry) => string | undefined): OutboxEntry[]
  /** Loads what storage holds (what this instance saved, and what closed tabs left). */
  load(): Promise<void>
}

/** @param changed runs whenever something may now be sent: a save finished, entries restored. */
export function createOutboxQueue(ctx: RealtimeContext, changed: () => void): OutboxQueue {
  const { storage } = ctx
  let queue = new Map<string, OutboxEntry>()
  /** Being saved: not sent until storage has it (or failed to take it). */
  const saving = new Set<string>()
  let loaded = false
  /** Loads under way, and the ids settled meanwhile (their snapshot may still hold them). */
  let loading = 0
  const settledWhileLoading = new Set<string>()

  function restore(entries: unknown): void {
    loaded = true
    const restored = Array.isArray(entries)
      ? entries
          .filter(isValidStoredEntry)
          .filter((e) => !queue.has(e.id) && !settledWhileLoading.has(e.id))
      : []
    if (restored.length > 0) {
      // Restored entries are older than anything queued since start: they go first.
      const next = new Map(restored.map((e) => [e.id, e]))
      for (const [id, entry] of queue) next.set(id, entry)
      queue = next
      ctx.dispatch(outbox.restored({ entries: restored }))
    }
    changed()
  }

  return {
    values: () => queue.values(),
    get: (id) => queue.get(id),
    has: (id) => queue.has(id),
    get size() {
      return queue.size
    },
    get loaded() {
      return loaded
    },
    add(entry) {
      queue.set(entry.id, entry)
      saving.add(entry.id)
      const done = () => {
        if (saving.delete(entry.id)) changed()
      }
      void ctx.persist('save', () => storage.save(entry), done)
    },
    isSaving: (id) => saving.has(id),
    remove(id) {
      if (!queue.delete(id)) return false
      // A load under way may still hold it: it must not revive it.
      if (loading > 0) settledWhileLoading.add(id)
      void ctx.persist('remove', () => storage.remove(id))
      return true
    },
    ofRoom: (room, roomOf) => [...queue.values()].filter((e) => roomOf(e) === room),
    load() {
      loading += 1
      return ctx.persist(
        'load',
        async () => restore(await storage.load()),
        () => {
          if (!loaded) restore([])
          if (--loading === 0) settledWhileLoading.clear()
        },
      )
    },
  }
}
