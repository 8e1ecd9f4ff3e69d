/**
 * Which documents are in memory: one loads the first time it is opened (once, however many
 * open it at the same time; subscribed to the other processes' changes before it is read), and
 * is compacted and freed `documentGraceMs` after its last member left.
 */
import type * as YTypes from 'yjs'
import { createSerialQueue } from '../serialQueue'
import type { DocFanout } from './docFanout'
import { forwardAwareness } from './docAwareness'
import type { DocPersistence } from './docPersistence'
import type { DocumentsContext, LoadedDoc } from './loadedDoc'
import type { YjsModules } from './yjsPeer'

export interface DocMemory {
  /** The loaded doc, loading it once however many open it at the same time. */
  getDoc: (name: string, modules: YjsModules) => Promise<LoadedDoc>
  /** Unloads the doc `documentGraceMs` from now (unless a member opens it meanwhile). */
  scheduleUnload: (doc: LoadedDoc, Y: YjsModules['Y']) => void
  /** Frees the doc at once (its appends are durable already). */
  free: (doc: LoadedDoc) => void
}

export function createDocMemory(
  c: DocumentsContext,
  { persistence, fanout }: { persistence: DocPersistence; fanout: DocFanout },
): DocMemory {
  const { options, loaded, loading } = c
  const { documentBroker: broker } = options
  const { timed, fromStore, compact } = persistence

  const unload = (doc: LoadedDoc, Y: YjsModules['Y']): void => {
    if (doc.members.size > 0 || doc.unloading) return
    doc.unloading = (async () => {
      await doc.writes.run(() => compact(doc, Y))
      free(doc)
    })()
  }

  const free = (doc: LoadedDoc): void => {
    clearTimeout(doc.unloadTimer)
    if (loaded.get(doc.name) === doc) broker.unsubscribe(doc.name)
    doc.awareness.destroy()
    doc.awareness.doc.destroy()
    doc.ydoc.destroy()
    if (loaded.get(doc.name) === doc) loaded.delete(doc.name)
  }

  const scheduleUnload = (doc: LoadedDoc, Y: YjsModules['Y']): void => {
    clearTimeout(doc.unloadTimer)
    if (c.closed) return
    doc.unloadTimer = setTimeout(() => unload(doc, Y), options.documentGraceMs)
    doc.unloadTimer.unref?.()
  }

  const load = async (name: string, modules: YjsModules): Promise<LoadedDoc> => {
    const { Y, awareness: A } = modules
    // What other processes store while this one reads is heard: subscribed before the read.
    const { feed, attach } = fanout.feed(modules)
    let ydoc: YTypes.Doc
    let bytes: number
    try {
      await timed(`subscribe to ${name}`, () => broker.subscribe(name, feed))
      ;({ ydoc, bytes } = await fromStore(name, Y))
    } catch (error) {
      broker.unsubscribe(name)
      throw error
    }
    if (c.closed) {
      broker.unsubscribe(name)
      ydoc.destroy()
      throw new Error('the server is closing')
    }
    // Its own doc: the content doc is replaced when restored from the store.
    const awareness = new A.Awareness(new Y.Doc())
    // The server has no presence of its own in any document.
    awareness.setLocalState(null)
    const doc: LoadedDoc = {
      name,
      ydoc,
      awareness,
      members: new Map(),
      owners: new Map(),
      remoteUsers: new Map(),
      writes: createSerialQueue(),
      bytes,
      appends: 0,
      compacting: false,
      unloadTimer: undefined,
      unloading: undefined,
      reloadQueued: false,
    }
    forwardAwareness(doc, A, broker)
    loaded.set(name, doc)
    attach(doc)
    // A doc nobody ends up opening (the opener left meanwhile) unloads like any other.
    scheduleUnload(doc, Y)
    return doc
  }

  const getDoc = async (name: string, modules: YjsModules): Promise<LoadedDoc> => {
    for (;;) {
      const doc = loaded.get(name)
      if (doc) {
        if (!doc.unloading) return doc
        await doc.unloading
        continue
      }
      let pending = loading.get(name)
      if (!pending) {
        pending = load(name, modules).finally(() => loading.delete(name))
        loading.set(name, pending)
      }
      const fresh = await pending
      if (!fresh.unloading) return fresh
    }
  }

  return { getDoc, scheduleUnload, free }
}
