import type { UnknownAction } from '@reduxjs/toolkit'
import { configureStore as configureMockStore } from 'redux-mock-store'
import { vi } from 'vitest'
import { createRealtime } from '../../../src/createRealtime'
import type { RealtimeConfig } from '../../../src/config'
import type { Frame } from '../../../src/protocol/frames'
import type { RealtimeState } from '../../../slices/realtimeReducer'

type Listener = (event: unknown) => void

/**
 * A WebSocket the test drives: it records what the client sends, and the test decides when it
 * opens, what arrives and how it closes. Every instance is kept in `FakeSocket.instances`.
 */
export class FakeSocket {
  static readonly CONNECTING = 0
  static readonly OPEN = 1
  static readonly CLOSING = 2
  static readonly CLOSED = 3
  static instances: FakeSocket[] = []

  readyState = FakeSocket.CONNECTING
  binaryType = 'blob'
  readonly sent: string[] = []
  /** What the client passed to `close()`, if it closed the socket. */
  closedBy: { code?: number; reason?: string } | null = null
  private readonly listeners = new Map<string, Set<Listener>>()

  constructor(
    readonly url: string,
    readonly protocols?: string | string[],
  ) {
    FakeSocket.instances.push(this)
  }

  static latest(): FakeSocket {
    const socket = FakeSocket.instances[FakeSocket.instances.length - 1]
    if (!socket) throw new Error('no socket was created')
    return socket
  }

  addEventListener(type: string, listener: Listener): void {
    let set = this.listeners.get(type)
    if (!set) this.listeners.set(type, (set = new Set()))
    set.add(listener)
  }

  removeEventListener(type: string, listener: Listener): void {
    this.listeners.get(type)?.delete(listener)
  }

  send(data: string): void {
    if (this.readyState !== FakeSocket.OPEN) throw new Error('send() on a socket that is not open')
    this.sent.push(data)
  }

  close(code?: number, reason?: string): void {
    this.closedBy = {
      ...(code !== undefined ? { code } : {}),
      ...(reason !== undefined ? { reason } : {}),
    }
    if (this.readyState === FakeSocket.CLOSED) return
    this.readyState = FakeSocket.CLOSING
    // As in browsers, the close event follows later.
    queueMicrotask(() => this.serverClose(code ?? 1005, reason ?? ''))
  }

  /** The server accepted the connection. */
  open(): void {
    this.readyState = FakeSocket.OPEN
    this.emit('open', { type: 'open' })
  }

  /**
   * A message arrives: a frame object (sent as JSON) or raw text. A `joined` without `refId`
   * answers the last `join` this socket sent for its room, as the server does.
   */
  deliver(frame: object | string): void {
    this.emit('message', {
      type: 'message',
      data: typeof frame === 'string' ? frame : JSON.stringify(this.answering(frame)),
    })
  }

  /** The id of the last `join` sent for `room`. */
  lastJoinId(room: string): string | undefined {
    return this.frames()
      .filter((f) => f.type === 'join' && f.room === room)
      .at(-1)?.id
  }

  private answering(frame: object): object {
    const f = frame as { type?: unknown; room?: unknown; data?: Record<string, unknown> }
    if (f.type !== 'joined' || typeof f.room !== 'string' || f.data?.refId !== undefined)
      return frame
    const refId = this.lastJoinId(f.room)
    return refId === undefined ? frame : { ...f, data: { ...f.data, refId } }
  }

  /** The connection ends with this code. */
  serverClose(code: number, reason = ''): void {
    if (this.readyState === FakeSocket.CLOSED) return
    this.readyState = FakeSocket.CLOSED
    this.emit('close', { type: 'close', code, reason, wasClean: code === 1000 })
  }

  /** The connection attempt fails, as a browser reports it: `error`, then close 1006. */
  fail(): void {
    this.emit('error', { type: 'error', message: 'connection refused' })
    this.serverClose(1006)
  }

  /** Sent frames, parsed, with batches expanded. */
  frames(): Frame[] {
    return this.sent.flatMap((text) => {
      const frame = JSON.parse(text) as Frame
      return frame.type === 'batch' ? frame.data.frames : [frame]
    })
  }

  /** Types of the frames sent, batches expanded. */
  types(): string[] {
    return this.frames().map((f) => f.type)
  }

  private emit(type: string, event: object): void {
    for (const listener of [...(this.listeners.get(type) ?? [])]) listener(event)
  }
}

/** Frames a server would send, with the envelope filled in. */
let serverIds = 0
export function serverFrame(
  type: string,
  fields: Record<string, unknown> = {},
): Record<string, unknown> {
  return { v: 1, id: `srv-${++serverIds}`, type, timestamp: Date.now(), data: {}, ...fields }
}

export const authOk = (epoch = 'epoch-1') =>
  serverFrame('auth_ok', { data: { userId: 'alice', sessionId: 'session-1', epoch } })

export const joined = (room: string, data: Partial<Record<string, unknown>> = {}) =>
  serverFrame('joined', {
    room,
    data: { epoch: 'epoch-1', fromSeq: 0, headSeq: 0, resumed: false, gap: false, ...data },
  })

export const chatFrame = (
  room: string,
  seq: number,
  content = `message ${seq}`,
  id = `m-${room}-${seq}`,
) => serverFrame('chat_message', { id, room, seq, userId: 'bob', data: { content } })

export const errorFrame = (code: string, refId?: string, extra: Record<string, unknown> = {}) =>
  serverFrame('error', {
    data: {
      code,
      message: `server says ${code}`,
      ...(refId !== undefined ? { refId } : {}),
      ...extra,
    },
  })

export const ackFrame = (room: string, refId: string, seq: number) =>
  serverFrame('ack', { room, data: { refId, seq } })

/** The actions of `type` the store has seen. */
export function actionsOf(
  actions: UnknownAction[],
  type: string,
): Array<UnknownAction & { payload: any }> {
  return actions.filter((a) => a.type === type) as Array<UnknownAction & { payload: any }>
}

/**
 * A redux-mock-store with the realtime middleware, whose state is the real reducer run over
 * every action dispatched so far. Call after `vi.useFakeTimers()`: the middleware reads the
 * clock when the store is built.
 */
export function createHarness(config: Partial<RealtimeConfig> = {}) {
  const network = new EventTarget()
  const realtime = createRealtime({
    url: 'ws://127.0.0.1:1',
    WebSocket: FakeSocket,
    networkEvents: network,
    authToken: 't',
    ...config,
  })
  let state: RealtimeState = realtime.reducer(undefined, { type: 'init' })
  let reduced = 0
  const mockStore = configureMockStore<{ realtime: RealtimeState }>([realtime.middleware])
  const store = mockStore((actions) => {
    while (reduced < actions.length)
      state = realtime.reducer(state, actions[reduced++] as UnknownAction)
    return { realtime: state }
  })
  const actions = () => store.getActions() as UnknownAction[]
  return {
    realtime,
    store,
    network,
    actions,
    state: () => store.getState().realtime,
    ofType: (type: string) => actionsOf(actions(), type),
    types: () => actions().map((a) => a.type),
  }
}

/** Answers every `join` the socket sent with a `joined` (fresh room, epoch-1), as the server would. */
export async function answerJoins(socket: FakeSocket): Promise<void> {
  for (const f of socket.frames()) {
    if (f.type === 'join') socket.deliver(joined(f.room, { refId: f.id }))
  }
  await tick(WINDOW)
}

/** The default `batchWindowMs`: frames after a flushed one wait until the window ends. */
export const WINDOW = 16

/** Lets RWS's timers and promise chains run (it creates sockets after a `setTimeout`). */
export async function tick(ms = 0): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms)
}

/**
 * connect → the socket is created and opens → auth is sent → the server answers `auth_ok`.
 * Returns the socket.
 */
export async function connectAndAuthenticate(
  harness: ReturnType<typeof createHarness>,
  epoch = 'epoch-1',
): Promise<FakeSocket> {
  harness.store.dispatch(harness.realtime.actions.connect())
  await tick()
  const socket = FakeSocket.latest()
  socket.open()
  await tick()
  socket.deliver(authOk(epoch))
  await tick()
  return socket
}
