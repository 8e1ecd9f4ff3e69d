import { useMemo } from 'react'
import type { Store } from '@reduxjs/toolkit'
import type { Realtime, WebSocketState } from './core'
import { commandsFor, type WebSocketCommands } from './commands'
import { useStoreSelector } from './useStoreSelector'

/**
 * The seed's `websocket` object: connection state, promise-returning commands, and the store
 * and `createRealtime` result underneath for power users. Pass it to `useChat`,
 * `usePresence`, `useNotifications` and `useEvents`. Its identity changes only when the
 * connection state does.
 *
 * @example
 * const { websocket } = useWebSocketContext()
 * if (websocket.isConnected) await websocket.sendChatMessage('Hello', 'room-id')
 */
export interface WebSocketHandle extends WebSocketCommands {
  /** True once authenticated (`connectionState === 'open'`). */
  isConnected: boolean
  connectionState: WebSocketState
  /** The store holding the realtime state (the provider's, yours, or a shared one per config). */
  store: Store
  /** `createRealtime(config)`: `actions` and `selectors` (which take `store.getState()`). */
  realtime: Realtime
}

/** What the feature hooks need of a handle: its store and realtime instance. */
export type RealtimeBinding = Pick<WebSocketHandle, 'store' | 'realtime'>

/** The handle for a store, re-rendering the caller when the connection state changes. */
export function useHandle(store: Store, realtime: Realtime): WebSocketHandle {
  const connectionState = useStoreSelector(store, realtime.selectors.selectConnectionState)
  return useMemo(
    () => ({
      ...commandsFor(store, realtime),
      isConnected: connectionState === 'open',
      connectionState,
      store,
      realtime,
    }),
    [store, realtime, connectionState],
  )
}
