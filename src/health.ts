import type { PerformanceMetrics } from '../slices/types'

/**
 * A 0–100 score of connection health:
 * `100 − latency penalty (0 at ≤ 100 ms, rising linearly to 40 at ≥ 1000 ms)
 *  − error penalty (30 × errors per message, at most 30)
 *  − reconnection penalty (10 per reconnection, at most 30)`, rounded and clamped.
 *
 * @example
 * calculateHealthScore(store.getState().realtime.connection.metrics) // 100 on a quiet, fast link
 */
export function calculateHealthScore(metrics: PerformanceMetrics): number {
  const latency = Math.max(0, metrics.averageLatency)
  const latencyPenalty = Math.min(40, Math.max(0, ((latency - 100) / 900) * 40))
  const traffic = Math.max(1, metrics.messagesReceived + metrics.messagesSent)
  const errorPenalty = Math.min(30, (metrics.errorCount / traffic) * 30)
  const reconnectPenalty = Math.min(30, metrics.reconnectionCount * 10)
  const score = 100 - latencyPenalty - errorPenalty - reconnectPenalty
  return Math.max(0, Math.min(100, Math.round(score)))
}
