/** One realtime middleware per `reducerPath` in a store, its reducer mounted: the dev check. */
import { devText } from '../src/dev'

/** The reducer paths of the realtime middlewares built for each store (keyed by its API). */
const instancesByStore = new WeakMap<object, Set<string>>()

/** RTK Query's dev check, always on: one instance per `reducerPath`, its reducer mounted. */
export function registerInstance(api: object, getState: () => unknown, reducerPath: string): void {
  const paths = instancesByStore.get(api) ?? new Set<string>()
  instancesByStore.set(api, paths)
  if (paths.has(reducerPath)) {
    throw new Error(
      `redux-realtime: two realtime middlewares with reducerPath "${reducerPath}" in one store${devText(() => (process.env.NODE_ENV !== 'production' ? ". Add each middleware once, and give every createRealtime() in a store its own reducerPath (createRealtime({ reducerPath: 'chatSocket', … })); they would answer each other's actions." : ''))}`,
    )
  }
  paths.add(reducerPath)
  const state = getState()
  if (typeof state === 'object' && state !== null && !Object.hasOwn(state, reducerPath)) {
    throw new Error(
      `redux-realtime: no reducer at state.${reducerPath}${devText(() => (process.env.NODE_ENV !== 'production' ? '. Mount it next to the middleware: configureStore({ reducer: { [realtime.reducerPath]: realtime.reducer, … } }).' : ''))}`,
    )
  }
}
