import { configureStore, type Store } from '@reduxjs/toolkit'
import { configFromEnv, createDefaultConfig, createRealtime, type Realtime } from './core'
import type { RealtimeConfig } from './core'

/** A store of its own for a config: the realtime reducer at its `reducerPath`, RTK's default checks. */
export function createRealtimeStore(config: RealtimeConfig): { store: Store; realtime: Realtime } {
  const realtime = createRealtime(config)
  const store = configureStore({
    reducer: { [realtime.reducerPath]: realtime.reducer },
    middleware: (getDefault) => getDefault().concat(realtime.middleware),
  })
  return { store, realtime }
}

/**
 * The seed's defaults with the `REACT_APP_WS_*` / `VITE_WS_*` settings of `process.env`, when
 * there is a `process` (Create React App, Node, tests); otherwise just the defaults. Vite apps
 * pass `config={createDefaultConfig(configFromEnv(import.meta.env))}` instead.
 */
export function configFromProcessEnv(): RealtimeConfig {
  const env =
    typeof process !== 'undefined' && typeof process.env === 'object' && process.env !== null
      ? configFromEnv(process.env)
      : {}
  return createDefaultConfig(env)
}
