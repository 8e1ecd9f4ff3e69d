import type { Middleware, Reducer } from '@reduxjs/toolkit'
import { createRealtimeMiddleware } from '../middleware'
import { createFrameInspector, type FrameInspector } from '../middleware/inspector'
import { createOutcomes, type Outcomes } from '../middleware/outcomes'
import type { RealtimeDispatch } from '../middleware/awaitable'
import * as actions from '../slices/actions'
import { createRealtimeReducer, type RealtimeState } from '../slices/realtimeReducer'
import { createSelectors, type RealtimeSelectors } from '../slices/selectors'
import { resolveConfig, type RealtimeConfig } from './config'
import { createDevToolsOptions, type RealtimeDevToolsOptions } from './devToolsOptions'

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
  markNotificationRead: actions.markNotificationRead,
  markAllNotificationsRead: actions.markAllNotificationsRead,
  dismissNotification: actions.dismissNotification,
  clearNotifications: actions.clearNotifications,
  subscribeToEvents: actions.subscribeToEvents,
  unsubscribeFromEvents: actions.unsubscribeFromEvents,
  connection: actions.connection,
  inbound: actions.inbound,
  rooms: actions.rooms,
  chat: actions.chat,
  presence: actions.presence,
  notifications: actions.notifications,
  events: actions.events,
  outbox: actions.outbox,
}

export interface Realtime<ReducerPath extends string = string> {
  reducerPath: ReducerPath
  reducer: Reducer<RealtimeState>
  /** Typed with its dispatch extension: awaitable commands return `unwrap()`. */
  middleware: Middleware<RealtimeDispatch>
  actions: typeof realtimeActions
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
 * Everything a store needs for a real-time connection: add the reducer under `reducerPath`,
 * concat the middleware, dispatch `connect()`.
 *
 * @example
 * const realtime = createRealtime({ url: 'ws://localhost:3000', getToken: () => auth.token })
 * const store = configureStore({
 *   reducer: { app: appReducer, [realtime.reducerPath]: realtime.reducer },
 *   middleware: (getDefault) => getDefault().concat(realtime.middleware),
 * })
 * store.dispatch(realtime.actions.connect())
 */
export function createRealtime<ReducerPath extends string = 'realtime'>(
  config: RealtimeConfig & { reducerPath?: ReducerPath },
): Realtime<ReducerPath> {
  const resolved = resolveConfig(config)
  const selectors = createSelectors(resolved.reducerPath)
  const inspector = createFrameInspector()
  const outcomes = createOutcomes()
  return {
    reducerPath: resolved.reducerPath as ReducerPath,
    reducer: createRealtimeReducer({
      maxMessagesPerRoom: resolved.maxMessagesPerRoom,
      maxNotifications: resolved.maxNotifications,
    }),
    middleware: createRealtimeMiddleware(resolved, selectors, inspector, outcomes),
    inspector,
    outcomes,
    devToolsOptions: createDevToolsOptions(resolved.reducerPath),
    actions: realtimeActions,
    selectors,
  }
}
