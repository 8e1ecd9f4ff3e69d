import { useCallback, useMemo, useSyncExternalStore } from 'react'
import type { Store } from '@reduxjs/toolkit'

/**
 * `useSelector` for an explicit store: what react-redux's hook does (useSyncExternalStore, the
 * last result kept while `isEqual` says nothing changed), without needing a react-redux
 * context, so the hooks also work with a handle from `useWebSocket(config)` outside any
 * provider. `selector` must be stable (memoize it) for the cache to hold across renders.
 */
export function useStoreSelector<T>(
  store: Store,
  selector: (root: unknown) => T,
  isEqual: (a: T, b: T) => boolean = Object.is,
): T {
  const getSnapshot = useMemo(() => {
    let cached: { root: unknown; value: T } | undefined
    return (): T => {
      const root: unknown = store.getState()
      if (cached && cached.root === root) return cached.value
      const value = selector(root)
      cached = { root, value: cached && isEqual(cached.value, value) ? cached.value : value }
      return cached.value
    }
  }, [store, selector, isEqual])
  const subscribe = useCallback((listener: () => void) => store.subscribe(listener), [store])
  return useSyncExternalStore(subscribe, getSnapshot, getSnapshot)
}

/** True when two arrays hold the same items in the same order. */
export function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  return a === b || (a.length === b.length && a.every((item, i) => Object.is(item, b[i])))
}

/**
 * A selector that runs `derive` only when `input` returns something new; unlike
 * `createSelector`, `derive` may hand its input back unchanged (no dev-mode identity warning).
 */
export function deriveFrom<I, O>(
  input: (root: unknown) => I,
  derive: (value: I) => O,
): (root: unknown) => O {
  let last: { value: I; result: O } | undefined
  return (root) => {
    const value = input(root)
    if (!last || !Object.is(last.value, value)) last = { value, result: derive(value) }
    return last.result
  }
}
