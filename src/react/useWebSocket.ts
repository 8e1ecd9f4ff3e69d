import { useContext, useEffect, useState } from 'react'
import { WebSocketContext, type WebSocketReactContext } from './context'
import type { RealtimeConfig } from './core'
import { devText } from './dev'
import { useHandle, type WebSocketHandle } from './handle'
import { retainConnection } from './retainConnection'
import { sameConfig, sharedConnection } from './sharedConnection'
import { useConnectionEvents, type ConnectionCallbacks } from './useConnectionEvents'

/** The seed's `useWebSocket` options. */
export interface UseWebSocketOptions extends ConnectionCallbacks {
  /**
   * Outside a provider: hold the connection open while mounted (default true). Inside a
   * provider the provider holds it and this has no effect.
   */
  autoConnect?: boolean
}

export type UseWebSocket = (
  config?: RealtimeConfig,
  options?: UseWebSocketOptions,
) => WebSocketHandle

/**
 * Builds `useWebSocket` for a context of your own (see `WebSocketContext`).
 *
 * @example
 * const useSupportWebSocket = createWebSocketHook(SupportContext)
 */
export function createWebSocketHook(
  context: WebSocketReactContext = WebSocketContext,
): UseWebSocket {
  return function useWebSocket(config, options = {}) {
    const provided = useContext(context)
    if (!provided && (typeof config !== 'object' || config === null)) {
      throw new TypeError(
        `useWebSocket(config): pass a config outside <WebSocketProvider>${devText(() =>
          process.env.NODE_ENV !== 'production'
            ? ", such as { url: 'localhost', port: 3000, authToken }"
            : '',
        )}`,
      )
    }
    // An inline config literal is a new object every render: keep the first while it is equal.
    const [kept, setKept] = useState(config)
    if (config && config !== kept && (!kept || !sameConfig(config, kept))) setKept(config)
    const { store, realtime } = provided ?? sharedConnection((kept ?? config) as RealtimeConfig)

    const autoConnect = options.autoConnect ?? true
    useConnectionEvents(store, realtime, options)
    useEffect(() => {
      if (provided || !autoConnect) return undefined
      return retainConnection(store, realtime)
    }, [provided, autoConnect, store, realtime])
    return useHandle(store, realtime)
  }
}

/**
 * The seed's main hook. Inside `<WebSocketProvider>` it is the provider's connection (one
 * store and one socket however many components call it; `config` is not used). Outside, it is
 * a store and socket shared by every `useWebSocket` given the same config object, connected
 * while any of them is mounted (unless `autoConnect: false`).
 *
 * @example
 * const websocket = useWebSocket(config, {
 *   onConnect: (info) => console.log('Connected:', info),
 *   onError: (error, context) => console.error(`WebSocket error in ${context}:`, error),
 * })
 * await websocket.sendChatMessage('Hello', 'room-id')
 */
export const useWebSocket: UseWebSocket = createWebSocketHook()
