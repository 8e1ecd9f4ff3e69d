/**
 * The page going away (`pagehide`): every document is saved and our cursors are taken away at
 * once; shown again from the back/forward cache (`pageshow`), our awareness states come back.
 */
import { localAwarenessFrame } from './awareness'
import type { DocStorage } from './docStorage'
import type { CollabContext, OpenDoc } from './openDoc'

export function listenToPage({ ctx, docs }: CollabContext, { save }: DocStorage): void {
  const target = globalThis as { addEventListener?: (type: string, listener: () => void) => void }
  /** Our awareness states taken away on pagehide, back if the page is shown again (bfcache). */
  const hidden = new Map<OpenDoc, unknown>()
  target.addEventListener?.('pageshow', () => {
    for (const [doc, state] of hidden) {
      if (docs.get(doc.id) === doc && doc.awareness.getLocalState() === null) {
        doc.awareness.setLocalState(state as Record<string, unknown>)
      }
    }
    hidden.clear()
  })
  target.addEventListener?.('pagehide', () => {
    for (const doc of docs.values()) {
      void save(doc, false)
      hidden.set(doc, doc.awareness.getLocalState())
      doc.awareness.setLocalState(null)
      if (ctx.session.authenticated && doc.opened) ctx.send(localAwarenessFrame(ctx, doc))
    }
  })
}
