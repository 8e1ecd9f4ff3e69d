import type { Reducer, UnknownAction } from '@reduxjs/toolkit'
import type { Session } from '../middleware/context'
import type { OutboxStorage } from '../middleware/storage'
import type { Frame } from './protocol/frames'
import { devText } from './dev'

/**
 * What a plugin's handler may use of its instance's middleware: the one socket (`send` spends
 * the one flow control), the session, the storage, and `dispatch` for its own events.
 */
export interface PluginContext {
  /** This socket's session (`authenticated`, `userId`, `maxFrameBytes`, …); read it when needed. */
  readonly session: Session
  /** Encodes and sends through the connection's flow control; false when the socket is not open. */
  send(frame: Frame): boolean
  /** Whole frames the server's rate limit allows now (Infinity without one). */
  allowance(): number
  /** How long until one more frame may go, ms. */
  waitMs(): number
  /** Dispatches an event of the plugin (canonical `realtime/…` type): its handler sees it as its own. */
  dispatch(action: UnknownAction): void
  getState(): unknown
  /** The instance's storage (`config.storage`, in memory by default). */
  readonly storage: OutboxStorage
  /** Runs a storage call; a failure becomes a `STORAGE_FAILED` error action and never throws. */
  persist(what: string, run: () => unknown, done?: () => void): Promise<void>
  now(): number
  log(message: string, detail?: unknown): void
}

/** One plugin's part of the middleware, built once per store. */
export interface PluginHandler {
  /** Every command (whoever dispatched it) and every event the middleware dispatched itself, canonical types, after the reducers. */
  handle(action: UnknownAction): void
  /**
   * A validated incoming frame of one of the plugin's `frameTypes`. It becomes no action unless
   * the plugin dispatches one (so binary payloads stay out of actions). Must not throw.
   */
  receive?(frame: Frame): void
}

/**
 * Adds a concern to a realtime instance: `createRealtime({ …, plugins: [createCollab()] })`.
 * Its reducer lives at `state[reducerPath][reducerKey]`; its action creators (canonical
 * `realtime/…` types, renamed per instance) join `realtime.actions`; its selectors join
 * `realtime.selectors`; its `members` join the instance (`realtime.documents`).
 */
export interface RealtimePlugin<
  Key extends string = string,
  State = unknown,
  Actions extends object = object,
  Selectors extends object = object,
  Members extends object = object,
> {
  readonly name: string
  readonly reducerKey: Key
  readonly reducer: Reducer<State>
  readonly actions: Actions
  /** The types (canonical) of the plugin's commands: its handler acts on them whoever dispatched them. */
  readonly commandTypes: readonly string[]
  /** Frame types the plugin receives instead of the core's frame-to-action table. */
  readonly frameTypes?: readonly string[]
  /** `selectState` reads the plugin's state from the root state of this instance's store. */
  selectors(selectState: (root: unknown) => State): Selectors
  /** Builds the plugin's handler for one store (called by the middleware). */
  handler(ctx: PluginContext): PluginHandler
  /** Added to the instance (`realtime.documents`). */
  readonly members?: Members
}

/** Any plugin, whatever its types. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the widest plugin type: every concrete plugin must fit it
export type AnyRealtimePlugin = RealtimePlugin<string, any, object, object, object>

type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (
  i: infer I,
) => void
  ? I
  : never

type Of<P extends AnyRealtimePlugin, K extends 'state' | 'actions' | 'selectors' | 'members'> =
  P extends RealtimePlugin<infer Key, infer S, infer A, infer Sel, infer M>
    ? {
        state: { [X in Key]: S }
        actions: A
        selectors: Sel
        members: M
      }[K]
    : never

/** What the plugins add to the state under `reducerPath`, to the actions, selectors and instance. */
export type PluginState<P extends AnyRealtimePlugin> = UnionToIntersection<Of<P, 'state'>>
export type PluginActions<P extends AnyRealtimePlugin> = UnionToIntersection<Of<P, 'actions'>>
export type PluginSelectors<P extends AnyRealtimePlugin> = UnionToIntersection<Of<P, 'selectors'>>
export type PluginMembers<P extends AnyRealtimePlugin> = UnionToIntersection<Of<P, 'members'>>

/** Throws, with the fix, on plugins that cannot be composed (a taken key, a repeated name). */
export function checkPlugins(
  plugins: readonly unknown[],
  taken: { stateKeys: readonly string[]; members: readonly string[]; actions: readonly string[] },
): void {
  if (!Array.isArray(plugins)) {
    throw new TypeError(
      `createRealtime: config.plugins must be an array${devText(() => (process.env.NODE_ENV !== 'production' ? ', e.g. [createCollab()]' : ''))}`,
    )
  }
  const names = new Set<string>()
  const keys = new Set(taken.stateKeys)
  const members = new Set(taken.members)
  const actions = new Set(taken.actions)
  const frameTypes = new Set<string>()
  for (const item of plugins) {
    const plugin = (item ?? {}) as Partial<RealtimePlugin>
    const name = String(plugin.name)
    if (
      typeof plugin.handler !== 'function' ||
      typeof plugin.reducer !== 'function' ||
      typeof plugin.reducerKey !== 'string' ||
      typeof plugin.actions !== 'object'
    ) {
      throw new TypeError(
        `createRealtime: config.plugins has something that is not a plugin (${name})${devText(() => (process.env.NODE_ENV !== 'production' ? '; pass what a plugin factory returns, e.g. plugins: [createCollab()]' : ''))}`,
      )
    }
    if (names.has(name)) {
      throw new Error(
        `createRealtime: plugin "${name}" is listed twice in config.plugins${devText(() => (process.env.NODE_ENV !== 'production' ? '; list it once' : ''))}`,
      )
    }
    names.add(name)
    const clash = (what: string, value: string) =>
      new Error(
        `createRealtime: plugin "${name}" adds ${what} "${value}", which ${devText(() => (process.env.NODE_ENV !== 'production' ? 'the instance or another plugin already has' : ''), 'is taken')}`,
      )
    if (keys.has(plugin.reducerKey)) throw clash('the state key', plugin.reducerKey)
    keys.add(plugin.reducerKey)
    for (const key of Object.keys(plugin.members ?? {})) {
      if (members.has(key)) throw clash('the member', key)
      members.add(key)
    }
    for (const key of Object.keys(plugin.actions)) {
      if (actions.has(key)) throw clash('the action', key)
      actions.add(key)
    }
    for (const type of plugin.frameTypes ?? []) {
      if (frameTypes.has(type)) throw clash('the frame type', type)
      frameTypes.add(type)
    }
  }
}
