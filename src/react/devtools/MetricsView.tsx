import { useCallback } from 'react'
import type { Store } from '@reduxjs/toolkit'
import type { Realtime } from '../core'
import { useStoreSelector } from '../useStoreSelector'
import { styles } from './styles'

/** The seed's performance metrics, plus the outbox and the joined rooms. */
export function MetricsView({ store, realtime }: { store: Store; realtime: Realtime }) {
  const { selectors } = realtime
  const metrics = useStoreSelector(store, selectors.selectPerformanceMetrics)
  const pending = useStoreSelector(
    store,
    useCallback((root: unknown) => selectors.selectPendingMessages(root).length, [selectors]),
  )
  const rooms = useStoreSelector(store, selectors.selectRooms)
  const rows: Array<[string, string | number]> = [
    ['received', metrics.messagesReceived],
    ['sent (acked)', metrics.messagesSent],
    ['avg latency', `${Math.round(metrics.averageLatency)} ms`],
    ['errors', metrics.errorCount],
    ['reconnections', metrics.reconnectionCount],
    ['outbox', pending],
    ['rooms', rooms.length > 0 ? rooms.join(', ') : '—'],
  ]
  return (
    <section style={styles.section}>
      <div style={styles.sectionTitle}>Metrics</div>
      <div data-testid="devtools-metrics" style={styles.grid}>
        {rows.map(([label, value]) => (
          <Row key={label} label={label} value={value} />
        ))}
      </div>
    </section>
  )
}

function Row({ label, value }: { label: string; value: string | number }) {
  return (
    <>
      <span style={styles.label}>{label}</span>
      <span>{value}</span>
    </>
  )
}
