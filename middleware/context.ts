import type { Dispatch, UnknownAction } from '@reduxjs/toolkit'
import type { ResolvedConfig } from '../src/config'
import type { WebSocketErrorInfo } from '../src/errors'
import { encodeFrame } from '../src/protocol/codec'
import type { Frame, RateLimitData } from '../src/protocol/frames'
import type { RealtimeSelectors } from '../slices/selectors'
import type { FlowControl } from './flow'
import type { FrameInspector } from './inspector'
import type { Outcomes } from './outcomes'
import type { OutboxStorage } from './storage'
import type { PresenceSync } from './presenceSync'
import type { StreamCursors } from './streams'
import type { Transport } from './transport'

/** The current socket's session, from its `auth_ok`. */
export interface Session {
  /** `auth_ok` received on the current socket: joins and messages may go out. */
  readonly authenticated: boolean
  /** The last `auth_ok` refreshed the token on a socket already authenticated. */
  readonly refresh: boolean
  readonly userId?: string
  readonly sessionId?: string
  /** The server's frame size limit, when it says. */
  readonly maxFrameBytes?: number
  /** The server's rate limit for this connection, when it has one. */
  readonly rateLimit?: RateLimitData
  /** The most unacknowledged messages the server holds for this connection. */
  readonly maxInFlight?: number
  /** When the token expires (epoch ms). */
  readonly expiresAt?: number
}

/** What every handler shares. Built once per store. */
export interface RealtimeContext {
  config: ResolvedConfig
  url: string
  dispatch: Dispatch
  getState: () => unknown
  selectors: RealtimeSelectors
  transport: Transport
  streams: StreamCursors
  presence: PresenceSync
  inspector: FrameInspector
  /** What `auth_ok` said about the current socket. Written by the composer only. */
  session: Session
  /** Paces what goes out under the server's stated rate limit; `send` spends from it. */
  flow: FlowControl
  /** Promises of commands, settled from what the server said. */
  outcomes: Outcomes
  /** Where the outbox and the resume cursors persist. */
  storage: OutboxStorage
  /**
   * Runs a storage call (sync or async): a failure becomes a `STORAGE_FAILED` error action and
   * never throws. `done` runs after it either way; the promise resolves then too.
   */
  persist: (what: string, run: () => unknown, done?: () => void) => Promise<void>
  /** Handlers register what must be loaded before the first `auth` goes out. */
  whenLoaded: (loading: Promise<unknown>) => void
  /** Resolves once everything registered with `whenLoaded` is loaded. */
  loaded: () => Promise<void>
  /** `auth` frames sent on the current socket and not answered: an `auth_ok` beyond them is stale. */
  authsPending: number
  /** When any frame last arrived: the heartbeat's sign of life. */
  liveness: { lastFrameAt: number }
  /** Error to attach to the next close the transport reports (why we stopped). */
  closeError: WebSocketErrorInfo | null
  now: () => number
  log: (message: string, detail?: unknown) => void
  /** Encodes and sends (`encoded`: its text, when the caller has it); false when not open. */
  send: (frame: Frame, encoded?: string) => boolean
  /**
   * Runs before every frame `send` writes: the outbox writes the messages it held back for the
   * end of the current task first, so frames go out in the order they were dispatched.
   */
  beforeSend: () => void
  /** Dispatches without letting a throwing reducer or listener break the socket's callbacks. */
  safeDispatch: (action: UnknownAction) => void
  /** Plugins' receivers by frame type: such frames go to them, not to the frame-to-action table. */
  frameReceivers: ReadonlyMap<string, (frame: Frame) => void>
}

/** One concern of the middleware: sees every action after the reducers did. */
export type Handler = (action: UnknownAction) => void

export function sendFrame(transport: Transport, frame: Frame): boolean {
  return transport.send(encodeFrame(frame))
}
