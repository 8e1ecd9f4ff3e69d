import {
  useCallback,
  useEffect,
  useLayoutEffect,
  useRef,
  useState,
  type KeyboardEvent,
} from 'react'
import { useSelector } from 'react-redux'
import { useWebSocketContext } from 'redux-realtime-kit/react'
import { useCollaborativeText, type DocumentPeer } from 'redux-realtime-kit/collab'
import type { AppRealtime, AppState } from '../board/boardStore'
import { caretBox, lineAndColumn, type CaretBox } from './caret'

/** The one shared document of the demo: everyone signed in edits it. */
export const DOC_ID = 'notes'

const STATUS_LABELS = {
  closed: 'Opening…',
  connecting: 'Connecting…',
  syncing: 'Syncing…',
  synced: 'Synced',
  offline: 'Offline',
} as const
/** The header's pill colours: green in sync, amber on the way, red offline. */
const STATUS_PILL = {
  closed: 'state-connecting',
  connecting: 'state-connecting',
  syncing: 'state-connecting',
  synced: 'state-open',
  offline: 'state-closed',
} as const

interface CollaborativeEditorExampleProps {
  realtime: AppRealtime
}

interface Caret {
  key: string
  peer: DocumentPeer
  box: CaretBox
}

const peerName = (peer: DocumentPeer) => peer.name ?? peer.userId
const peerColor = (peer: DocumentPeer) => peer.color ?? '#5b6274'

function describeCursor(peer: DocumentPeer, text: string | null): string {
  if (!peer.cursor) return 'not in the text'
  const { anchor, head } = peer.cursor
  const selected = Math.abs(head - anchor)
  let where = `at ${head}`
  if (text !== null) {
    const { line, column } = lineAndColumn(text, head)
    where = `line ${line}, column ${column}`
  }
  return selected > 0 ? `${where}, ${selected} selected` : where
}

/**
 * A shared document on Yjs (the collab plugin, on the app's one connection): a textarea bound
 * with `useCollaborativeText`, everyone else's caret drawn over the text in their colour and
 * listed with where it is, the sync status, local changes not yet acknowledged, undo/redo of
 * your own changes only, and what happens offline (you keep typing; it merges when back).
 */
export function CollaborativeEditorExample({ realtime }: CollaborativeEditorExampleProps) {
  const { text, status, peers, unsyncedChanges, bind, undo, redo } = useCollaborativeText(DOC_ID)
  const { userId: me = '' } = useWebSocketContext()
  const doc = useSelector((state: AppState) => realtime.selectors.selectDocument(state, DOC_ID))
  const viewOnly = doc?.access === 'view'
  const area = useRef<HTMLTextAreaElement | null>(null)
  const mirror = useRef<HTMLDivElement>(null)
  const [carets, setCarets] = useState<Caret[]>([])
  // Bumped by scrolling and resizing: the carets are measured again.
  const [layout, setLayout] = useState(0)
  const relayout = useCallback(() => setLayout((n) => n + 1), [])

  const ref = useCallback(
    (textarea: HTMLTextAreaElement | null) => {
      area.current = textarea
      bind(textarea)
    },
    [bind],
  )

  useEffect(() => {
    const textarea = area.current
    if (!textarea || typeof ResizeObserver === 'undefined') return
    const observer = new ResizeObserver(relayout)
    observer.observe(textarea)
    return () => observer.disconnect()
  }, [relayout])

  // Peers' carets over the text: measured after the textarea shows the latest text.
  useLayoutEffect(() => {
    const textarea = area.current
    const measure = mirror.current
    if (!textarea || !measure) return
    const next: Caret[] = []
    peers.forEach((peer, i) => {
      if (!peer.cursor) return
      const box = caretBox(textarea, measure, peer.cursor.head)
      if (box) next.push({ key: `${peer.userId}-${i}`, peer, box })
    })
    setCarets(next)
  }, [peers, text, layout])

  // Undo and redo are the document's (your changes only), not the textarea's own.
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (!(event.ctrlKey || event.metaKey)) return
    const key = event.key.toLowerCase()
    const isUndo = key === 'z' && !event.shiftKey
    const isRedo = (key === 'z' && event.shiftKey) || key === 'y'
    if (!isUndo && !isRedo) return
    event.preventDefault()
    // A viewer has nothing to undo: the buttons are disabled, and so are the keys.
    if (viewOnly) return
    if (isUndo) undo()
    else redo()
  }

  const unsynced =
    unsyncedChanges === 0
      ? viewOnly
        ? 'View only'
        : status === 'synced'
          ? 'All changes saved'
          : 'No local changes'
      : `${unsyncedChanges} unsynced ${unsyncedChanges === 1 ? 'change' : 'changes'}`

  return (
    <section
      className="panel collab"
      data-testid="collab"
      data-status={status}
      aria-labelledby="collab-title"
    >
      <div className="panel-head">
        <h2 id="collab-title">Shared document</h2>
        <span
          className={`pill ${STATUS_PILL[status]}`}
          data-testid="collab-status"
          data-status={status}
        >
          {STATUS_LABELS[status]}
        </span>
        <span className="muted small" data-testid="collab-unsynced" data-count={unsyncedChanges}>
          {unsynced}
        </span>
        <div className="actions">
          <button type="button" onClick={undo} disabled={viewOnly} data-testid="collab-undo">
            Undo
          </button>
          <button type="button" onClick={redo} disabled={viewOnly} data-testid="collab-redo">
            Redo
          </button>
        </div>
      </div>
      <div className="panel-body collab-body">
        <div className="collab-editor">
          <label htmlFor="collab-text" className="small muted">
            Notes, edited together by everyone signed in{viewOnly ? ' (you may only view)' : ''}
          </label>
          <div className="collab-surface">
            <textarea
              id="collab-text"
              ref={ref}
              className="collab-text"
              data-testid="collab-text"
              rows={8}
              spellCheck={false}
              readOnly={viewOnly}
              onKeyDown={onKeyDown}
              onScroll={relayout}
            />
            <div className="collab-mirror" ref={mirror} aria-hidden="true" />
            {carets.map(({ key, peer, box }) => (
              <span
                key={key}
                className="collab-caret"
                data-testid={`collab-caret-${peer.userId}`}
                style={{
                  top: box.top,
                  left: box.left,
                  height: box.height,
                  background: peerColor(peer),
                }}
                aria-hidden="true"
              >
                {/* Keyed by where the caret is: the name shows again (then fades) each time it moves. */}
                <span
                  key={box.top * 100_000 + box.left}
                  className="collab-caret-label"
                  style={{ borderColor: peerColor(peer) }}
                >
                  {peerName(peer)}
                </span>
              </span>
            ))}
          </div>
          <div className="collab-hint small" role="status" data-testid="collab-hint">
            {status === 'offline' ? (
              <span data-testid="collab-offline">
                Offline: keep typing, your changes are kept and merge when the connection is back.
              </span>
            ) : null}
            {viewOnly ? (
              <span className="collab-view-only" data-testid="collab-view-only">
                View only: the server lets you read this document but not change it, so the text
                cannot be edited here and undo/redo are off. Sign in as alice, bob or eve to edit.
              </span>
            ) : doc?.lastError && doc.lastError.code === 'FORBIDDEN' ? (
              <span>{doc.lastError.message}</span>
            ) : null}
          </div>
        </div>
        <div className="collab-peers">
          <h3 id="collab-peers-title">Also editing</h3>
          {peers.length === 0 ? (
            <p className="muted small" data-testid="collab-no-peers">
              {status === 'synced'
                ? 'Nobody else yet: sign in as another user in a second window.'
                : 'Shown once the document is in sync.'}
            </p>
          ) : (
            <ul aria-labelledby="collab-peers-title" data-testid="collab-peers">
              {peers.map((peer, i) => (
                <li
                  key={`${peer.userId}-${i}`}
                  data-testid={`collab-peer-${peer.userId}`}
                  data-anchor={peer.cursor?.anchor}
                  data-head={peer.cursor?.head}
                >
                  <span
                    className="collab-chip"
                    style={{ background: peerColor(peer) }}
                    aria-hidden="true"
                  />
                  <strong>{peerName(peer)}</strong>
                  {peer.userId === me ? (
                    <span className="muted small"> (you, elsewhere)</span>
                  ) : null}
                  <span className="muted small collab-where">{describeCursor(peer, text)}</span>
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
    </section>
  )
}
