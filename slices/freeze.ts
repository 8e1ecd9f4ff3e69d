/**
 * Freezes what the realtime reducer produced that is not frozen yet, as Immer does for RTK's
 * slices. Unchanged subtrees keep their identity and were frozen when they were new, so the
 * walk stops at them: the cost is the new objects and their direct children, once.
 *
 * Why: RTK's dev checks (immutability and serializability) skip frozen subtrees, so with the
 * state frozen they cost what changed per dispatch instead of the whole state (a store holding
 * 10,000 messages walked them all on every dispatch). In production, where RTK runs neither
 * check, nothing is frozen (the same trade RTK's checks make).
 *
 * Except the few objects `OPEN` names, left unfrozen with all they hold frozen. RTK's
 * serializability check caches a subtree only once it has learned that it is frozen all
 * through, and it learns that by walking all of it again, cache or not (`isNestedFrozen`): a
 * new frozen object costs its whole subtree in every dispatch that makes it. For the objects
 * above the messages (the realtime state, the chat slice, its rooms record, each room's object)
 * that was every message of every room, up to five times per dispatch; for the outbox's, every
 * entry waiting, per enqueue. Unfrozen, they cost the immutability check their few keys instead
 * (it tracks what is not frozen, and still throws if any of it is mutated), and each new
 * message array or chunk is walked once.
 */
/**
 * The objects of the realtime state left unfrozen (all they hold is frozen), as paths of keys
 * from it (itself open), `*` for every key of a record: those above the collections that grow
 * without bound and that every message replaces — the chat slice, its rooms record and each
 * room's object (above the message arrays); the direct slice and its conversations record
 * (above each conversation's array); the outbox and its list of chunks (above the chunks).
 */
const OPEN = ['chat.byRoom.*', 'direct.byPeer', 'outbox.chunks']

/** An open object's open children by key, `*` standing for every key. */
type Open = Map<string, Open>

function openTree(paths: readonly string[]): Open {
  const root: Open = new Map()
  for (const path of paths) {
    let node = root
    for (const key of path.split('.')) {
      const child: Open = node.get(key) ?? new Map<string, Open>()
      node.set(key, child)
      node = child
    }
  }
  return root
}

/**
 * The walk outside production. A production build (NODE_ENV replaced) folds this to
 * `undefined` and drops the walk's code: written exactly so, as bundlers (Vite, webpack,
 * esbuild) replace `process.env.NODE_ENV` textually, and an optional chain or a `typeof process`
 * guard would keep them from it (a Vite production build has no `process`). Without a bundler
 * and without `process`, the ReferenceError means nobody said production: freeze, with a plain
 * deep walk (its code is the only copy that stays in a production build, and it is small; it
 * freezes the open objects too).
 */
const WALK: ((value: unknown) => void) | undefined = (() => {
  try {
    return process.env.NODE_ENV !== 'production' ? aroundOpen() : undefined
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

function aroundOpen(): (value: unknown) => void {
  const open = openTree(OPEN)
  return (value) => freezeAround(value, open)
}

function freezeAround(value: unknown, open: Open): void {
  for (const key in value as object) {
    const item = (value as Record<string, unknown>)[key]
    const inner = open.get(key) ?? open.get('*')
    if (inner) freezeAround(item, inner)
    else freezeNewNodes(item)
  }
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
