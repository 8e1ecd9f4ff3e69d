import { useEffect, useRef } from 'react'
import type { Store } from '@reduxjs/toolkit'
import { WebSocketError, type ConnectionInfo, type Realtime } from './core'

/** What `onDisconnect` receives: the connection info after the close, and why it closed. */
export interface DisconnectInfo extends ConnectionInfo {
  /** The close code (1000 normal, 1006 lost, 4001 auth failed, …). */
  code: number
  reason: string
  /** True while it will reconnect by itself (`state === 'reconnecting'`). */
  willReconnect: boolean
}

/** The seed's `useWebSocket` callbacks. */
export interface ConnectionCallbacks {
  /** The connection opened (authenticated); also after every reconnect. */
  onConnect?: (info: ConnectionInfo) => void
  /** An open connection closed (for good, or to reconnect). */
  onDisconnect?: (info: DisconnectInfo) => void
  /**
   * A new error reached state (`lastError`): `context` says where ('connection', 'auth',
   * 'outbox', 'inbound', 'join', 'server', …).
   */
  onError?: (error: WebSocketError, context?: string) => void
}

/** Calls `callbacks[name]` if set; a throw is only logged. */
function safely<K extends keyof ConnectionCallbacks>(
  callbacks: ConnectionCallbacks,
  name: K,
  ...args: Parameters<NonNullable<ConnectionCallbacks[K]>>
): void {
  try {
    ;(callbacks[name] as ((...values: typeof args) => void) | undefined)?.(...args)
  } catch (error) {
    // A throwing callback must not break the store's other subscribers.
    console.error(`[redux-realtime] useWebSocket ${name} threw`, error)
  }
}

/**
 * Calls the callbacks on connection changes and new errors seen after mount. The latest
 * callbacks are used without resubscribing; each is wrapped so a throw is only logged.
 */
export function useConnectionEvents(
  store: Store,
  realtime: Realtime,
  callbacks: ConnectionCallbacks,
): void {
  const latest = useRef(callbacks)
  useEffect(() => {
    latest.current = callbacks
  })
  useEffect(() => {
    const { selectors } = realtime
    // The state the last notification saw: its connection state and error are the "before".
    let before: unknown = store.getState()
    return store.subscribe(() => {
      const was = before
      const root: unknown = store.getState()
      before = root
      const previous = selectors.selectConnectionState(was)
      if (selectors.selectConnectionState(root) !== previous) {
        const info = selectors.selectConnectionInfo(root)
        const transition = selectors.selectTransition(root)
        if (info.state === 'open') safely(latest.current, 'onConnect', info)
        else if (previous === 'open')
          safely(latest.current, 'onDisconnect', {
            ...info,
            code: transition?.code ?? 1000,
            reason: transition?.reason ?? '',
            willReconnect: info.state === 'reconnecting',
          })
      }
      const error = selectors.selectLastError(root)
      if (error !== null && error !== selectors.selectLastError(was)) {
        safely(
          latest.current,
          'onError',
          WebSocketError.fromInfo(error),
          error.context ?? 'connection',
        )
      }
    })
  }, [store, realtime])
}
