/**
 * redux-realtime/react: the seed's React API (`WebSocketProvider`, `useWebSocket`, `useChat`,
 * `usePresence`, `useNotifications`, `useEvents`, `RealtimeDevTools`) as thin hooks over the
 * realtime store, plus react-redux-style hooks for that store.
 */
export { WebSocketProvider } from './WebSocketProvider'
export { RealtimeDevTools } from './RealtimeDevTools'
export { WebSocketContext, RealtimeReduxContext } from './context'
export { useWebSocketContext, createWebSocketContextHook } from './useWebSocketContext'
export { useWebSocket, createWebSocketHook } from './useWebSocket'
export { useChat, createChatHook } from './useChat'
export { usePresence, createPresenceHook } from './usePresence'
export { useRoomPresence, createRoomPresenceHook } from './useRoomPresence'
export { useNotifications, createNotificationsHook } from './useNotifications'
export { useEvents, createEventsHook } from './useEvents'
export { useRealtimeSelector, useRealtimeDispatch, useRealtimeStore } from './reduxHooks'

export type { WebSocketProviderProps } from './WebSocketProvider'
export type { RealtimeDevToolsProps } from './RealtimeDevTools'
export type { WebSocketContextValue, WebSocketReactContext } from './context'
export type { WebSocketContextHandle, UseWebSocketContext } from './useWebSocketContext'
export type { UseWebSocket, UseWebSocketOptions } from './useWebSocket'
export type { ConnectionCallbacks, DisconnectInfo } from './useConnectionEvents'
export type { WebSocketHandle, RealtimeBinding } from './handle'
export type { WebSocketCommands, HandleMessageInput, MessageExtras } from './commands'
export type { ChatHandle, UseChat, UseChatOptions } from './useChat'
export type { PresenceHandle, UsePresence } from './usePresence'
export type { RoomPresenceHandle, UseRoomPresence } from './useRoomPresence'
export type {
  NotificationsHandle,
  UseNotifications,
  UseNotificationsOptions,
} from './useNotifications'
export type { EventsHandle, UseEvents } from './useEvents'
