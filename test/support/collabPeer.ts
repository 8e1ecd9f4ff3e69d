import { configureStore, type Middleware, type UnknownAction } from '@reduxjs/toolkit'
import { WebSocket } from 'ws'
import { createCollab, type CollabOptions } from '../../src/collab'
import { createRealtime, type RealtimeConfig } from '../../src'
import { tokenFor } from './tokens'
import { waitForState } from './waitForState'

export type CollabPeer = Awaited<ReturnType<typeof createCollabPeer>>

/**
 * A real store with the realtime reducer and middleware plus the collab plugin, RTK's default
 * serializability and immutability checks on (no ignore lists), talking to a real server
 * through `ws`. Like `createTestClient`, with `plugins: [createCollab(collab)]`.
 */
export async function createCollabPeer(
  url: string,
  userId: string,
  config: Partial<RealtimeConfig> = {},
  collab: CollabOptions = {},
) {
  const token = await tokenFor(userId)
  const realtime = createRealtime({
    url,
    authToken: token,
    WebSocket: WebSocket,
    networkEvents: null,
    reconnectInterval: 20,
    maxReconnectDelay: 100,
    ...config,
    plugins: [createCollab({ textThrottleMs: 20, ...collab })],
  })
  const dispatched: UnknownAction[] = []
  const recorder: Middleware = () => (next) => (action) => {
    dispatched.push(action as UnknownAction)
    return next(action)
  }
  const store = configureStore({
    reducer: { realtime: realtime.reducer },
    middleware: (getDefault) => getDefault().prepend(realtime.middleware).concat(recorder),
  })
  type State = ReturnType<typeof store.getState>

  function waitFor(
    predicate: (state: State) => boolean,
    timeoutMs = 10_000,
    what = 'condition',
  ): Promise<State> {
    return waitForState(
      store,
      predicate,
      timeoutMs,
      () =>
        `${userId}: timed out waiting for ${what}: ${JSON.stringify(store.getState().realtime.documents)}`,
    )
  }

  const doc = (docId: string) => realtime.selectors.selectDocument(store.getState(), docId)
  return {
    userId,
    realtime,
    store,
    actions: realtime.actions,
    dispatched,
    waitFor,
    doc,
    /** The live Y.Doc's text (not the throttled snapshot). */
    liveText: (docId: string) => realtime.documents.get(docId)?.getText('content').toJSON(),
    waitForStatus: (docId: string, status: string, timeoutMs = 10_000) =>
      waitFor(
        (s) => realtime.selectors.selectDocument(s, docId)?.status === status,
        timeoutMs,
        `${docId} ${status}`,
      ),
    dispose() {
      store.dispatch(realtime.actions.disconnect())
    },
  }
}
