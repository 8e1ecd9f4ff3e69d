import { createSelector } from '@reduxjs/toolkit'
import { calculateHealthScore } from '../src/health'
import { isPrivateStream } from '../src/protocol/streams'
import { createFeatureSelectors } from './featureSelectors'
import type { RealtimeState } from './realtimeReducer'
import type { ChatMessage, ConnectionInfo, OutboxEntry, PerformanceMetrics } from './types'
import { devText } from '../src/dev'

const EMPTY: readonly ChatMessage[] = Object.freeze([])
const EMPTY_ENTRIES: readonly OutboxEntry[] = Object.freeze([])

/**
 * Selectors over the root state, for the realtime state at `reducerPath`.
 *
 * @example
 * const { selectMessagesByRoom } = createSelectors('realtime')
 * selectMessagesByRoom(store.getState(), 'general')
 */
export function createSelectors(reducerPath: string) {
  const selectRealtime = (root: unknown): RealtimeState => {
    const slice = (root as Record<string, RealtimeState | undefined>)[reducerPath]
    if (slice === undefined) {
      throw new Error(
        `redux-realtime: no state at "${reducerPath}"${devText(() => (process.env.NODE_ENV !== 'production' ? '. Add realtime.reducer to your store under [realtime.reducerPath].' : ''))}`,
      )
    }
    return slice
  }
  const selectConnection = (root: unknown) => selectRealtime(root).connection

  const selectConnectionState = (root: unknown) => selectConnection(root).state
  const selectIsConnected = (root: unknown) => selectConnection(root).state === 'open'
  const selectConnectionInfo = createSelector([selectConnection], (connection): ConnectionInfo => ({
    state: connection.state,
    ...connection.info,
  }))
  const selectPerformanceMetrics = (root: unknown): PerformanceMetrics =>
    selectConnection(root).metrics
  const selectHealthScore = createSelector([selectPerformanceMetrics], calculateHealthScore)
  const selectLastError = (root: unknown) => selectConnection(root).lastError
  const selectTransition = (root: unknown) => selectConnection(root).transition

  const selectRoomMemberships = (root: unknown) => selectRealtime(root).rooms
  const selectRooms = createSelector([selectRoomMemberships], (rooms): string[] =>
    Object.keys(rooms).filter((name) => rooms[name]?.status === 'joined' && !isPrivateStream(name)),
  )
  const selectRoomStatus = (root: unknown, room: string) => {
    const rooms = selectRoomMemberships(root)
    return Object.hasOwn(rooms, room) ? rooms[room] : undefined
  }
  const selectRoomChat = (root: unknown, room: string) => {
    const byRoom = selectRealtime(root).chat.byRoom
    return Object.hasOwn(byRoom, room) ? byRoom[room] : undefined
  }
  /** Messages of a room in seq order, then own unconfirmed ones. Stable reference per room state. */
  const selectMessagesByRoom = (root: unknown, room: string): readonly ChatMessage[] =>
    selectRoomChat(root, room)?.messages ?? EMPTY
  /** Flattened once per outbox state: the same array while the outbox is unchanged. */
  const flat = new WeakMap<object, readonly OutboxEntry[]>()
  const selectPendingMessages = (root: unknown): readonly OutboxEntry[] => {
    const box = selectRealtime(root).outbox
    let entries = flat.get(box)
    if (!entries) {
      entries = box.count === 0 ? EMPTY_ENTRIES : box.chunks.flat()
      flat.set(box, entries)
    }
    return entries
  }
  /** How many messages wait for the server's ack, without building the list. */
  const selectPendingCount = (root: unknown): number => selectRealtime(root).outbox.count

  return {
    ...createFeatureSelectors(selectRealtime),
    selectRealtime,
    selectConnectionState,
    selectIsConnected,
    selectConnectionInfo,
    selectPerformanceMetrics,
    selectHealthScore,
    selectLastError,
    selectTransition,
    selectRooms,
    selectRoomStatus,
    selectRoomChat,
    selectMessagesByRoom,
    selectPendingMessages,
    selectPendingCount,
  }
}

export type RealtimeSelectors = ReturnType<typeof createSelectors>
