import { cached, type Keyed } from './cached'

/** One key's holders; `last` is what the last one's release runs. */
export interface Hold {
  count: number
  release?: ReturnType<typeof setTimeout>
  last?: (() => void) | undefined
}

/** A `Map` or a `WeakMap` of holds. */
interface Holds<K> extends Keyed<K, Hold> {
  delete(key: K): unknown
}

/**
 * Reference counting with a deferred release, for the connection and the rooms hooks keep: the
 * first holder of `key` runs `first`, which returns what the last holder's release runs (or
 * nothing); that release runs on a zero-delay timer that a new holder cancels, so React
 * StrictMode's mount → unmount → mount acquires once. Returns the release (safe to call twice).
 */
export function retain<K>(
  holds: Holds<K>,
  key: K,
  first: () => (() => void) | undefined,
): () => void {
  const held = cached(holds, key, (): Hold => ({ count: 0 }))
  // A pending release means the key is still held: this holder takes it over.
  if (held.release === undefined && held.count === 0) held.last = first()
  clearTimeout(held.release)
  held.release = undefined
  held.count += 1
  let released = false
  return () => {
    if (released) return
    released = true
    held.count -= 1
    if (held.count > 0) return
    // A new holder clears this timer, so it runs only with no holder left.
    held.release = setTimeout(() => {
      holds.delete(key)
      held.last?.()
    }, 0)
  }
}
