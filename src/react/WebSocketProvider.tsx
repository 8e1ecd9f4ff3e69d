import { useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react'
import { Provider as ReduxProvider, ReactReduxContext } from 'react-redux'
import type { Store } from '@reduxjs/toolkit'
import { RealtimeReduxContext, WebSocketContext, type WebSocketReactContext } from './context'
import type { Realtime, RealtimeConfig } from './core'
import { createRealtimeStore } from './createRealtimeStore'
import { devText } from './dev'
import { configFromEnvironment } from './environment'
import { RealtimeDevTools } from './RealtimeDevTools'
import { retainConnection } from './retainConnection'

interface CommonProps {
  children?: ReactNode
  /** The JWT for the `auth` frame. A new value re-authenticates (`authenticate(token)`). */
  authToken?: string
  /** The current user's id, shared through `useWebSocketContext().userId`. */
  userId?: string
  /** Renders `<RealtimeDevTools />` (loaded on demand; never loaded while false). */
  enableDevMode?: boolean
  /** A context of your own, for a second connection with the `createXHook(context)` hooks. */
  context?: WebSocketReactContext
}

/**
 * Use your store: it must already have `realtime.reducer` (at `realtime.reducerPath`) and
 * `realtime.middleware`. Without `store`, the store of the react-redux `<Provider>` above is used.
 */
interface StoreProps extends CommonProps {
  realtime: Realtime
  store?: Store
  config?: undefined
}

/** Let the provider create the store (once), from `config` or the environment. */
interface ConfigProps extends CommonProps {
  config?: RealtimeConfig
  store?: undefined
  realtime?: undefined
}

export type WebSocketProviderProps = StoreProps | ConfigProps

/**
 * Connects on mount and disconnects on unmount (StrictMode-safe: one socket), and gives the
 * hooks below it the realtime store. Either pass the `realtime` instance whose reducer and
 * middleware your store has (the store of the react-redux `<Provider>` above, or `store`), or
 * a `config`; with neither, it reads `REACT_APP_WS_*` / `VITE_WS_*` from `process.env` and
 * Vite's `import.meta.env` where they exist, else uses the defaults (outside production it
 * warns then, once, saying how to pass a URL).
 *
 * The realtime store is provided on its own react-redux context (`RealtimeReduxContext`), so
 * your own `useSelector` keeps reading your store. When the provider created the store and no
 * react-redux `<Provider>` is above it, it also provides that store on react-redux's default
 * context, so plain `useSelector(selectMessagesByRoom…)` works in apps with no store of their own.
 *
 * @example
 * <WebSocketProvider authToken={token} userId={user.id} enableDevMode={import.meta.env.DEV}>
 *   <App />
 * </WebSocketProvider>
 *
 * // with your store, under your react-redux <Provider>
 * const realtime = createRealtime({ url: 'wss://chat.example.com', getToken })
 * const store = configureStore({
 *   reducer: { app: appReducer, [realtime.reducerPath]: realtime.reducer },
 *   middleware: (getDefault) => getDefault().concat(realtime.middleware),
 * })
 * <Provider store={store}>
 *   <WebSocketProvider realtime={realtime}><App /></WebSocketProvider>
 * </Provider>
 */
export function WebSocketProvider(props: WebSocketProviderProps) {
  const { children, authToken, userId, enableDevMode = false, context = WebSocketContext } = props
  if (props.store !== undefined && props.realtime === undefined) {
    throw new Error(
      `<WebSocketProvider store={store}> also needs realtime={realtime}${devText(() =>
        process.env.NODE_ENV !== 'production'
          ? ': the createRealtime(...) result whose reducer and middleware the store uses'
          : '',
      )}`,
    )
  }
  const outerRedux = useContext(ReactReduxContext)
  // Created once: later `config` changes are ignored (remount the provider with a `key` to switch).
  const [own] = useState(() =>
    props.realtime === undefined
      ? createRealtimeStore({
          ...(props.config ?? configFromEnvironment()),
          ...(authToken === undefined ? {} : { authToken }),
        })
      : null,
  )
  const { store, realtime } = own ?? yourStore(props.realtime, props.store ?? outerRedux?.store)

  // A store the provider made already has the token in its config.
  const appliedToken = useRef(own ? authToken : undefined)
  useEffect(() => {
    if (authToken === undefined || authToken === appliedToken.current) return
    appliedToken.current = authToken
    store.dispatch(realtime.actions.authenticate(authToken))
  }, [store, realtime, authToken])
  useEffect(() => retainConnection(store, realtime), [store, realtime])

  const value = useMemo(() => ({ store, realtime, userId }), [store, realtime, userId])
  const tree = (
    <ReduxProvider store={store} context={RealtimeReduxContext}>
      <context.Provider value={value}>
        {children}
        {enableDevMode ? <RealtimeDevTools context={context} /> : null}
      </context.Provider>
    </ReduxProvider>
  )
  return own && outerRedux === null ? <ReduxProvider store={store}>{tree}</ReduxProvider> : tree
}

/**
 * The app's store (given, or the react-redux `<Provider>`'s) with the instance it holds. Throws,
 * saying what to add, when there is no store or it does not hold this instance's state.
 */
function yourStore(
  realtime: Realtime | undefined,
  store: Store | undefined,
): { store: Store; realtime: Realtime } {
  if (realtime === undefined || store === undefined) {
    throw new Error(
      `<WebSocketProvider realtime={realtime}> found no store${devText(() =>
        process.env.NODE_ENV !== 'production'
          ? ": render it inside react-redux's <Provider store={store}>, pass store={store}, or pass config={...} instead of realtime to let it create one"
          : '',
      )}`,
    )
  }
  // Any state: `Object()` makes null/undefined `{}` and a primitive its wrapper, neither with an
  // own `connection`.
  const state = Object(store.getState()) as Record<string, unknown>
  const path = realtime.reducerPath
  const slice = Object(Object.hasOwn(state, path) ? state[path] : null) as object
  if (!Object.hasOwn(slice, 'connection')) {
    throw new Error(
      `<WebSocketProvider realtime={realtime}>: the store has no realtime state at "${path}"${devText(
        () =>
          process.env.NODE_ENV !== 'production'
            ? '. Mount it: configureStore({ reducer: { [realtime.reducerPath]: realtime.reducer, ... }, middleware: (getDefault) => getDefault().concat(realtime.middleware) })'
            : '',
      )}`,
    )
  }
  return { store, realtime }
}
