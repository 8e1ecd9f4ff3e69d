import { useCallback, useMemo, useSyncExternalStore } from 'react'
import type { Store } from '@reduxjs/toolkit'

/**
 * `useSelector` for an explicit store: what react-redux's hook does (useSyncExternalStore, the
 * last result kept while the state is the same), without needing a react-redux
 * context, so the hooks also work with a handle from `useWebSocket(config)` outside any
 * provider. `selector` must be stable (memoize it) for the cache to hold across renders.
 */
export function useStoreSelector<T>(store: Store, selector: (root: unknown) => T): T {
  // A new selector subscribes anew (a room or an option changed, not the state).
  const [subscribe, getSnapshot] = useMemo(() => {
    let cached: { root: unknown; value: T } | undefined
    return [
      (listener: () => void) => store.subscribe(listener),
      (): T => {
        const root: unknown = store.getState()
        if (!cached || cached.root !== root) cached = { root, value: selector(root) }
        return cached.value
      },
    ] as const
  }, [store, selector])
  return useSyncExternalStore(subscribe, getSnapshot, getSnapshot)
}

/** `useStoreSelector` of `select(root, arg)`: a room's unread count, the events after `now`. */
export function useSelectorOf<A, T>(store: Store, select: (root: unknown, arg: A) => T, arg: A): T {
  return useStoreSelector(
    store,
    useCallback((root: unknown) => select(root, arg), [select, arg]),
  )
}
