import { useContext } from 'react'
import type { Action, Store } from '@reduxjs/toolkit'
import type { WebSocketReactContext } from './context'
import { devText } from './dev'
import type { RealtimeBinding } from './handle'

/** True for a `websocket` handle (or any `{ store, realtime }`), as opposed to options. */
export function isBinding(value: unknown): value is RealtimeBinding {
  return (
    typeof (value as Partial<RealtimeBinding> | null | undefined)?.store?.getState === 'function' &&
    'realtime' in Object(value)
  )
}

/**
 * The store a feature hook reads: the `websocket` handle's when given, else the nearest
 * provider's. Throws, saying how to fix it, when there is neither.
 */
export function useBinding(
  context: WebSocketReactContext,
  websocket: RealtimeBinding | undefined,
  hook: string,
): RealtimeBinding {
  const provided = useContext(context)
  const binding = websocket ?? provided
  if (!binding) {
    throw new Error(
      `${hook}: no websocket handle and no <WebSocketProvider>${devText(() =>
        process.env.NODE_ENV !== 'production'
          ? `; pass the websocket handle from useWebSocket(config) or useWebSocketContext(), or use ${hook} inside <WebSocketProvider>`
          : '',
      )}`,
    )
  }
  return binding
}

/** The arguments of `useChat` and `useRoomPresence`: `(websocket, room, options?)` or `(room, options?)`. */
export function roomArgs<O>(
  args: [RealtimeBinding, string, O?] | [string, O?],
): [RealtimeBinding | undefined, string, O | undefined] {
  return (typeof args[0] === 'string' ? [undefined, ...args] : args) as [
    RealtimeBinding | undefined,
    string,
    O | undefined,
  ]
}

/** A hook's command of one argument: dispatches `create(arg)`. */
export const dispatching =
  <A>(store: Store, create: (arg: A) => Action) =>
  (arg: A): void =>
    void store.dispatch(create(arg))

/** A hook's command of none: dispatches `create()`, so `onClick={command}` puts no event in it. */
export const dispatchingNone = (store: Store, create: () => Action) => (): void =>
  void store.dispatch(create())
