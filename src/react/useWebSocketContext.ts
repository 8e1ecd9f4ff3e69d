import { useCallback, useContext, useMemo } from 'react'
import type { Store } from '@reduxjs/toolkit'
import { WebSocketContext, type WebSocketReactContext } from './context'
import type { Realtime } from './core'
import { useHandle, type WebSocketHandle } from './handle'
import { useStoreSelector } from './useStoreSelector'

/** What `useWebSocketContext()` returns. */
export interface WebSocketContextHandle {
  /** The seed's `websocket` handle for the provider's connection. */
  websocket: WebSocketHandle
  store: Store
  realtime: Realtime
  /** The provider's `userId` prop, else the id the server authenticated (once connected). */
  userId: string | undefined
}

export type UseWebSocketContext = () => WebSocketContextHandle

/**
 * Builds `useWebSocketContext` for a context of your own (see `WebSocketContext`).
 *
 * @example
 * const useSupportContext = createWebSocketContextHook(SupportContext)
 */
export function createWebSocketContextHook(
  context: WebSocketReactContext = WebSocketContext,
): UseWebSocketContext {
  return function useWebSocketContext() {
    const value = useContext(context)
    if (value === null) {
      throw new Error('useWebSocketContext must be used inside <WebSocketProvider>')
    }
    const { store, realtime } = value
    const websocket = useHandle(store, realtime)
    const selectUserId = useCallback(
      (root: unknown) => realtime.selectors.selectConnectionInfo(root).userId,
      [realtime],
    )
    const authenticated = useStoreSelector(store, selectUserId)
    const userId = value.userId ?? authenticated
    return useMemo(
      () => ({ websocket, store, realtime, userId }),
      [websocket, store, realtime, userId],
    )
  }
}

/**
 * The connection of the nearest `<WebSocketProvider>`. Throws outside one.
 *
 * @example
 * function ChatComponent() {
 *   const { websocket } = useWebSocketContext()
 *   const chat = useChat(websocket, 'room-id')
 *   return <button onClick={() => chat.sendMessage('Hello, World!')}>Send</button>
 * }
 */
export const useWebSocketContext: UseWebSocketContext = createWebSocketContextHook()
