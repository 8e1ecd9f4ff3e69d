import { createDispatchHook, createSelectorHook, createStoreHook } from 'react-redux'
import type { Store } from '@reduxjs/toolkit'
import type { UseDispatch, UseSelector, UseStore } from 'react-redux'
import { RealtimeReduxContext } from './context'

/**
 * react-redux's `useSelector` on the realtime store of the nearest `<WebSocketProvider>`
 * (`RealtimeReduxContext`), whether the provider created the store or was given yours.
 * Type it once with `.withTypes<RootState>()`.
 *
 * @example
 * export const useAppRealtimeSelector = useRealtimeSelector.withTypes<RootState>()
 * const unread = useAppRealtimeSelector((state) => state.realtime.notifications.items.length)
 */
export const useRealtimeSelector: UseSelector = createSelectorHook(RealtimeReduxContext)

/**
 * react-redux's `useDispatch` for the realtime store of the nearest `<WebSocketProvider>`.
 *
 * @example
 * export const useAppRealtimeDispatch = useRealtimeDispatch.withTypes<AppDispatch>()
 * const dispatch = useAppRealtimeDispatch()
 * dispatch(joinRoom('general'))
 */
export const useRealtimeDispatch: UseDispatch = createDispatchHook(RealtimeReduxContext)

/**
 * react-redux's `useStore` for the realtime store of the nearest `<WebSocketProvider>`.
 *
 * @example
 * const store = useRealtimeStore.withTypes<AppStore>()()
 */
export const useRealtimeStore: UseStore<Store> = createStoreHook(RealtimeReduxContext)
