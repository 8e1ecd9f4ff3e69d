import { lazy, Suspense } from 'react'
import type { RealtimeDevToolsProps } from './devtools/RealtimeDevTools'

// The panel is its own chunk: apps that never render it never load or evaluate it.
const Panel = lazy(() => import('./devtools/RealtimeDevTools'))

/**
 * A compact, collapsible dev panel: connection state, latency, uptime and health score;
 * frames in and out (last 200, filterable, shown as text); metrics; connect / disconnect /
 * reconnect buttons; and a test-message sender. Loaded on first render.
 * `<WebSocketProvider enableDevMode>` renders it for you.
 *
 * @example
 * <WebSocketProvider config={config}>
 *   <App />
 *   {import.meta.env.DEV && <RealtimeDevTools defaultOpen={false} />}
 * </WebSocketProvider>
 */
export function RealtimeDevTools(props: RealtimeDevToolsProps) {
  return (
    // No fallback: nothing shows while the chunk loads (React 18 and 19).
    <Suspense>
      <Panel {...props} />
    </Suspense>
  )
}

export type { RealtimeDevToolsProps }
