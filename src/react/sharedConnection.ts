import type { Store } from '@reduxjs/toolkit'
import type { Realtime, RealtimeConfig } from './core'
import { cached } from './cached'
import { createRealtimeStore } from './createRealtimeStore'

/** Config object → the one store (and socket) every `useWebSocket(config)` with it shares. */
const shared = new WeakMap<RealtimeConfig, { store: Store; realtime: Realtime }>()

/**
 * The store for a config object outside any provider, created on first use. Keyed by the
 * object itself: components that should share a connection pass the same config object
 * (define it at module level). It lives as long as the config object does.
 */
export function sharedConnection(config: RealtimeConfig): { store: Store; realtime: Realtime } {
  return cached(shared, config, () => createRealtimeStore(config))
}

/**
 * Same keys with the same values (one level deep): an inline config literal that did not change.
 * `useWebSocket` asks only about two different objects.
 */
export function sameConfig(a: RealtimeConfig, b: RealtimeConfig): boolean {
  const keys = Object.keys(a) as Array<keyof RealtimeConfig>
  if (keys.length !== Object.keys(b).length) return false
  return keys.every((key) => {
    const x = a[key]
    const y = b[key]
    if (Array.isArray(x) && Array.isArray(y)) {
      return x.length === y.length && x.every((item, i) => Object.is(item, y[i]))
    }
    return Object.is(x, y)
  })
}
