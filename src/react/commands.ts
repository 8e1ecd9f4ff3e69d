import type { Dispatch, Store } from '@reduxjs/toolkit'
import {
  MessageType,
  type Attachment,
  type ConnectionInfo,
  type PerformanceMetrics,
  type Realtime,
  type SendMessageInput,
} from './core'
import { cached } from './cached'
import { devText } from './dev'
import { joinUnlessJoined } from './retainRoom'
import { dispatchingNone } from './useBinding'

/** The extras of a chat or direct message besides its content. */
export interface MessageExtras {
  replyTo?: string
  mentions?: string[]
  attachments?: Attachment[]
}

/**
 * What `sendMessage` accepts: the core's `SendMessageInput`. The room of a chat message is
 * optional in the type only so the seed's `{ type: MessageType.CHAT_MESSAGE, data }` compiles;
 * without one the promise rejects with a `TypeError` that says to add it.
 */
export type HandleMessageInput =
  | SendMessageInput
  | (Omit<Extract<SendMessageInput, { type: 'chat_message' }>, 'room'> & { room?: undefined })

/** The commands of a `WebSocketHandle`: the same for every render of one store. */
export interface WebSocketCommands {
  /** Opens the connection (no-op when connecting or open). Providers do this for you. */
  connect: () => void
  /** Closes the connection and stops reconnecting. */
  disconnect: () => void
  /** Drops the socket and connects again. */
  reconnect: () => void
  /**
   * Sends a chat message (with `room`) or a direct message (`MessageType.DIRECT_MESSAGE` with
   * `data.to`); joins the room first when needed. Resolves when the server acknowledges it,
   * rejects with a `WebSocketError` if it fails (or a `TypeError` for invalid input).
   */
  sendMessage: (message: HandleMessageInput) => Promise<void>
  /** `sendMessage` for a chat message to `room`; resolves on the server's ack. */
  sendChatMessage: (content: string, room: string, extras?: MessageExtras) => Promise<void>
  /** Sends a direct message to `userId`; resolves on the server's ack. */
  sendDirectMessage: (content: string, userId: string, extras?: MessageExtras) => Promise<void>
  /** Joins a room; resolves when the server confirms, rejects if it refuses. */
  joinRoom: (room: string) => Promise<void>
  /** Leaves a room; its messages that have not gone out fail with `NOT_JOINED`. */
  leaveRoom: (room: string) => Promise<void>
  /** Rooms the server confirmed as joined, now. */
  getRooms: () => string[]
  /** The seed's `PerformanceMetrics`, now (times as epoch ms). */
  getPerformanceMetrics: () => PerformanceMetrics
  /** The seed's `ConnectionInfo`, now (times as epoch ms). */
  getConnectionInfo: () => ConnectionInfo
  dispatch: Dispatch
}

const cache = new WeakMap<Store, WeakMap<Realtime, WebSocketCommands>>()

function build(store: Store, realtime: Realtime): WebSocketCommands {
  const { actions, selectors } = realtime
  const dispatch = store.dispatch
  const send = (input: SendMessageInput) => {
    const action = actions.sendMessage(input)
    const message = action.payload
    if (message.type === MessageType.CHAT_MESSAGE) joinUnlessJoined(store, realtime, message.room)
    return settledBy('message', message.id, () => dispatch(action))
  }
  // Settled by the middleware from the server's answer, never from state (time travel).
  const settledBy = (kind: 'message' | 'join', key: string, start: () => void) =>
    realtime.outcomes.wait(kind, key, start).then(() => undefined)
  return {
    connect: dispatchingNone(store, actions.connect),
    disconnect: dispatchingNone(store, actions.disconnect),
    reconnect: dispatchingNone(store, actions.reconnect),
    // Async: a throw (invalid input) becomes the promise's rejection; the body up to the first
    // await (validating and dispatching) still runs during the call.
    sendMessage: async (message) => {
      if (message?.type === MessageType.CHAT_MESSAGE && message.room === undefined) {
        throw new TypeError(
          `sendMessage: a chat message needs its room${devText(() =>
            process.env.NODE_ENV !== 'production'
              ? ", e.g. { type: MessageType.CHAT_MESSAGE, room: 'general', data: { content: 'Hi' } } (or use sendChatMessage(content, room))"
              : '',
          )}`,
        )
      }
      return send(message)
    },
    sendChatMessage: async (content, room, extras) =>
      send({ type: MessageType.CHAT_MESSAGE, room, data: { ...extras, content } }),
    sendDirectMessage: async (content, userId, extras) =>
      send({ type: MessageType.DIRECT_MESSAGE, data: { ...extras, to: userId, content } }),
    joinRoom: async (room) => {
      const action = actions.joinRoom(room)
      if (selectors.selectRooms(store.getState()).includes(room)) return
      return settledBy('join', room, () => dispatch(action))
    },
    leaveRoom: async (room) => {
      dispatch(actions.leaveRoom(room))
      return Promise.resolve()
    },
    getRooms: () => selectors.selectRooms(store.getState()),
    getPerformanceMetrics: () => selectors.selectPerformanceMetrics(store.getState()),
    getConnectionInfo: () => selectors.selectConnectionInfo(store.getState()),
    dispatch,
  }
}

/** The commands for a store and its realtime instance, built once per pair. */
export function commandsFor(store: Store, realtime: Realtime): WebSocketCommands {
  const byRealtime = cached(cache, store, () => new WeakMap<Realtime, WebSocketCommands>())
  return cached(byRealtime, realtime, () => build(store, realtime))
}
