import type { PresenceEntry, PresenceStatus } from '../protocol'
import type { RoomMember } from './rooms'

/** The statuses a user may choose; 'offline' only means "no connection open". */
export type ChosenStatus = Exclude<PresenceStatus, 'offline'>

/** A user's own change: a status and/or a custom status ('' clears it). */
export interface PresenceChange {
  status?: ChosenStatus
  customStatus?: string
}

/** Each user's presence: open connections, chosen status, custom status and last seen. */
export interface PresenceBook {
  /** Counts an authenticated connection; true when it is the user's first. */
  connect(member: RoomMember, userId: string): boolean
  /** Forgets a closed connection; true when it was the user's last. */
  disconnect(member: RoomMember, userId: string): boolean
  /** Applies a change; true when the entry changed. */
  update(userId: string, change: PresenceChange): boolean
  entry(userId: string): PresenceEntry
  connectionsOf(userId: string): ReadonlySet<RoomMember>
  /** Every authenticated connection. */
  connections(): Iterable<RoomMember>
}

interface UserPresence {
  connections: Set<RoomMember>
  status: ChosenStatus
  customStatus?: string
  lastSeen?: number
}

const NONE: ReadonlySet<never> = new Set()

/**
 * Creates the presence book. A user is online while any of their connections is open; each time
 * they come back their status starts as 'online' again, while a custom status is kept.
 *
 * @example
 * const book = createPresenceBook()
 * if (book.connect(connection, 'alice')) announce(book.entry('alice'))
 * // book.entry('alice') → { userId: 'alice', status: 'online' }
 */
export function createPresenceBook(): PresenceBook {
  const users = new Map<string, UserPresence>()

  const user = (userId: string): UserPresence => {
    let state = users.get(userId)
    if (!state) users.set(userId, (state = { connections: new Set(), status: 'online' }))
    return state
  }

  return {
    connect(member, userId) {
      const state = user(userId)
      const first = state.connections.size === 0
      if (first) state.status = 'online'
      state.connections.add(member)
      return first
    },

    disconnect(member, userId) {
      const state = users.get(userId)
      if (!state?.connections.delete(member)) return false
      if (state.connections.size > 0) return false
      state.lastSeen = Date.now()
      return true
    },

    update(userId, { status, customStatus }) {
      const state = user(userId)
      const nextCustom = customStatus === undefined ? state.customStatus : customStatus || undefined
      const nextStatus = status ?? state.status
      if (nextStatus === state.status && nextCustom === state.customStatus) return false
      state.status = nextStatus
      if (nextCustom === undefined) delete state.customStatus
      else state.customStatus = nextCustom
      return true
    },

    entry(userId) {
      const state = users.get(userId)
      if (!state) return { userId, status: 'offline' }
      const online = state.connections.size > 0
      return {
        userId,
        status: online ? state.status : 'offline',
        ...(state.customStatus !== undefined ? { customStatus: state.customStatus } : {}),
        ...(!online && state.lastSeen !== undefined ? { lastSeen: state.lastSeen } : {}),
      }
    },

    connectionsOf: (userId) => users.get(userId)?.connections ?? NONE,

    *connections() {
      for (const state of users.values()) yield* state.connections
    },
  }
}
