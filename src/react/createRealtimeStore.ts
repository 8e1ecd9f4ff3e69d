import { configureStore, type Store } from '@reduxjs/toolkit'
import { createRealtime, type Realtime, type RealtimeConfig } from './core'

/** A store of its own for a config: the realtime reducer at its `reducerPath`, RTK's default checks. */
export function createRealtimeStore(config: RealtimeConfig): { store: Store; realtime: Realtime } {
  const realtime = createRealtime(config)
  const store = configureStore({
    reducer: { [realtime.reducerPath]: realtime.reducer },
    middleware: (getDefault) => getDefault().concat(realtime.middleware),
  })
  return { store, realtime }
}
