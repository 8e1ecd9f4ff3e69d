import { selectPendingCount, type WebSocketState } from 'redux-realtime-kit'
import { useRealtimeSelector, useWebSocketContext } from 'redux-realtime-kit/react'
import { Avatar } from './Avatar'
import type { AppRealtime } from './examples/board/boardStore'
import { BoardExample } from './examples/board/BoardExample'
import { ChatExample } from './examples/ChatExample'
import { CollaborativeEditorExample } from './examples/collab/CollaborativeEditorExample'
import { EventsExample } from './examples/EventsExample'
import { NotificationsExample } from './examples/NotificationsExample'
import { PresenceExample } from './examples/PresenceExample'

const STATE_LABELS: Record<WebSocketState, string> = {
  idle: 'Idle',
  connecting: 'Connecting…',
  authenticating: 'Signing in…',
  open: 'Connected',
  reconnecting: 'Reconnecting…',
  closed: 'Disconnected',
}

function ConnectionBadge() {
  const { websocket } = useWebSocketContext()
  const state = websocket.connectionState
  const waiting = useRealtimeSelector(selectPendingCount)
  return (
    <>
      {waiting > 0 ? (
        <span className="muted small" data-testid="pending-count">
          {waiting} waiting to send
        </span>
      ) : null}
      <span className={`pill state-${state}`} data-testid="connection-state" data-state={state}>
        {STATE_LABELS[state]}
      </span>
    </>
  )
}

interface DashboardProps {
  onSignOut: () => void
  realtime: AppRealtime
}

/** The signed-in page: a header, the four examples in a grid, the shared board and document. */
export function Dashboard({ onSignOut, realtime }: DashboardProps) {
  const { userId = '' } = useWebSocketContext()
  return (
    <div className="app">
      <header className="header">
        <h1 className="brand">
          redux-realtime <span>demo</span>
        </h1>
        <span className="spacer" />
        <ConnectionBadge />
        <div className="me" data-testid="current-user">
          <Avatar userId={userId} />
          <strong>{userId}</strong>
        </div>
        <button type="button" onClick={onSignOut} data-testid="sign-out">
          Switch user
        </button>
      </header>
      <main className="grid">
        <ChatExample />
        <div className="side">
          <PresenceExample />
          <NotificationsExample />
          <EventsExample />
        </div>
        <BoardExample realtime={realtime} />
        <CollaborativeEditorExample realtime={realtime} />
      </main>
    </div>
  )
}
