/**
 * The clients the benchmark measures, all against the servers of `benchServer.ts`:
 * - the package (`createRealtime` + `configureStore`), counting what its reducers were given;
 * - a raw `ws` client that `JSON.parse`s every frame (the baseline);
 * - `@giantmachines/redux-websocket` (the peer), when it is installed.
 * `delivery`: 'node' is `ws`'s default (many messages per socket read), 'browser' delivers one
 * message per event-loop task as browsers do (`allowSynchronousEvents: false`).
 */
import { configureStore, type Middleware, type Reducer, type UnknownAction } from '@reduxjs/toolkit'
import { WebSocket } from 'ws'
import { createRealtime, type RealtimeConfig, type WebSocketConstructor } from '../../src'
import { encodeFrame, makeFrame } from '../../src/protocol'
import { CONTROL_ROOM, STREAM_ROOMS } from './benchServer'
import { within } from './rows'

/** The longest any one wait of a run may take. */
const WAIT_MS = 120_000

export type Delivery = 'node' | 'browser'

export class BrowserLikeWebSocket extends WebSocket {
  constructor(url: string, protocols?: string | string[]) {
    super(url, protocols, { allowSynchronousEvents: false })
  }
}

export const socketClass = (delivery: Delivery): WebSocketConstructor =>
  delivery === 'browser' ? BrowserLikeWebSocket : WebSocket

const QUIET = { debug() {}, warn() {}, error() {} }

/**
 * RTK's default checks, unchanged except for their "took more than 32 ms" console warning,
 * which would print hundreds of times under this load (`warnAfter` only moves that warning).
 */
const DEV_CHECKS = {
  immutableCheck: { warnAfter: Number.MAX_SAFE_INTEGER },
  serializableCheck: { warnAfter: Number.MAX_SAFE_INTEGER },
}
const PRODUCTION = { serializableCheck: false, immutableCheck: false } as const

export interface PackageClientOptions {
  url: string
  delivery: Delivery
  /** RTK's default dev checks (immutability, serializability) on. */
  checks: boolean
  rooms?: readonly string[]
  token?: string
  config?: Partial<RealtimeConfig>
}

/**
 * A connected store of the package, joined to `rooms` and CONTROL_ROOM. `applied()` counts the
 * messages handed to reducers in `chat/messagesReceived` (what slices reduce), and `until(n)`
 * resolves once that many were.
 */
export async function packageClient(options: PackageClientOptions) {
  const rooms = options.rooms ?? STREAM_ROOMS
  const realtime = createRealtime({
    url: options.url,
    WebSocket: socketClass(options.delivery),
    authToken: options.token ?? 'bench-token',
    networkEvents: null,
    autoReconnect: false,
    logger: QUIET,
    ...options.config,
  })
  let applied = 0
  let waiting: { count: number; resolve: () => void } | null = null
  const counter: Middleware = () => (next) => (action) => {
    if (realtime.events.chat.messagesReceived.match(action)) {
      applied += action.payload.messages.length
      if (waiting && applied >= waiting.count) {
        const { resolve } = waiting
        waiting = null
        resolve()
      }
    }
    return next(action)
  }
  const store = configureStore({
    reducer: { [realtime.reducerPath]: realtime.reducer },
    middleware: (getDefault) =>
      getDefault(options.checks ? DEV_CHECKS : PRODUCTION)
        .prepend(realtime.middleware)
        .concat(counter),
    devTools: false,
  })
  await store.dispatch(realtime.actions.connect()).unwrap()
  await Promise.all(
    [...rooms, CONTROL_ROOM].map((room) =>
      store.dispatch(realtime.actions.joinRoom(room)).unwrap(),
    ),
  )
  return {
    realtime,
    store,
    applied: () => applied,
    /** Resolves once `count` messages in all were handed to reducers. */
    until(count: number): Promise<void> {
      if (applied >= count) return Promise.resolve()
      const reached = new Promise<void>((resolve) => (waiting = { count, resolve }))
      return within(reached, WAIT_MS, `${count} messages reaching the reducers`)
    },
    /** Sends one chat message to CONTROL_ROOM (the fake server's "go") and resolves on its ack. */
    go: (content = 'go') =>
      store.dispatch(realtime.actions.sendChatMessage({ room: CONTROL_ROOM, content })).unwrap(),
    close() {
      store.dispatch(realtime.actions.disconnect())
    },
  }
}

export type PackageClient = Awaited<ReturnType<typeof packageClient>>

/** Frames/s from "go" until every one of `frames` streamed frames reached the reducers. */
export async function ingestPackage(
  url: string,
  delivery: Delivery,
  checks: boolean,
  frames: number,
): Promise<number> {
  const client = await packageClient({ url: `${url}/?frames=${frames}`, delivery, checks })
  const started = performance.now()
  void client.go()
  await client.until(frames)
  const seconds = (performance.now() - started) / 1000
  const kept = STREAM_ROOMS.map(
    (room) => client.realtime.selectors.selectMessagesByRoom(client.store.getState(), room).length,
  ).reduce((a, b) => a + b, 0)
  client.close()
  const expected = Math.min(frames, STREAM_ROOMS.length * 1000)
  if (kept !== expected) throw new Error(`ingest: ${kept} messages in state, expected ${expected}`)
  return frames / seconds
}

/** A raw socket joined like the package: auth, the rooms and CONTROL_ROOM. */
export async function rawClient(url: string, delivery: Delivery, rooms = STREAM_ROOMS) {
  const socket = new WebSocket(url, { allowSynchronousEvents: delivery === 'node' })
  let onFrame: (frame: { type?: string; data?: { refId?: string } }) => void = () => {}
  socket.onmessage = (event) => onFrame(JSON.parse(event.data as string) as never)
  await new Promise<void>((resolve, reject) => {
    socket.onopen = () => resolve()
    socket.onerror = (event) => reject(event.error as Error)
  })
  const joins = [...rooms, CONTROL_ROOM].length
  await within(
    new Promise<void>((resolve) => {
      let joined = 0
      onFrame = (frame) => {
        if (frame.type === 'joined' && ++joined === joins) resolve()
      }
      socket.send(encodeFrame(makeFrame('auth', { data: { token: 'bench-token' } })))
      for (const room of [...rooms, CONTROL_ROOM])
        socket.send(encodeFrame(makeFrame('join', { room, data: {} })))
    }),
    WAIT_MS,
    'raw ws joining',
  )
  return {
    socket,
    /** Every frame after this call goes to `handler`, parsed. */
    onFrame(handler: typeof onFrame) {
      onFrame = handler
    },
    /** Sends one chat message to CONTROL_ROOM; returns its id. */
    chat(content = 'go'): string {
      const frame = makeFrame('chat_message', { room: CONTROL_ROOM, data: { content } })
      socket.send(encodeFrame(frame))
      return frame.id
    },
  }
}

/** The baseline: the same frames read and `JSON.parse`d by a raw `ws` client. */
export async function ingestRaw(url: string, delivery: Delivery, frames: number): Promise<number> {
  const client = await rawClient(`${url}/?frames=${frames}`, delivery)
  let received = 0
  const done = new Promise<void>((resolve) =>
    client.onFrame((frame) => {
      if (frame.type === 'chat_message' && ++received === frames) resolve()
    }),
  )
  const started = performance.now()
  client.chat()
  await within(done, WAIT_MS, `raw ws receiving ${frames} frames`)
  const seconds = (performance.now() - started) / 1000
  client.socket.close()
  return frames / seconds
}

interface PeerModule {
  default: (options?: {
    deserializer?: (message: unknown) => unknown
    reconnectOnClose?: boolean
  }) => Middleware
  connect: (url: string) => UnknownAction
  disconnect: () => UnknownAction
  send: (message: unknown) => UnknownAction
}

/** `@giantmachines/redux-websocket`, or the reason it cannot be loaded. */
export async function loadPeer(): Promise<PeerModule | string> {
  try {
    const loaded = (await import('@giantmachines/redux-websocket')) as unknown as
      PeerModule | { default: PeerModule }
    const peer =
      typeof (loaded as PeerModule).default === 'function'
        ? (loaded as PeerModule)
        : (loaded as { default: PeerModule }).default
    if (typeof peer.default !== 'function') return 'its module has no default middleware factory'
    return peer
  } catch (error) {
    return `not installed (${(error as Error).message.split('\n')[0]})`
  }
}

interface PeerMessage {
  type?: string
  room?: string
  data?: { refId?: string }
}

interface PeerState {
  joined: number
  /** Room → its newest messages, at most 1000 (the package's default `maxMessagesPerRoom`). */
  byRoom: Record<string, PeerMessage[]>
}

const PEER_MESSAGE = 'REDUX_WEBSOCKET::MESSAGE'
const PEER_OPEN = 'REDUX_WEBSOCKET::OPEN'

/**
 * The peer's reducer, as small as we could make it fair: on every MESSAGE action (one per
 * frame, `JSON.parse`d by the peer's deserializer, nothing validated), a `joined` is counted
 * and a `chat_message` is appended to its room's array, keeping the newest 1000 like the
 * package does, with no Immer and a null-prototype room record.
 */
const peerReducer: Reducer<PeerState> = (
  state = { joined: 0, byRoom: Object.create(null) as Record<string, PeerMessage[]> },
  action,
) => {
  if (action.type !== PEER_MESSAGE) return state
  const message = (action as { payload?: { message?: PeerMessage } }).payload?.message
  if (message?.type === 'joined') return { ...state, joined: state.joined + 1 }
  if (message?.type !== 'chat_message' || message.room === undefined) return state
  const list = state.byRoom[message.room] ?? []
  const next = list.length >= 1000 ? [...list.slice(1), message] : [...list, message]
  const byRoom = Object.assign(Object.create(null) as Record<string, PeerMessage[]>, state.byRoom)
  byRoom[message.room] = next
  return { ...state, byRoom }
}

/** The peer on the same frames, RTK checks off (its actions carry an Event and a Date). */
export async function ingestPeer(
  peer: PeerModule,
  url: string,
  delivery: Delivery,
  frames: number,
): Promise<number> {
  const rooms = [...STREAM_ROOMS, CONTROL_ROOM]
  let received = 0
  let joinedAll: () => void = () => {}
  let finished: () => void = () => {}
  const joined = new Promise<void>((resolve) => (joinedAll = resolve))
  const done = new Promise<void>((resolve) => (finished = resolve))
  const counter: Middleware = (api) => (next) => (action) => {
    const result = next(action)
    const { type } = action as UnknownAction
    if (type === PEER_OPEN) {
      api.dispatch(peer.send(makeFrame('auth', { data: { token: 'bench-token' } })))
      for (const room of rooms) api.dispatch(peer.send(makeFrame('join', { room, data: {} })))
    } else if (type === PEER_MESSAGE) {
      const message = (action as { payload?: { message?: PeerMessage } }).payload?.message
      if (
        message?.type === 'joined' &&
        (api.getState() as { peer: PeerState }).peer.joined === rooms.length
      )
        joinedAll()
      else if (message?.type === 'chat_message' && ++received === frames) finished()
    }
    return result
  }
  // The peer opens `new WebSocket(url)` on the global, as in a browser.
  const globals = globalThis as { WebSocket?: unknown }
  const previous = globals.WebSocket
  globals.WebSocket = socketClass(delivery)
  const store = configureStore({
    reducer: { peer: peerReducer },
    middleware: (getDefault) =>
      getDefault({ serializableCheck: false, immutableCheck: false }).concat(
        peer.default({ deserializer: (m) => JSON.parse(m as string), reconnectOnClose: false }),
        counter,
      ),
    devTools: false,
  })
  store.dispatch(peer.connect(`${url}/?frames=${frames}`))
  await within(joined, WAIT_MS, 'the peer joining')
  const started = performance.now()
  store.dispatch(
    peer.send(makeFrame('chat_message', { room: CONTROL_ROOM, data: { content: 'go' } })),
  )
  await within(done, WAIT_MS, `the peer receiving ${frames} frames`)
  const seconds = (performance.now() - started) / 1000
  store.dispatch(peer.disconnect())
  globals.WebSocket = previous
  const kept = STREAM_ROOMS.map((room) => store.getState().peer.byRoom[room]?.length ?? 0).reduce(
    (a, b) => a + b,
    0,
  )
  if (kept !== Math.min(frames, STREAM_ROOMS.length * 1000))
    throw new Error(`peer: ${kept} messages in state`)
  return frames / seconds
}
