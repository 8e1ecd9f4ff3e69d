import { createContext, type Context } from 'react'
import type { ReactReduxContextValue } from 'react-redux'
import type { Store } from '@reduxjs/toolkit'
import type { Realtime } from './core'

/**
 * What `<WebSocketProvider>` shares with the hooks below it: the store that holds the realtime
 * state, the `createRealtime` result whose reducer and middleware it uses, and the user id
 * given to the provider (if any).
 */
export interface WebSocketContextValue {
  store: Store
  realtime: Realtime
  userId: string | undefined
}

/**
 * The context `<WebSocketProvider>` fills by default. Pass your own (with the `context` prop
 * and the `createXHook(context)` factories) to run two independent connections in one tree.
 *
 * @example
 * const SupportContext = createContext<WebSocketContextValue | null>(null)
 * const useSupportChat = createChatHook(SupportContext)
 * <WebSocketProvider context={SupportContext} config={supportConfig}>…</WebSocketProvider>
 */
export const WebSocketContext: Context<WebSocketContextValue | null> =
  createContext<WebSocketContextValue | null>(null)

/**
 * The react-redux context that holds the realtime store. It is separate from react-redux's
 * default context, so a `<WebSocketProvider>` never changes what your own `useSelector` reads.
 * `useRealtimeSelector`, `useRealtimeDispatch` and `useRealtimeStore` read it.
 *
 * @example
 * const user = useSelector(selectCurrentUser) // your app's own store: unchanged
 * const messages = useRealtimeSelector((s) => selectMessagesByRoom(s, 'general')) // the realtime store
 */
export const RealtimeReduxContext: Context<ReactReduxContextValue | null> =
  createContext<ReactReduxContextValue | null>(null)

// Names for React DevTools, outside production only (as react-redux names its context): a
// production build drops the block; with no bundler and no `process`, the read throws.
try {
  if (process.env.NODE_ENV !== 'production') {
    WebSocketContext.displayName = 'WebSocketContext'
    RealtimeReduxContext.displayName = 'RealtimeReduxContext'
  }
} catch {
  // No `process`: a page without a bundler.
}

/** The context type the `createXHook(context)` factories accept. */
export type WebSocketReactContext = Context<WebSocketContextValue | null>
