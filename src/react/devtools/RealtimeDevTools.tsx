import { useState } from 'react'
import { WebSocketContext, type WebSocketReactContext } from '../context'
import { useHandle, type RealtimeBinding } from '../handle'
import { useBinding } from '../useBinding'
import { ConnectionMonitor } from './ConnectionMonitor'
import { FrameInspector } from './FrameInspector'
import { MetricsView } from './MetricsView'
import { stateColor, styles } from './styles'
import { TestSender } from './TestSender'
import { useFrameLog } from './useFrameLog'

export interface RealtimeDevToolsProps {
  /** The connection to inspect; the nearest `<WebSocketProvider>`'s by default. */
  websocket?: RealtimeBinding
  /** The provider context to read when no `websocket` is given. */
  context?: WebSocketReactContext
  /** Start expanded (default true). */
  defaultOpen?: boolean
  /** Frames kept in the inspector (default 200). */
  maxFrames?: number
}

/** The dev panel itself; import `RealtimeDevTools` (which loads this on demand) instead. */
export default function RealtimeDevToolsPanel({
  websocket,
  context = WebSocketContext,
  defaultOpen = true,
  maxFrames = 200,
}: RealtimeDevToolsProps) {
  const { store, realtime } = useBinding(context, websocket, 'RealtimeDevTools')
  const handle = useHandle(store, realtime)
  const [open, setOpen] = useState(defaultOpen)
  // Logged at the panel, so frames keep being collected while it is collapsed.
  const [frames, clearFrames] = useFrameLog(realtime, maxFrames)

  return (
    <aside data-testid="devtools-panel" aria-label="redux-realtime dev tools" style={styles.panel}>
      <header style={styles.header}>
        <span style={styles.title}>redux-realtime</span>
        <span
          data-testid="devtools-state"
          data-state={handle.connectionState}
          style={{ color: stateColor(handle.connectionState) }}
        >
          {handle.connectionState}
        </span>
        <button
          type="button"
          data-testid="devtools-toggle"
          aria-expanded={open}
          style={styles.button}
          onClick={() => setOpen((o) => !o)}
        >
          {open ? '−' : '+'}
        </button>
      </header>
      {open ? (
        <div data-testid="devtools-body" style={styles.body}>
          <ConnectionMonitor store={store} realtime={realtime} commands={handle} />
          <MetricsView store={store} realtime={realtime} />
          <FrameInspector frames={frames} onClear={clearFrames} />
          <TestSender commands={handle} />
        </div>
      ) : null}
    </aside>
  )
}
