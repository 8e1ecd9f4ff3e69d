import { useCollaborativeText, type DocumentPeer } from 'redux-realtime-kit/collab'
import { useWebSocketContext } from 'redux-realtime-kit/react'
import { Avatar } from '../Avatar'

/** The document everyone in the demo edits together. */
export const SHARED_DOC = 'welcome-notes'

const STATUS_LABELS = {
  connecting: 'Connecting…',
  syncing: 'Syncing…',
  synced: 'In sync',
  offline: 'Offline — your edits are kept',
  closed: 'Closed',
} as const

function where(peer: DocumentPeer, text: string | null): string {
  if (!peer.cursor) return 'here'
  const { anchor, head } = peer.cursor
  if (anchor === head) {
    const line = (text ?? '').slice(0, head).split('\n').length
    return `line ${line}`
  }
  return `selecting ${Math.abs(head - anchor)} characters`
}

/**
 * A shared text document on Yjs (`redux-realtime-kit/collab`): type in two windows at once.
 * Peers (their colour and where their cursor is), sync status with an offline indicator,
 * changes not yet acknowledged, undo/redo of your own edits. Edits made offline are kept in
 * IndexedDB and merge when the connection is back.
 */
export function CollaborativeEditorExample() {
  const { userId: me = '' } = useWebSocketContext()
  const { text, status, peers, unsyncedChanges, bind, undo, redo } =
    useCollaborativeText(SHARED_DOC)
  return (
    <section className="panel editor" data-testid="editor" aria-labelledby="editor-title">
      <div className="panel-head">
        <h2 id="editor-title">Shared notes</h2>
        <span
          className={`pill doc-${status}`}
          data-testid="editor-status"
          data-status={status}
          role="status"
        >
          {STATUS_LABELS[status]}
        </span>
        {unsyncedChanges > 0 ? (
          <span className="muted small" data-testid="editor-unsynced">
            {unsyncedChanges} change{unsyncedChanges === 1 ? '' : 's'} not yet saved
          </span>
        ) : null}
        <span className="actions">
          <button type="button" onClick={undo} data-testid="editor-undo">
            Undo
          </button>
          <button type="button" onClick={redo} data-testid="editor-redo">
            Redo
          </button>
        </span>
      </div>
      <div className="panel-body">
        <textarea
          ref={bind}
          className="editor-text"
          aria-label="Shared notes"
          data-testid="editor-text"
          rows={8}
          spellCheck={false}
          placeholder="Type here; open a second window as another user to see it live."
        />
        <ul className="editor-peers" aria-label="Also editing" data-testid="editor-peers">
          {peers.length === 0 ? <li className="muted small">Nobody else is here.</li> : null}
          {peers.map((peer, index) => (
            <li
              key={`${peer.userId}-${index}`}
              data-testid={`editor-peer-${peer.userId}`}
              style={peer.color ? { borderColor: peer.color } : undefined}
            >
              <Avatar userId={peer.userId} />
              <span className="small">
                {peer.userId === me ? 'you, in another window' : (peer.name ?? peer.userId)} —{' '}
                {where(peer, text)}
              </span>
            </li>
          ))}
        </ul>
      </div>
    </section>
  )
}
