import type { JsonValue } from '../protocol'
import type { ChosenStatus } from './presenceBook'

/** What one process holds of a user: online there (with the user's status), or gone. */
export type ProcessPresence =
  | {
      online: true
      status: ChosenStatus
      customStatus?: string
      /** The rooms (not private streams) the user's connections on that process have joined. */
      rooms?: string[]
    }
  | { online: false; lastSeen: number; customStatus?: string }

/** Another process's presence of a user changed (a gone process's entries end as `online: false`). */
export interface RemotePresenceChange {
  userId: string
  /** The process id the change is about. */
  process: string
  presence: ProcessPresence
  /** From `loadRoom`: the data the user set in that room on that process, if any. */
  roomData?: { room: string; value: JsonValue }
}

/** Another process's user set their data in a room. */
export interface RemoteRoomData {
  userId: string
  process: string
  room: string
  value: JsonValue
}

export interface PresenceListener {
  change(change: RemotePresenceChange): void
  roomData(change: RemoteRoomData): void
  resumed(): void
}

/**
 * The presence seam (issue 12; internal until the engine has a public name): how one process's
 * per-user presence reaches the others. A process tells the engine what it holds of a user each
 * time that changes; the engine tells it what the other processes hold. The merging stays in
 * `remotePresence.ts` and `presenceProcesses.ts`, the frames to watchers in `presenceFrames.ts`.
 */
export interface PresenceEngine {
  /** This process's presence of `userId` now (`online: false` after its last connection closed). */
  publish(userId: string, presence: ProcessPresence): void
  /** The user's data in a room they are in on this process, for the other processes. */
  publishRoomData(userId: string, room: string, value: JsonValue): void
  /** What the other live processes hold of `userId` now (online entries only). */
  load(userId: string): Promise<RemotePresenceChange[]>
  /** What the other live processes hold of each user they have in `room` (online entries). */
  loadRoom(room: string): Promise<RemotePresenceChange[]>
  /**
   * Registers the one listener of other processes' changes (this process's own never come);
   * `resumed` after the engine's connection came back: changes may have been missed, load again.
   */
  listen(listener: PresenceListener): void
  /**
   * Resolves once other processes' changes are heard (the subscription confirmed): the server
   * waits for it before it listens, so no change made meanwhile is missed. Rejects when it
   * cannot subscribe.
   */
  ready(): Promise<void>
  /** Stops refreshing and listening, and withdraws this process's entries. */
  close(): Promise<void>
}

/** One process alone: nothing to share, nothing comes (today's in-memory presence). */
export const localPresenceEngine: PresenceEngine = {
  publish: () => undefined,
  publishRoomData: () => undefined,
  load: () => Promise.resolve([]),
  loadRoom: () => Promise.resolve([]),
  listen: () => undefined,
  ready: () => Promise.resolve(),
  close: () => Promise.resolve(),
}
