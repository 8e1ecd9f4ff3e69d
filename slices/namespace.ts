import type {
  ActionCreatorWithOptionalPayload,
  ActionCreatorWithoutPayload,
  ActionCreatorWithPayload,
  ActionCreatorWithPreparedPayload,
  Reducer,
  UnknownAction,
} from '@reduxjs/toolkit'
import { devText } from '../src/dev'

/**
 * Action types per instance: every action of an instance starts with its `reducerPath`, so two
 * instances in one store never answer each other's actions.
 *
 * The slices, handlers and module-level creators are written once, in the canonical namespace
 * `realtime/…`. An instance with another `reducerPath` translates at its three edges, here:
 * its creators make `${reducerPath}/…` actions, its reducer and its middleware read those as
 * canonical ones and ignore every other instance's. The default instance translates nothing.
 */
export const CANONICAL_PREFIX = 'realtime'

/** The type of a canonical creator renamed into `Prefix`'s namespace. */
export type Renamed<C, Prefix extends string> =
  C extends ActionCreatorWithPreparedPayload<
    infer Args,
    infer P,
    `${typeof CANONICAL_PREFIX}/${infer Rest}`,
    infer E,
    infer M
  >
    ? ActionCreatorWithPreparedPayload<Args, P, `${Prefix}/${Rest}`, E, M>
    : C extends ActionCreatorWithoutPayload<`${typeof CANONICAL_PREFIX}/${infer Rest}`>
      ? ActionCreatorWithoutPayload<`${Prefix}/${Rest}`>
      : C extends ActionCreatorWithOptionalPayload<
            infer P,
            `${typeof CANONICAL_PREFIX}/${infer Rest}`
          >
        ? ActionCreatorWithOptionalPayload<P, `${Prefix}/${Rest}`>
        : C extends ActionCreatorWithPayload<infer P, `${typeof CANONICAL_PREFIX}/${infer Rest}`>
          ? ActionCreatorWithPayload<P, `${Prefix}/${Rest}`>
          : C extends Record<string, unknown>
            ? { [K in keyof C]: Renamed<C[K], Prefix> }
            : C

interface Creator {
  (...args: never[]): UnknownAction
  type: string
  match: (action: unknown) => boolean
}

function isCreator(value: unknown): value is Creator {
  return typeof value === 'function' && typeof (value as Partial<Creator>).type === 'string'
}

/**
 * The rules of one instance's namespace. With the canonical prefix every function is the
 * identity, so the default instance pays nothing per action.
 */
export interface Namespace {
  readonly prefix: string
  /** This instance's action as a canonical one; `undefined` for another instance's action. */
  toCanonical(action: UnknownAction): UnknownAction | undefined
  /** A canonical action in this instance's namespace. */
  toInstance<A extends UnknownAction>(action: A): A
  /** A canonical creator (or a tree of them) renamed into this namespace. */
  rename<T, Prefix extends string>(creators: T): Renamed<T, Prefix>
  /** The instance's reducer: reads its own actions, ignores every other instance's. */
  reducer<S>(reducer: Reducer<S>): Reducer<S>
}

const REDUCER_PATH = /^[A-Za-z_$][\w$-]{0,63}$/

/** Throws a message that says the fix when `reducerPath` cannot be an action-type prefix. */
export function requireReducerPath(reducerPath: unknown): string {
  if (typeof reducerPath !== 'string' || !REDUCER_PATH.test(reducerPath)) {
    throw new TypeError(
      `createRealtime: config.reducerPath ${devText(() => (process.env.NODE_ENV !== 'production' ? `must be 1-64 letters, digits, '_', '$' or '-' starting with a letter, such as "realtime" or "chatSocket" (it prefixes every action type, so no '/')` : ''), 'is not a name of 1-64 letters')}, got ${JSON.stringify(reducerPath)}`,
    )
  }
  return reducerPath
}

export function createNamespace(prefix: string): Namespace {
  if (prefix === CANONICAL_PREFIX) {
    return {
      prefix,
      toCanonical: (action) => action,
      toInstance: (action) => action,
      rename: <T, Prefix extends string>(creators: T) => creators as Renamed<T, Prefix>,
      reducer: (reducer) => reducer,
    }
  }
  const own = `${prefix}/`
  const canonical = `${CANONICAL_PREFIX}/`
  const renamedType = (type: string) => own + type.slice(canonical.length)

  function renameCreator(creator: Creator): Creator {
    const type = renamedType(creator.type)
    const renamed = (...args: never[]) => ({ ...creator(...args), type })
    return Object.assign(renamed, {
      type,
      match: (action: unknown) =>
        typeof action === 'object' && action !== null && (action as UnknownAction).type === type,
      toString: () => type,
    })
  }

  function renameTree(value: unknown): unknown {
    if (isCreator(value)) return value.type.startsWith(canonical) ? renameCreator(value) : value
    if (typeof value !== 'object' || value === null) return value
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, renameTree(inner)]))
  }

  function toCanonical(action: UnknownAction): UnknownAction | undefined {
    // A thunk or another middleware's non-action passes through untouched.
    if (typeof action.type !== 'string') return action
    if (action.type.startsWith(own)) {
      return { ...action, type: canonical + action.type.slice(own.length) }
    }
    return action.type.startsWith(canonical) ? undefined : action
  }

  return {
    prefix,
    toCanonical,
    toInstance(action) {
      return action.type.startsWith(canonical)
        ? { ...action, type: renamedType(action.type) }
        : action
    },
    rename: <T, Prefix extends string>(creators: T) => renameTree(creators) as Renamed<T, Prefix>,
    reducer<S>(reducer: Reducer<S>): Reducer<S> {
      return (state, action) => {
        const read = toCanonical(action)
        if (read) return reducer(state, read)
        // Another instance's action: this state does not change (it exists after init).
        return state === undefined ? reducer(state, { type: `${own}@@init` }) : state
      }
    },
  }
}
