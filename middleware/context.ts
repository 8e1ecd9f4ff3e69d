import type { Dispatch, UnknownAction } from '@reduxjs/toolkit'
import type { ResolvedConfig } from '../src/config'
import type { WebSocketErrorInfo } from '../src/errors'
import { encodeFrame } from '../src/protocol/codec'
import type { Frame } from '../src/protocol/frames'
import type { RealtimeSelectors } from '../slices/selectors'
import type { FrameInspector } from './inspector'
import type { PresenceSync } from './presenceSync'
import type { StreamCursors } from './streams'
import type { Transport } from './transport'

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
  session: {
    /** `auth_ok` received on the current socket: joins and messages may go out. */
    authenticated: boolean
    userId?: string
    /** The server's frame size limit from `auth_ok`, when it says. */
    maxFrameBytes?: number
  }
  /** When any frame last arrived: the heartbeat's sign of life. */
  liveness: { lastFrameAt: number }
  /** Error to attach to the next close the transport reports (why we stopped). */
  closeError: WebSocketErrorInfo | null
  now: () => number
  log: (message: string, detail?: unknown) => void
  /** Encodes and sends; false when the socket is not open. */
  send: (frame: Frame) => boolean
  /** Dispatches without letting a throwing reducer or listener break the socket's callbacks. */
  safeDispatch: (action: UnknownAction) => void
}

/** One concern of the middleware: sees every action after the reducers did. */
export type Handler = (action: UnknownAction) => void

export function sendFrame(transport: Transport, frame: Frame): boolean {
  return transport.send(encodeFrame(frame))
}
