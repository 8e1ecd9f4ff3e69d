/**
 * What the other processes hold of users (none with the memory engine): each process's online
 * presence of a user (the newest last), what the process a user was last seen on said when it
 * let them go, and whom they have in each room; and a user's entry merged across processes.
 */
import type { PresenceEntry } from '../protocol'
import type { PresenceBook } from './presenceBook'
import type { ProcessPresence } from './presenceEngine'

export type OnlinePresence = Extract<ProcessPresence, { online: true }>

export interface RemotePresence {
  /** What each process holds of the user now (undefined: none holds them online). */
  held(userId: string): ReadonlyMap<string, OnlinePresence> | undefined
  /** Every user some other process holds online. */
  users(): Iterable<string>
  /** `process` holds the user online, as `presence` says (the newest last). */
  hold(userId: string, process: string, presence: OnlinePresence): void
  /** `process` let the user go (`gone` is what it said of them then). */
  release(userId: string, process: string, gone: { lastSeen: number; customStatus?: string }): void
  /** The rooms other processes have the user in. */
  roomsOf(userId: string): Set<string>
  /** Keeps the room index in step after the user's remote rooms went from `before` to now. */
  reindex(userId: string, before: Set<string>): void
  /** The users other processes have in `room`. */
  usersIn(room: string): Iterable<string>
  has(userId: string, room: string): boolean
  /** The user's newest presence on another process. */
  latest(userId: string): OnlinePresence | undefined
  /** The user's entry across processes: online when any holds a connection. */
  entryOf(userId: string): PresenceEntry
  /** Drops all this process knows of the user elsewhere (it no longer shows them). */
  forget(userId: string): void
}

/**
 * @example
 * const remote = createRemotePresence(book, { elsewhere: roomPresence.elsewhere })
 * remote.hold('alice', 'process-2', { online: true, status: 'away' })
 * remote.entryOf('alice') // { userId: 'alice', status: 'away' }
 */
export function createRemotePresence(
  book: PresenceBook,
  /** Told when another process's user entered (or left) a room, after the index changed. */
  { elsewhere }: { elsewhere: (userId: string, room: string, entered: boolean) => void },
): RemotePresence {
  // Other processes (none with the memory engine): what each holds of a user, the newest last.
  const remote = new Map<string, Map<string, OnlinePresence>>()
  /** What the process a user was last seen on said when it let them go. */
  const remoteGone = new Map<string, { lastSeen: number; customStatus?: string }>()
  /** Room → the users other processes have there (from `remote`). */
  const roomUsers = new Map<string, Set<string>>()

  const roomsOf = (userId: string): Set<string> => {
    const joined = new Set<string>()
    for (const presence of remote.get(userId)?.values() ?? [])
      for (const room of presence.rooms ?? []) joined.add(room)
    return joined
  }

  const reindex = (userId: string, before: Set<string>): void => {
    const after = roomsOf(userId)
    for (const room of before) {
      if (after.has(room)) continue
      const users = roomUsers.get(room)
      users?.delete(userId)
      if (users?.size === 0) roomUsers.delete(room)
      elsewhere(userId, room, false)
    }
    for (const room of after) {
      if (before.has(room)) continue
      let users = roomUsers.get(room)
      if (!users) roomUsers.set(room, (users = new Set()))
      users.add(userId)
      elsewhere(userId, room, true)
    }
  }

  const latest = (userId: string): OnlinePresence | undefined => {
    let newest: OnlinePresence | undefined
    for (const presence of remote.get(userId)?.values() ?? []) newest = presence
    return newest
  }

  return {
    held: (userId) => remote.get(userId),
    users: () => remote.keys(),

    hold(userId, process, presence) {
      let held = remote.get(userId)
      if (!held) remote.set(userId, (held = new Map<string, OnlinePresence>()))
      held.delete(process)
      held.set(process, presence)
    },

    release(userId, process, { lastSeen, customStatus }) {
      const held = remote.get(userId)
      held?.delete(process)
      if (held?.size === 0) remote.delete(userId)
      remoteGone.set(userId, { lastSeen, ...(customStatus !== undefined ? { customStatus } : {}) })
    },

    roomsOf,
    reindex,
    usersIn: (room) => roomUsers.get(room) ?? [],
    has: (userId, room) => roomUsers.get(room)?.has(userId) === true,
    latest,

    entryOf(userId) {
      const local = book.entry(userId)
      if (local.status !== 'offline') return local
      const elsewhere = latest(userId)
      const custom = (value: string | undefined) =>
        value !== undefined ? { customStatus: value } : {}
      if (elsewhere) return { userId, status: elsewhere.status, ...custom(elsewhere.customStatus) }
      const gone = remoteGone.get(userId)
      if (!gone || (local.lastSeen !== undefined && local.lastSeen >= gone.lastSeen)) return local
      return { userId, status: 'offline', ...custom(gone.customStatus), lastSeen: gone.lastSeen }
    },

    forget(userId) {
      const joined = roomsOf(userId)
      remote.delete(userId)
      remoteGone.delete(userId)
      reindex(userId, joined)
    },
  }
}
