import type {
  ActionCreatorWithPayload,
  ActionCreatorWithPreparedPayload,
  Middleware,
  Reducer,
  UnknownAction,
} from '@reduxjs/toolkit'
import { createRealtimeMiddleware } from '../middleware'
import { createFrameInspector, type FrameInspector } from '../middleware/inspector'
import { createOutcomes, type Outcomes } from '../middleware/outcomes'
import type { RealtimeDispatch } from '../middleware/awaitable'
import * as actions from '../slices/actions'
import { createNamespace, requireReducerPath, type Renamed } from '../slices/namespace'
import type { At } from '../slices/actions'
import type {
  AppMessage,
  AppMessageMap,
  DefaultAppMessages,
  PublishInput,
  PublishPayload,
} from '../slices/appMessages'
import { createRealtimeReducer, type RealtimeState } from '../slices/realtimeReducer'
import { createSelectors, type RealtimeSelectors } from '../slices/selectors'
import { resolveConfig, type RealtimeConfig } from './config'
import { createDevToolsOptions, type RealtimeDevToolsOptions } from './devToolsOptions'
import {
  checkPlugins,
  type AnyRealtimePlugin,
  type PluginActions,
  type PluginMembers,
  type PluginSelectors,
  type PluginState,
} from './plugins'

/** The event action creators, by concern: what the middleware dispatches, for matching. */
export const realtimeEvents = {
  connection: actions.connection,
  inbound: actions.inbound,
  rooms: actions.rooms,
  chat: actions.chat,
  presence: actions.presence,
  notifications: actions.notifications,
  events: actions.events,
  outbox: actions.outbox,
  custom: actions.custom,
}

/** The commands users dispatch, and the events the middleware dispatches (for matching). */
export const realtimeActions = {
  connect: actions.connect,
  disconnect: actions.disconnect,
  reconnect: actions.reconnect,
  authenticate: actions.authenticate,
  joinRoom: actions.joinRoom,
  leaveRoom: actions.leaveRoom,
  sendMessage: actions.sendMessage,
  sendChatMessage: actions.sendChatMessage,
  sendDirectMessage: actions.sendDirectMessage,
  startTyping: actions.startTyping,
  stopTyping: actions.stopTyping,
  markAsRead: actions.markAsRead,
  setStatus: actions.setStatus,
  setCustomStatus: actions.setCustomStatus,
  subscribeToUser: actions.subscribeToUser,
  unsubscribeFromUser: actions.unsubscribeFromUser,
  setRoomPresence: actions.setRoomPresence,
  markNotificationRead: actions.markNotificationRead,
  markAllNotificationsRead: actions.markAllNotificationsRead,
  dismissNotification: actions.dismissNotification,
  clearNotifications: actions.clearNotifications,
  subscribeToEvents: actions.subscribeToEvents,
  unsubscribeFromEvents: actions.unsubscribeFromEvents,
  publish: actions.publish,
  connection: actions.connection,
  inbound: actions.inbound,
  rooms: actions.rooms,
  chat: actions.chat,
  presence: actions.presence,
  roomPresence: actions.roomPresence,
  notifications: actions.notifications,
  events: actions.events,
  outbox: actions.outbox,
  custom: actions.custom,
}

/** `publish` typed by the app's message map: a `type` with the wrong `data` fails to compile. */
export type PublishActionCreator<
  M = DefaultAppMessages,
  ReducerPath extends string = 'realtime',
> = ActionCreatorWithPreparedPayload<
  [input: PublishInput<M>],
  PublishPayload<M>,
  `${ReducerPath}/publish`
>

/** The app-defined messages' event, typed by the app's message map. */
export interface CustomEvents<M = DefaultAppMessages> {
  /** One action per inbound burst; `messages` is a union discriminated by `type`. */
  messagesReceived: ActionCreatorWithPayload<
    { messages: AppMessage<M>[] } & At,
    typeof actions.custom.messagesReceived.type
  >
}

/** The commands and event namespaces of an instance, with `publish` and `custom` typed by `M`. */
export type RealtimeActions<
  M = DefaultAppMessages,
  ReducerPath extends string = 'realtime',
> = Renamed<Omit<typeof realtimeActions, 'publish' | 'custom'>, ReducerPath> & {
  publish: PublishActionCreator<M, ReducerPath>
  custom: CustomEvents<M>
}

/** The event action creators of an instance, by namespace (for `builder.addCase`). */
export type RealtimeEvents<
  M = DefaultAppMessages,
  ReducerPath extends string = 'realtime',
> = Renamed<Omit<typeof realtimeEvents, 'custom'>, ReducerPath> & { custom: CustomEvents<M> }

/**
 * One realtime instance. `AppMessages` maps app-defined message types to their JSON data
 * (default: any type name, any JSON).
 */
export interface Realtime<
  AppMessages extends AppMessageMap<AppMessages> = DefaultAppMessages,
  ReducerPath extends string = string,
> {
  reducerPath: ReducerPath
  reducer: Reducer<RealtimeState>
  /** Typed with its dispatch extension: awaitable commands return `unwrap()`. */
  middleware: Middleware<RealtimeDispatch>
  /** Commands (and, for compatibility, the event namespaces), typed `${reducerPath}/…`. */
  actions: RealtimeActions<AppMessages, ReducerPath>
  /**
   * The event action creators of this instance, for `builder.addCase` and listeners:
   * `realtime.events.chat.messagesReceived`, `realtime.events.custom.messagesReceived`. Their
   * types start with `reducerPath`, so two instances in one store never match each other's.
   */
  events: RealtimeEvents<AppMessages, ReducerPath>
  selectors: RealtimeSelectors
  /**
   * For `configureStore({ devTools: realtime.devToolsOptions })`: hides this instance's ping,
   * pong and typing actions and shortens big payloads and rooms in the monitor.
   */
  devToolsOptions: RealtimeDevToolsOptions
  /** Frames in and out, for dev tools (`RealtimeDevTools` uses it); never in state. */
  inspector: Pick<FrameInspector, 'subscribe'>
  /**
   * @internal Promises of commands settled by the middleware from acks (the React layer awaits
   * them). Not a public API yet: awaitable commands (`unwrap()`) will be built on it.
   */
  outcomes: Pick<Outcomes, 'wait' | 'rejectAll'>
}

/**
 * An instance whatever its app message map: what layers that never publish take (the React
 * provider, hooks and dev tools), so a `createRealtime<AppMessages>()` instance fits them too.
 */
export type AnyRealtime = Omit<Realtime, 'actions' | 'events' | 'reducer'> & {
  // A method, so an instance whose plugins add state (`documents`) fits too.
  reducer(state: RealtimeState | undefined, action: UnknownAction): RealtimeState
  actions: Omit<RealtimeActions<DefaultAppMessages, string>, 'publish' | 'custom'>
  events: Omit<RealtimeEvents<DefaultAppMessages, string>, 'custom'>
}

/** What every instance has: a plugin's `members` cannot take these names. */
const INSTANCE_MEMBERS = [
  'reducerPath',
  'reducer',
  'middleware',
  'actions',
  'events',
  'selectors',
  'devToolsOptions',
  'inspector',
  'outcomes',
] satisfies ReadonlyArray<keyof Realtime>

/**
 * An instance with plugins: their state under `reducerPath`, their commands and selectors next
 * to the core's, their members (`documents`) on the instance. Without plugins, `Realtime`.
 */
export type RealtimeWith<
  AppMessages extends AppMessageMap<AppMessages>,
  ReducerPath extends string,
  Plugin extends AnyRealtimePlugin,
> = [Plugin] extends [never]
  ? Realtime<AppMessages, ReducerPath>
  : Omit<Realtime<AppMessages, ReducerPath>, 'reducer' | 'actions' | 'selectors'> & {
      reducer: Reducer<RealtimeState & PluginState<Plugin>>
      actions: RealtimeActions<AppMessages, ReducerPath> &
        Renamed<PluginActions<Plugin>, ReducerPath>
      selectors: RealtimeSelectors & PluginSelectors<Plugin>
    } & PluginMembers<Plugin>

/**
 * Everything a store needs for a real-time connection: add the reducer under `reducerPath`,
 * concat the middleware, dispatch `connect()`. Pass your app-defined messages' map as the
 * first type argument to type `actions.publish` and `events.custom.messagesReceived`; with a
 * custom `reducerPath` pass it too (`createRealtime<AppMessages, 'chat'>`): TypeScript infers
 * either all type arguments or none.
 *
 * @example
 * const realtime = createRealtime({ url: 'ws://localhost:3000', getToken: () => auth.token })
 * const store = configureStore({
 *   reducer: { app: appReducer, [realtime.reducerPath]: realtime.reducer },
 *   middleware: (getDefault) => getDefault().concat(realtime.middleware),
 * })
 * store.dispatch(realtime.actions.connect())
 */
export function createRealtime<
  AppMessages extends AppMessageMap<AppMessages> = DefaultAppMessages,
  ReducerPath extends string = 'realtime',
  Plugin extends AnyRealtimePlugin = never,
>(
  config: RealtimeConfig & {
    reducerPath?: ReducerPath
    /** Concerns added to the instance (state, commands, a handler), e.g. `[createCollab()]`. */
    plugins?: readonly (Plugin | AnyRealtimePlugin)[]
  },
): RealtimeWith<AppMessages, ReducerPath, Plugin> {
  const resolved = resolveConfig(config)
  const reducerPath = requireReducerPath(resolved.reducerPath) as ReducerPath
  const namespace = createNamespace(reducerPath)
  const selectors = createSelectors(resolved.reducerPath)
  const inspector = createFrameInspector()
  const outcomes = createOutcomes()
  const plugins: readonly AnyRealtimePlugin[] = config.plugins ?? []
  const reducerOptions = {
    maxMessagesPerRoom: resolved.maxMessagesPerRoom,
    maxNotifications: resolved.maxNotifications,
  }
  if (config.plugins !== undefined) {
    checkPlugins(plugins, {
      stateKeys: Object.keys(
        createRealtimeReducer(reducerOptions)(undefined, { type: '@@redux-realtime/keys' }),
      ),
      members: INSTANCE_MEMBERS,
      actions: Object.keys(realtimeActions),
    })
  }
  const instance: Realtime<AppMessages, ReducerPath> = {
    reducerPath,
    reducer: namespace.reducer(
      createRealtimeReducer(
        reducerOptions,
        Object.fromEntries(plugins.map((plugin) => [plugin.reducerKey, plugin.reducer])),
      ),
    ),
    middleware: createRealtimeMiddleware(
      resolved,
      selectors,
      inspector,
      outcomes,
      namespace,
      plugins,
    ),
    inspector,
    outcomes,
    devToolsOptions: createDevToolsOptions(reducerPath),
    // One set of creators per namespace at run time; the map only narrows their types.
    actions: namespace.rename(realtimeActions) as unknown as RealtimeActions<
      AppMessages,
      ReducerPath
    >,
    events: namespace.rename(realtimeEvents) as unknown as RealtimeEvents<AppMessages, ReducerPath>,
    selectors,
  }
  if (plugins.length === 0) return instance as RealtimeWith<AppMessages, ReducerPath, Plugin>
  const select = (root: unknown) => (root as Record<string, Record<string, unknown>>)[reducerPath]
  // New objects: the default instance's `actions` is the module's own `realtimeActions`.
  const actions: object = { ...instance.actions }
  const allSelectors: object = { ...instance.selectors }
  for (const plugin of plugins) {
    const key = plugin.reducerKey
    Object.assign(actions, namespace.rename(plugin.actions))
    Object.assign(
      allSelectors,
      plugin.selectors((root) => select(root)?.[key]),
    )
  }
  const members = plugins.map((plugin) => plugin.members ?? {})
  const composed: object = Object.assign(instance, { actions, selectors: allSelectors })
  for (const more of members) Object.assign(composed, more)
  return composed as RealtimeWith<AppMessages, ReducerPath, Plugin>
}
