import './nodeTypedArrays'
import { cleanup } from '@testing-library/react'
import { configureStore, type Middleware, type UnknownAction } from '@reduxjs/toolkit'
import { WebSocket } from 'ws'
import { createRealtime, type RealtimeConfig } from '../../../src'
import { createWorld, sleep, type World } from '../../support/realtimeWorld'
import { tokenFor } from '../../support/tokens'

/**
 * The config a React test passes to a provider or `useWebSocket`: the real server, a token for
 * `userId`, `ws` as the WebSocket (jsdom's own would make vitest exit 1), quick reconnects.
 */
export async function configFor(
  url: string,
  userId: string,
  extra: Partial<RealtimeConfig> = {},
): Promise<RealtimeConfig> {
  return {
    url,
    authToken: await tokenFor(userId),
    WebSocket,
    networkEvents: null,
    reconnectInterval: 20,
    maxReconnectDelay: 100,
    ...extra,
  }
}

/** An app's own store with the realtime reducer and middleware, recording every action. */
export function createAppStore(config: RealtimeConfig) {
  const realtime = createRealtime(config)
  const actions: UnknownAction[] = []
  const recorder: Middleware = () => (next) => (action) => {
    actions.push(action as UnknownAction)
    return next(action)
  }
  const store = configureStore({
    // The default reducerPath, 'realtime'.
    reducer: {
      app: (state: { name: string } = { name: 'app' }) => state,
      realtime: realtime.reducer,
    },
    middleware: (getDefault) => getDefault().concat(realtime.middleware, recorder),
  })
  const count = (type: string, room?: string) =>
    actions.filter(
      (a) =>
        a.type === type &&
        (room === undefined || (a.payload as { room?: string } | undefined)?.room === room),
    ).length
  return { realtime, store, actions, count }
}

/**
 * Unmounts everything rendered (the providers' disconnects run on a zero-delay timer), lets
 * the sockets close, then closes the world.
 */
export async function tearDown(world: World | undefined): Promise<void> {
  cleanup()
  await sleep(20)
  await world?.close()
}

export { createWorld, sleep, type World }
