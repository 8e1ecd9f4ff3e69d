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
  return keys.length === Object.keys(b).length && keys.every((key) => same(a[key], b[key]))
}

/** One value of a config: the same one, or arrays of the same items. */
const same = (x: unknown, y: unknown): boolean =>
  Object.is(x, y) ||
  (Array.isArray(x) &&
    Array.isArray(y) &&
    x.length === y.length &&
    x.every((item, i) => Object.is(item, y[i])))
