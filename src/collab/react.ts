import { useCallback, useContext, useEffect, useMemo, useRef, useSyncExternalStore } from 'react'
import type { Store } from '@reduxjs/toolkit'
import type * as Y from 'yjs'
import { WebSocketContext, type RealtimeBinding } from '../react/index'
import type { DocumentPeer, DocumentStatus } from './actions'
import type { LiveDocuments } from './createCollab'
import { LOCAL_ORIGIN } from './openDoc'
import type { DocumentState } from './slice'
import type { collabActions } from './actions'

/** What `useCollaborativeText` returns. */
export interface CollaborativeText {
  /** The document's text (throttled snapshot); null past the snapshot cap. */
  text: string | null
  status: DocumentStatus | 'closed'
  peers: readonly DocumentPeer[]
  unsyncedChanges: number
  /**
   * A ref callback for a `<textarea>`: it shows the live text, turns typing into `editText`
   * and the selection into `setCursor`, and follows peers' edits keeping your selection.
   */
  bind: (textarea: HTMLTextAreaElement | null) => void
  undo: () => void
  redo: () => void
}

type CollabRealtime = RealtimeBinding['realtime'] & {
  actions: typeof collabActions
  selectors: { selectDocument: (state: unknown, docId: string) => DocumentState | undefined }
  documents: LiveDocuments
}

const NO_PEERS: readonly DocumentPeer[] = []

function collabOf(binding: RealtimeBinding): CollabRealtime {
  const realtime = binding.realtime as Partial<CollabRealtime>
  if (typeof realtime.documents?.get !== 'function') {
    throw new Error(
      'useCollaborativeText: this realtime instance has no collab plugin; create it with createRealtime({ …, plugins: [createCollab()] })',
    )
  }
  return realtime as CollabRealtime
}

/** Where the text changed: one splice from `before` to `after`. */
function splice(before: string, after: string) {
  let start = 0
  const max = Math.min(before.length, after.length)
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++
  let end = 0
  while (
    end < max - start &&
    before.charCodeAt(before.length - 1 - end) === after.charCodeAt(after.length - 1 - end)
  ) {
    end++
  }
  return {
    index: start,
    deleteCount: before.length - start - end,
    insert: after.slice(start, after.length - end),
  }
}

/**
 * Moves `position` through a Y.Text change made by someone else. The caret sticks to the
 * character on its left: text a peer inserts exactly at your caret goes after it, so two people
 * typing at the same spot each keep their own words together.
 */
function mapPosition(position: number, delta: Y.YTextEvent['delta']): number {
  /** Where in the text before the change the ops have got to. */
  let at = 0
  let moved = position
  for (const op of delta) {
    if (at >= position) break
    if (op.retain !== undefined) at += op.retain
    else if (typeof op.insert === 'string') moved += op.insert.length
    else if (op.delete !== undefined) {
      moved -= Math.min(op.delete, position - at)
      at += op.delete
    }
  }
  return Math.max(0, moved)
}

/**
 * A collaborative text document for a `<textarea>` (or your own editor): opens the document
 * while mounted (reference-counted), inside `<WebSocketProvider realtime={realtime}>` whose
 * instance has `createCollab()` in its plugins, or with an explicit `websocket` binding.
 *
 * @example
 * const { bind, status, peers, undo, redo } = useCollaborativeText('doc-1')
 * return <textarea ref={bind} aria-label="Document" />
 */
export function useCollaborativeText(
  docId: string,
  websocket?: RealtimeBinding,
): CollaborativeText {
  const provided = useContext(WebSocketContext)
  const binding = websocket ?? provided
  if (!binding) {
    throw new Error(
      'useCollaborativeText: use it inside <WebSocketProvider realtime={realtime}> or pass the websocket binding ({ store, realtime })',
    )
  }
  const store: Store = binding.store
  const realtime = collabOf(binding)
  const { actions, selectors, documents } = realtime

  useEffect(() => {
    store.dispatch(actions.openDocument(docId))
    return () => {
      store.dispatch(actions.closeDocument(docId))
    }
  }, [store, actions, docId])

  const subscribe = useCallback((listener: () => void) => store.subscribe(listener), [store])
  const getDoc = useCallback(
    () => selectors.selectDocument(store.getState(), docId),
    [store, selectors, docId],
  )
  const doc = useSyncExternalStore(subscribe, getDoc, getDoc)

  const bound = useRef<(() => void) | null>(null)
  const bind = useCallback(
    (textarea: HTMLTextAreaElement | null) => {
      bound.current?.()
      bound.current = null
      if (!textarea) return
      let ydoc: Y.Doc | undefined
      let ytext: Y.Text | undefined
      let observer: ((event: Y.YTextEvent, tx: Y.Transaction) => void) | undefined
      const attach = () => {
        const live = documents.get(docId)
        if (!live || live === ydoc) return
        ytext?.unobserve(observer as never)
        ydoc = live
        ytext = live.getText('content')
        textarea.value = ytext.toJSON()
        observer = (event, tx) => {
          if (tx.origin === LOCAL_ORIGIN || !ytext) return
          const { selectionStart, selectionEnd } = textarea
          textarea.value = ytext.toJSON()
          textarea.setSelectionRange(
            mapPosition(selectionStart, event.delta),
            mapPosition(selectionEnd, event.delta),
          )
        }
        ytext.observe(observer)
      }
      attach()
      // The doc opens in an effect, after the ref is set: attach once it exists.
      const unsubscribe = store.subscribe(attach)
      const onInput = () => {
        attach()
        if (!ytext) return
        const change = splice(ytext.toJSON(), textarea.value)
        if (change.deleteCount === 0 && change.insert === '') return
        store.dispatch(actions.editText({ docId, ...change }))
        // A viewer's edit is refused: show the document as it is.
        if (ytext.toJSON() !== textarea.value) textarea.value = ytext.toJSON()
      }
      const onSelect = () => {
        if (!documents.get(docId)) return
        store.dispatch(
          actions.setCursor({
            docId,
            anchor: textarea.selectionStart,
            head: textarea.selectionEnd,
          }),
        )
      }
      textarea.addEventListener('input', onInput)
      textarea.addEventListener('select', onSelect)
      textarea.addEventListener('keyup', onSelect)
      textarea.addEventListener('mouseup', onSelect)
      bound.current = () => {
        unsubscribe()
        ytext?.unobserve(observer as never)
        textarea.removeEventListener('input', onInput)
        textarea.removeEventListener('select', onSelect)
        textarea.removeEventListener('keyup', onSelect)
        textarea.removeEventListener('mouseup', onSelect)
      }
    },
    [store, actions, documents, docId],
  )
  useEffect(
    () => () => {
      bound.current?.()
      bound.current = null
    },
    [],
  )

  const undo = useCallback(() => {
    if (documents.get(docId)) store.dispatch(actions.undo(docId))
  }, [store, actions, documents, docId])
  const redo = useCallback(() => {
    if (documents.get(docId)) store.dispatch(actions.redo(docId))
  }, [store, actions, documents, docId])

  return useMemo(
    () => ({
      text: doc ? doc.text : '',
      status: doc?.status ?? 'closed',
      peers: doc?.peers ?? NO_PEERS,
      unsyncedChanges: doc?.unsyncedChanges ?? 0,
      bind,
      undo,
      redo,
    }),
    [doc, bind, undo, redo],
  )
}
