import { useCallback, useRef, useState } from 'react'
import { WebSocketContext, type WebSocketReactContext } from '../context'
import { useHandle, type RealtimeBinding } from '../handle'
import { useBinding } from '../useBinding'
import { ConnectionMonitor } from './ConnectionMonitor'
import { FrameInspector } from './FrameInspector'
import { MetricsView } from './MetricsView'
import { panelStyle, stateColor, styles } from './styles'
import { TestSender } from './TestSender'
import { useFrameLog } from './useFrameLog'
import { isNarrow, useKeepClear } from './useKeepClear'

export interface RealtimeDevToolsProps {
  /** The connection to inspect; the nearest `<WebSocketProvider>`'s by default. */
  websocket?: RealtimeBinding
  /** The provider context to read when no `websocket` is given. */
  context?: WebSocketReactContext
  /** Start expanded. Default: expanded, except on screens narrower than 640 px. */
  defaultOpen?: boolean
  /** Frames kept in the inspector (default 200). */
  maxFrames?: number
}

/**
 * The dev panel itself; import `RealtimeDevTools` (which loads this on demand) instead.
 * Collapsed, it is a small state badge and button in a corner where it covers none of the
 * app's fields; open, it keeps clear of the field being typed in, or collapses (`useKeepClear`).
 */
export default function RealtimeDevToolsPanel({
  websocket,
  context = WebSocketContext,
  defaultOpen,
  maxFrames = 200,
}: RealtimeDevToolsProps) {
  const { store, realtime } = useBinding(context, websocket, 'RealtimeDevTools')
  const handle = useHandle(store, realtime)
  const [narrow] = useState(isNarrow)
  const [open, setOpen] = useState(defaultOpen ?? !narrow)
  // Logged at the panel, so frames keep being collected while it is collapsed.
  const [frames, clearFrames] = useFrameLog(realtime, maxFrames)
  const panel = useRef<HTMLElement>(null)
  const corner = useKeepClear(
    panel,
    open,
    useCallback(() => setOpen(false), []),
  )

  return (
    <aside
      ref={panel}
      data-testid="devtools-panel"
      data-corner={corner}
      aria-label="redux-realtime dev tools"
      style={panelStyle({ open, narrow, corner })}
    >
      <header style={open ? styles.header : styles.collapsedHeader}>
        {open ? <span style={styles.title}>redux-realtime</span> : null}
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
          aria-label={open ? 'Collapse the dev tools' : 'Expand the dev tools'}
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
