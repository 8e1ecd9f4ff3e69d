/**
 * The documents' calls to their `DocumentStore`: each one timed (a store that hangs is a store
 * that failed), loads and compactions retried once, a document's state read from the store (or
 * restored from it after a failed apply or append), and compaction every `documentCompactEvery`
 * appends, in the document's write order.
 */
import type * as YTypes from 'yjs'
import { withinTimeout } from '../storeCalls'
import type { DocumentsOptions, LoadedDoc } from './loadedDoc'
import type { YjsModules } from './yjsPeer'

/** The origin of updates applied from the store, so nothing mistakes them for a member's. */
const STORE_ORIGIN = 'redux-realtime:store'

export interface DocPersistence {
  /**
   * One store call, failed once `documentStoreTimeoutMs` passed without it settling: a store
   * that hangs is a store that failed (what it may still do later is only ever a durable
   * append, which a reload then includes, or a compaction of what is stored anyway).
   */
  timed: <T>(what: string, call: () => Promise<T>) => Promise<T>
  /** The store's `load`, timed and retried once. */
  load: (name: string) => Promise<Uint8Array | null>
  /** The store's `append`, timed. */
  append: (name: string, update: Uint8Array) => Promise<void>
  /** What the store holds for `name` as a doc (empty: nothing stored). */
  fromStore: (name: string, Y: YjsModules['Y']) => Promise<{ ydoc: YTypes.Doc; bytes: number }>
  /** Replaces the doc in memory by what the store holds (after a failed apply or append). */
  restore: (doc: LoadedDoc, Y: YjsModules['Y']) => Promise<void>
  /** Merges the doc's appends into one stored state (call it in the doc's write order). */
  compact: (doc: LoadedDoc, Y: YjsModules['Y']) => Promise<void>
  /** Compacts in the doc's write order once `documentCompactEvery` appends were made. */
  scheduleCompaction: (doc: LoadedDoc, Y: YjsModules['Y']) => void
}

export function createDocPersistence(options: DocumentsOptions): DocPersistence {
  const { logger, documents: store } = options

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

  const load = (name: string) => retried(`load of ${name}`, () => store.load(name))

  const append = (name: string, update: Uint8Array) =>
    timed(`append to ${name}`, () => store.append(name, update))

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

  const fromStore = async (name: string, Y: YjsModules['Y']) => {
    const stored = await load(name)
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

  return { timed, load, append, fromStore, restore, compact, scheduleCompaction }
}
