import type { RealtimeServerLogger } from '../serverOptions'
import { noteRemoteOwners } from './awarenessGate'
import type { DocumentFeed } from './documentBroker'
import { forwardUpdate } from './docSend'
import type { LoadedDoc } from './loadedDoc'
import type { YjsModules } from './yjsPeer'

/**
 * The origin of what other processes stored or changed (updates, awareness) and of a reload
 * after missed updates: applied and forwarded to the members here, never stored or published
 * again.
 */
export const REMOTE_ORIGIN = 'redux-realtime:remote'

export interface DocFanoutDeps {
  logger: RealtimeServerLogger
  /** Whether `doc` is still the one loaded under its name (not unloaded or closed). */
  isLoaded: (doc: LoadedDoc) => boolean
  /** The store's `load`, timed and retried once. */
  load: (name: string) => Promise<Uint8Array | null>
  /** The store's `append`, timed. */
  append: (name: string, update: Uint8Array) => Promise<void>
}

/** A loaded document's feed, and how to hand it the document once the load made it. */
export interface PendingFeed {
  feed: DocumentFeed
  /** What was heard before the document existed is applied now (repeats are harmless). */
  attach: (doc: LoadedDoc) => void
}

/** The fan-out of one server's documents: a feed per document it loads. */
export interface DocFanout {
  feed: (modules: YjsModules) => PendingFeed
}

/**
 * What other processes do to a loaded document (issue 12), as its `DocumentBroker` feed tells:
 * an update they stored is applied in the document's write order and only what was new here is
 * forwarded (Yjs emits nothing for what it has, so this process's own updates coming back and
 * repeats reach no one); their awareness changes are applied (the awareness listener forwards
 * them); missed updates reload the stored state the same way, and what this process holds that
 * the store lacks (a Redis restarted empty) is stored again.
 *
 * @example
 * const fanout = createDocFanout({ logger, isLoaded, load, append })
 * const { feed, attach } = fanout.feed(modules)
 * await broker.subscribe(name, feed)
 * // … the document is loaded …
 * attach(doc)
 */
export function createDocFanout(deps: DocFanoutDeps): DocFanout {
  const { logger, isLoaded } = deps

  const integrate = (doc: LoadedDoc, bytes: Uint8Array, Y: YjsModules['Y'], what: string) => {
    const fresh: Uint8Array[] = []
    const capture = (update: Uint8Array, origin: unknown) => {
      if (origin === REMOTE_ORIGIN) fresh.push(update)
    }
    const ydoc = doc.ydoc
    ydoc.on('update', capture)
    try {
      Y.applyUpdate(ydoc, bytes, REMOTE_ORIGIN)
    } catch (error) {
      logger.warn(`redux-realtime server: Yjs refused ${what} of ${doc.name}`, error)
    } finally {
      ydoc.off('update', capture)
    }
    for (const update of fresh) {
      doc.bytes += update.length
      forwardUpdate(doc, update, undefined)
    }
  }

  /** In the doc's write order: a restore (which replaces the Y.Doc) never drops it. */
  const update = (doc: LoadedDoc, bytes: Uint8Array, Y: YjsModules['Y']): void =>
    void doc.writes.run(() => {
      if (isLoaded(doc)) integrate(doc, bytes, Y, 'an update from another process')
    })

  const reload = (doc: LoadedDoc, Y: YjsModules['Y']): void => {
    if (doc.reloadQueued) return
    doc.reloadQueued = true
    void doc.writes.run(async () => {
      doc.reloadQueued = false
      if (!isLoaded(doc)) return
      try {
        const stored = await deps.load(doc.name)
        if (!isLoaded(doc)) return
        if (stored) integrate(doc, stored, Y, 'the stored state')
        const lacking = Y.encodeStateAsUpdate(
          doc.ydoc,
          stored ? Y.encodeStateVectorFromUpdate(stored) : undefined,
        )
        if (Y.decodeUpdate(lacking).structs.length > 0) await deps.append(doc.name, lacking)
      } catch (error) {
        logger.error(
          `redux-realtime server: could not reload document ${doc.name} after missed updates; the next sign of a gap reloads it again`,
          error,
        )
      }
    })
  }

  const awareness = (doc: LoadedDoc, bytes: Uint8Array, modules: YjsModules): void => {
    if (!isLoaded(doc)) return
    try {
      noteRemoteOwners(doc, bytes)
      modules.awareness.applyAwarenessUpdate(doc.awareness, bytes, REMOTE_ORIGIN)
    } catch (error) {
      logger.warn(
        `redux-realtime server: a bad awareness update of ${doc.name} from another process`,
        error,
      )
    }
  }

  return {
    feed: (modules) => {
      const { Y } = modules
      let loaded: LoadedDoc | undefined
      const early: Array<(doc: LoadedDoc) => void> = []
      const heard = (task: (doc: LoadedDoc) => void) =>
        loaded ? task(loaded) : void early.push(task)
      return {
        feed: {
          update: (bytes) => heard((doc) => update(doc, bytes, Y)),
          awareness: (bytes) => heard((doc) => awareness(doc, bytes, modules)),
          missed: () => heard((doc) => reload(doc, Y)),
        },
        attach: (doc) => {
          loaded = doc
          for (const task of early.splice(0)) task(doc)
        },
      }
    },
  }
}
