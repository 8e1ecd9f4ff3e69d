/**
 * Freezes what a reducer produced that is not frozen yet, as Immer does for RTK's slices.
 * Unchanged subtrees keep their identity and were frozen when they were new, so the walk stops
 * at them: the cost is the new objects and their direct children, once.
 *
 * Why: RTK's dev checks (immutability and serializability) skip frozen subtrees, so with the
 * state frozen they cost what changed per dispatch instead of the whole state (a store holding
 * 10,000 messages walked them all on every dispatch). In production, where RTK runs neither
 * check, nothing is frozen (the same trade RTK's checks make); bundlers replace
 * `process.env.NODE_ENV`, and without a bundler (no `process`) the state is frozen.
 */
const FREEZE =
  typeof process === 'undefined' ||
  (process as { env?: Record<string, string | undefined> }).env?.NODE_ENV !== 'production'

export function freezeNew<T>(value: T): T {
  if (!FREEZE) return value
  const stack: unknown[] = [value]
  while (stack.length > 0) {
    const node = stack.pop()
    if (typeof node !== 'object' || node === null || Object.isFrozen(node)) continue
    Object.freeze(node)
    if (Array.isArray(node)) {
      for (const item of node) if (typeof item === 'object' && item !== null) stack.push(item)
    } else {
      for (const key in node) {
        const item = (node as Record<string, unknown>)[key]
        if (typeof item === 'object' && item !== null) stack.push(item)
      }
    }
  }
  return value
}
