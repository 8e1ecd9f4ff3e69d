import type { ErrorData, Frame } from '../protocol'
import type { TokenVerifier } from './auth'
import type { EventBoard } from './events'
import type { ResolvedServerOptions } from './options'
import type { Presence } from './presence'
import type { ReadReceipts } from './readReceipts'
import type { RoomMember, Rooms } from './rooms'

/** Who an authenticated connection is. */
export interface Session {
  userId: string
  sessionId: string
}

/** An error frame's data, optionally naming the room it is about. */
export type ErrorReply = ErrorData & { room?: string }

/** What the frame handlers may do to the connection that sent the frame. */
export interface ClientConnection extends RoomMember {
  readonly session: Session | undefined
  /**
   * Records the authenticated user and the connection's send limit (already min'd with
   * `maxPayload`), and stops the auth timeout.
   */
  startSession(session: Session, maxFrameBytes: number): void
  send(frame: Frame): void
  sendError(error: ErrorReply): void
  close(code: number, reason: string): void
}

/** Server-wide collaborators every connection shares. */
export interface ServerContext {
  options: ResolvedServerOptions
  rooms: Rooms
  verifyToken: TokenVerifier
  epoch: string
  presence: Presence
  receipts: ReadReceipts
  events: EventBoard
}
