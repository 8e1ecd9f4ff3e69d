import { useCallback, useEffect, useState } from 'react'
import type { Store } from '@reduxjs/toolkit'
import type { Realtime } from '../core'
import type { WebSocketCommands } from '../commands'
import { useStoreSelector } from '../useStoreSelector'
import { styles } from './styles'

function formatDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000)
  const h = Math.floor(seconds / 3600)
  const m = Math.floor((seconds % 3600) / 60)
  const s = seconds % 60
  return h > 0 ? `${h}h ${m}m ${s}s` : m > 0 ? `${m}m ${s}s` : `${s}s`
}

/** Re-renders every second while `on`, for the uptime clock. */
function useTicker(on: boolean): number {
  const [now, setNow] = useState(Date.now)
  useEffect(() => {
    if (!on) return undefined
    const timer = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(timer)
  }, [on])
  return now
}

interface Props {
  store: Store
  realtime: Realtime
  commands: WebSocketCommands
}

/** Connection state, latency, uptime, health score, the last error and the manual controls. */
export function ConnectionMonitor({ store, realtime, commands }: Props) {
  const { selectors } = realtime
  const info = useStoreSelector(store, selectors.selectConnectionInfo)
  const health = useStoreSelector(store, selectors.selectHealthScore)
  const lastError = useStoreSelector(
    store,
    useCallback((root: unknown) => selectors.selectLastError(root), [selectors]),
  )
  const now = useTicker(info.connectedAt !== undefined)
  const uptime = info.connectedAt !== undefined ? Math.max(0, now - info.connectedAt) : undefined

  return (
    <section style={styles.section}>
      <div style={styles.sectionTitle}>Connection</div>
      <div style={styles.grid}>
        <span style={styles.label}>server</span>
        <span data-testid="devtools-url">{info.url ?? '—'}</span>
        <span style={styles.label}>user</span>
        <span data-testid="devtools-user">{info.userId ?? '—'}</span>
        <span style={styles.label}>latency</span>
        <span data-testid="devtools-latency">
          {info.latency !== undefined ? `${Math.round(info.latency)} ms` : '—'}
        </span>
        <span style={styles.label}>uptime</span>
        <span data-testid="devtools-uptime">
          {uptime !== undefined ? formatDuration(uptime) : '—'}
        </span>
        <span style={styles.label}>health</span>
        <span data-testid="devtools-health">{health}/100</span>
        <span style={styles.label}>attempts</span>
        <span>{info.reconnectAttempts}</span>
        <span style={styles.label}>last error</span>
        <span data-testid="devtools-last-error" style={lastError ? styles.error : undefined}>
          {lastError ? `${lastError.code}: ${lastError.message}` : '—'}
        </span>
      </div>
      <div style={styles.row}>
        {(['connect', 'disconnect', 'reconnect'] as const).map((command) => (
          <button
            key={command}
            type="button"
            data-testid={`devtools-${command}`}
            style={styles.button}
            onClick={commands[command]}
          >
            {command[0]?.toUpperCase() + command.slice(1)}
          </button>
        ))}
      </div>
    </section>
  )
}
