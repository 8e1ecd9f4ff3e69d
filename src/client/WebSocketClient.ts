import type { Middleware, UnknownAction } from '@reduxjs/toolkit'
import type { RealtimeConfig } from '../config'
import { createRealtime, type Realtime } from '../createRealtime'
import { toError, WebSocketError } from '../errors'
import { WebSocketErrorCode } from '../protocol/codes'
import { MessageType } from '../protocol/messageTypes'
import { APP_MESSAGE_TYPE_RULE, isValidAppMessageType } from '../protocol/validate'
import type { SendMessageInput } from '../../slices/actions'
import { createNamespace, type Namespace } from '../../slices/namespace'
import type {
  AppMessageMap,
  AppMessageOf,
  AppMessageType,
  DefaultAppMessages,
} from '../../slices/appMessages'
import type { ConnectionInfo, PerformanceMetrics, WebSocketState } from '../../slices/types'
import type { OutcomeKind } from '../../middleware/outcomes'
import { createClientStore, type WebSocketClientStore } from './clientStore'
import {
  SUBSCRIBABLE_MESSAGE_TYPES,
  isSubscribableType,
  messagesFromAction,
  type SubscribableMessageType,
} from './messageEvents'
import { createSubscriptions, type MessageHandler, type Subscriptions } from './subscriptions'

/**
 * An app-defined message for `sendMessage`: one of the map's types with its data (durable:
 * acked, exactly once; use `realtime.actions.publish` for volatile ones).
 */
export type AppSendInput<M = DefaultAppMessages> = {
  [K in AppMessageType<M>]: { type: K; room: string; data: M[K]; id?: string }
}[AppMessageType<M>]

const isProtocolSend = (input: { type: unknown }): input is SendMessageInput =>
  input.type === MessageType.CHAT_MESSAGE || input.type === MessageType.DIRECT_MESSAGE

/**
 * The seed's framework-agnostic client: promises and callbacks over its own Redux store, built
 * from `createRealtime(config)` (the same reducer, middleware and selectors as everywhere
 * else). Use it where there is no app store; with one, use `createRealtime` directly.
 *
 * @example
 * import { WebSocket } from 'ws' // Node 20 has no global WebSocket; browsers need no option
 *
 * const client = new WebSocketClient(createDefaultConfig({
 *   url: 'localhost',
 *   port: 3000,
 *   authToken: 'your-jwt-token',
 *   enableLogging: true,
 *   autoReconnect: true,
 *   WebSocket,
 * }))
 * await client.connect()
 * await client.joinRoom('room-id')
 * const id = client.subscribe(MessageType.CHAT_MESSAGE, (m) => console.log(m.data.content), 'room-id')
 * await client.sendMessage({ type: MessageType.CHAT_MESSAGE, room: 'room-id', data: { content: 'Hello' } })
 * client.unsubscribe(id)
 * client.destroy()
 *
 * // App-defined messages, typed by a map: new WebSocketClient<AppMessages>(config)
 * client.subscribe('card_moved', (m) => moveCard(m.data.id, m.data.to), 'board')
 * await client.sendMessage({ type: 'card_moved', room: 'board', data: { id: 'c1', to: 'done' } })
 */
export class WebSocketClient<AppMessages extends AppMessageMap<AppMessages> = DefaultAppMessages> {
  /** `createRealtime(config)`: actions and selectors, for dispatching to `store` yourself. */
  readonly realtime: Realtime<AppMessages>
  /** The client's own store; `store.getState()` with `realtime.selectors` reads everything. */
  readonly store: WebSocketClientStore
  private readonly subscriptions: Subscriptions
  private readonly namespace: Namespace

  constructor(config: RealtimeConfig) {
    this.realtime = createRealtime<AppMessages, string>(config)
    this.namespace = createNamespace(this.realtime.reducerPath)
    const logger = config.enableLogging ? (config.logger ?? console) : console
    this.subscriptions = createSubscriptions((error, message) => {
      logger.error(`[redux-realtime] a ${message.type} subscriber threw`, error)
    })
    const observer: Middleware = () => (next) => (action) => {
      const result = next(action)
      this.observe(action as UnknownAction)
      return result
    }
    this.store = createClientStore(this.realtime, observer)
  }

  /** True once authenticated (`state === 'open'`). */
  get isConnected(): boolean {
    return this.realtime.selectors.selectIsConnected(this.store.getState())
  }

  get connectionState(): WebSocketState {
    return this.realtime.selectors.selectConnectionState(this.store.getState())
  }

  /**
   * Connects and authenticates. Resolves once open (at once if it already is); rejects with a
   * `WebSocketError` (e.g. `AUTHENTICATION_FAILED`, `RECONNECT_FAILED`) if the connection
   * closes for good first. While reconnecting after failed attempts, it keeps waiting.
   */
  connect(): Promise<void> {
    if (this.isConnected) return Promise.resolve()
    return this.settle('connect', () => this.store.dispatch(this.actions.connect()))
  }

  /** Closes the connection and stops reconnecting. Rooms and unsent messages are kept. */
  disconnect(): void {
    this.store.dispatch(this.actions.disconnect())
  }

  /** Drops the socket and connects again; resolves when open again, rejects if it closes for good. */
  reconnect(): Promise<void> {
    return this.settle('connect', () => this.store.dispatch(this.actions.reconnect()))
  }

  /**
   * Sends a chat message (`type: MessageType.CHAT_MESSAGE` with `room`), a direct message
   * (`MessageType.DIRECT_MESSAGE` with `data.to`) or an app-defined message (its type name,
   * `room` and JSON `data`; durable, as `publish`). It is queued at once and kept across
   * reconnects; the promise resolves when the server acknowledges it and rejects with a
   * `WebSocketError` when it fails (`MESSAGE_TOO_LARGE`, `QUEUE_FULL`, `FORBIDDEN`, …).
   * Sending to a room not joined yet joins it first. Invalid input rejects with a `TypeError`.
   */
  sendMessage(input: SendMessageInput | AppSendInput<AppMessages>): Promise<void> {
    let action:
      ReturnType<typeof this.actions.sendMessage> | ReturnType<typeof this.actions.publish>
    try {
      action = isProtocolSend(input) ? this.actions.sendMessage(input) : this.actions.publish(input)
    } catch (error) {
      return Promise.reject(toError(error))
    }
    const message = action.payload
    const room = 'room' in message ? message.room : undefined
    // Settled by the middleware from the server's ack or error, never from actions seen.
    return this.settle(
      'message',
      () => {
        if (room !== undefined && !this.isJoinedOrJoining(room)) {
          this.store.dispatch(this.actions.joinRoom(room))
        }
        this.store.dispatch(action)
      },
      message.id,
    )
  }

  /**
   * Joins a room (rejoined with resume after every reconnect). Resolves when the server
   * confirms (at once if joined); rejects with a `WebSocketError` (`FORBIDDEN`, …) if refused.
   */
  joinRoom(room: string): Promise<void> {
    if (this.getRooms().includes(room)) return Promise.resolve()
    return this.settle('join', () => this.store.dispatch(this.actions.joinRoom(room)), room)
  }

  /** Leaves a room; its messages that have not gone out yet fail with `NOT_JOINED`. */
  leaveRoom(room: string): Promise<void> {
    try {
      this.store.dispatch(this.actions.leaveRoom(room))
      return Promise.resolve()
    } catch (error) {
      return Promise.reject(toError(error))
    }
  }

  /**
   * Calls `handler` with each incoming message of `type` (only those of `room`, when given),
   * shaped as the seed's `{ id, type, timestamp, userId?, room?, data }`; `type` may be an
   * app-defined message type (durable ones carry `seq`; your own durable ones come back once
   * acked). Handlers run after the store has been updated; one that throws is logged and does
   * not affect the others. Returns the id to pass to `unsubscribe`.
   */
  subscribe<T extends SubscribableMessageType>(
    type: T,
    handler: MessageHandler<T>,
    room?: string,
  ): string
  subscribe<K extends AppMessageType<AppMessages>>(
    type: K extends MessageType ? never : K,
    handler: (message: AppMessageOf<AppMessages, K>) => void,
    room?: string,
  ): string
  subscribe(type: string, handler: (message: never) => void, room?: string): string {
    if (!isSubscribableType(type) && !isValidAppMessageType(type)) {
      throw new TypeError(
        `subscribe: ${JSON.stringify(type)} is never delivered to subscribers; use one of ${SUBSCRIBABLE_MESSAGE_TYPES.join(', ')}, or an app-defined type: ${APP_MESSAGE_TYPE_RULE}`,
      )
    }
    if (typeof handler !== 'function') {
      throw new TypeError('subscribe(type, handler, room?): handler must be a function')
    }
    return this.subscriptions.add(type, handler, room)
  }

  /** Stops a subscription; false if the id was unknown or already removed. */
  unsubscribe(subscriptionId: string): boolean {
    return this.subscriptions.remove(subscriptionId)
  }

  /**
   * Uses a new token. On a live connection it is sent at once and the promise resolves when
   * the server accepts it (rejects with `AUTHENTICATION_FAILED` if refused); otherwise it is
   * kept for the next connect and the promise resolves at once.
   */
  authenticate(token: string): Promise<void> {
    const command = () => this.store.dispatch(this.actions.authenticate(token))
    if (!this.isConnected) {
      try {
        command()
        return Promise.resolve()
      } catch (error) {
        return Promise.reject(toError(error))
      }
    }
    return this.settle('authenticate', command)
  }

  /** The seed's `PerformanceMetrics` (times as epoch ms). */
  getPerformanceMetrics(): PerformanceMetrics {
    return this.realtime.selectors.selectPerformanceMetrics(this.store.getState())
  }

  /** The seed's `ConnectionInfo` (times as epoch ms). */
  getConnectionInfo(): ConnectionInfo {
    return this.realtime.selectors.selectConnectionInfo(this.store.getState())
  }

  /** Rooms the server has confirmed as joined. */
  getRooms(): string[] {
    return this.realtime.selectors.selectRooms(this.store.getState())
  }

  /** Disconnects, drops every subscription and rejects every pending call. */
  destroy(): void {
    this.subscriptions.clear()
    const destroyed = new WebSocketError(
      WebSocketErrorCode.CONNECTION_FAILED,
      'the WebSocketClient was destroyed',
      { context: 'client' },
    )
    this.realtime.outcomes.rejectAll(destroyed)
    this.store.dispatch(this.actions.disconnect())
  }

  private get actions() {
    return this.realtime.actions
  }

  /**
   * The outcome of what `start` dispatches, as the middleware settles it from what the server
   * said (the one mechanism `unwrap()` uses too).
   */
  private settle(kind: OutcomeKind, start: () => unknown, key = ''): Promise<void> {
    return this.realtime.outcomes.wait(kind, key, () => void start()).then(() => undefined)
  }

  private isJoinedOrJoining(room: string): boolean {
    const status = this.realtime.selectors.selectRoomStatus(this.store.getState(), room)?.status
    return status === 'joining' || status === 'joined'
  }

  private observe(action: UnknownAction): void {
    if (this.subscriptions.size === 0) return
    // Subscribers are defined on the canonical event types, whatever this instance's reducerPath.
    const event = this.namespace.toCanonical(action)
    if (event) this.subscriptions.deliver(messagesFromAction(event))
  }
}
