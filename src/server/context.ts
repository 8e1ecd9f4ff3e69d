import type { ErrorData, Frame } from '../protocol'
import type { TokenVerifier } from './auth'
import type { Documents } from './collab/documents'
import type { ConnectionCap } from './connectionCap'
import type { EventBoard } from './events'
import type { ResolvedServerOptions } from './serverOptions'
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
   * Records the authenticated user, the connection's send limit (already min'd with
   * `maxPayload`) and when the session expires (epoch ms); stops the auth timeout and (re)arms
   * the expiry. Called again for a token refresh.
   */
  startSession(session: Session, maxFrameBytes: number, expiresAt: number): void
  /** True once the session's token expired and no fresh one came: only `auth` is taken. */
  tokenExpired(now: number): boolean
  send(frame: Frame): void
  /** Sends a long answer part by part, each once the previous is written out (`outbound.ts`). */
  sendPaced(next: () => string | undefined): void
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
  /** Holds each user to `maxConnectionsPerUser` authenticated connections. */
  connectionCap: ConnectionCap
  /** Collaborative documents (`doc_*` frames). */
  documents: Documents
}
