/**
 * Freezes what a reducer produced that is not frozen yet, as Immer does for RTK's slices.
 * Unchanged subtrees keep their identity and were frozen when they were new, so the walk stops
 * at them: the cost is the new objects and their direct children, once.
 *
 * Why: RTK's dev checks (immutability and serializability) skip frozen subtrees, so with the
 * state frozen they cost what changed per dispatch instead of the whole state (a store holding
 * 10,000 messages walked them all on every dispatch). In production, where RTK runs neither
 * check, nothing is frozen (the same trade RTK's checks make).
 */
/**
 * The walk outside production. A production build (NODE_ENV replaced) folds this to
 * `undefined` and drops the walk's code: written exactly so, as bundlers (Vite, webpack,
 * esbuild) replace `process.env.NODE_ENV` textually, and an optional chain or a `typeof process`
 * guard would keep them from it (a Vite production build has no `process`). Without a bundler
 * and without `process`, the ReferenceError means nobody said production: freeze, with a plain
 * deep walk (its code is the only copy that stays in a production build, and it is small).
 */
const WALK: ((value: unknown) => void) | undefined = (() => {
  try {
    return process.env.NODE_ENV !== 'production' ? freezeNewNodes : undefined
  } catch {
    return freezeDeep
  }
})()

/** Frozen elements in a row, from an array's end, after which the rest is taken as frozen. */
const FROZEN_RUN = 8

export function freezeNew<T>(value: T): T {
  WALK?.(value)
  return value
}

function freezeNewNodes(value: unknown): void {
  const stack: unknown[] = [value]
  while (stack.length > 0) {
    const node = stack.pop()
    if (typeof node !== 'object' || node === null || Object.isFrozen(node)) continue
    Object.freeze(node)
    if (Array.isArray(node)) pushNewElements(node, stack)
    else {
      for (const key in node) {
        const item = (node as Record<string, unknown>)[key]
        if (typeof item === 'object' && item !== null) stack.push(item)
      }
    }
  }
}

/** Every node not frozen yet, and what it holds. */
function freezeDeep(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return
  Object.freeze(value)
  for (const key in value) freezeDeep((value as Record<string, unknown>)[key])
}

const isNew = (item: unknown) => typeof item === 'object' && item !== null && !Object.isFrozen(item)

/**
 * The elements of a new array that may be new. The reducers add, replace and restore elements
 * at an array's ends (appended messages and outbox entries, the own-message tail, restored
 * entries first), so the walk goes in from both ends and stops after a run of frozen ones: a
 * 20,000-entry outbox costs a few checks per dispatch, not 20,000. One missed (an element
 * made in the middle of a long array) only stays unfrozen: RTK's checks walk it, nothing else.
 */
function pushNewElements(array: readonly unknown[], stack: unknown[]): void {
  let run = 0
  let low = array.length
  for (let i = array.length - 1; i >= 0 && run < FROZEN_RUN; i--) {
    low = i
    if (isNew(array[i])) {
      stack.push(array[i])
      run = 0
    } else run += 1
  }
  run = 0
  for (let i = 0; i < low && run < FROZEN_RUN; i++) {
    if (isNew(array[i])) {
      stack.push(array[i])
      run = 0
    } else run += 1
  }
}
