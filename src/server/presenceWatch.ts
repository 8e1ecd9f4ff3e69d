import type { PresenceBook } from './presenceBook'
import type { RoomMember, Rooms } from './rooms'

/**
 * Who watches whom. A connection watches its own user, the users it subscribed to, and every
 * user with a connection in a room it has joined. Computed from room membership on demand, so
 * joins and leaves need no bookkeeping here.
 */
export interface PresenceWatch {
  subscribe(member: RoomMember, userId: string): void
  unsubscribe(member: RoomMember, userId: string): void
  /** The users some connection subscribed to. */
  subscribed(): Iterable<string>
  /** Drops a closed connection's subscriptions. */
  forget(member: RoomMember): void
  /** The users `member` (authenticated as `self`) watches. */
  watchedBy(member: RoomMember, self: string): Set<string>
  /** The connections watching `userId`. */
  watchersOf(userId: string): Set<RoomMember>
  /** Whether `member` (authenticated as `self`) watches `userId`, without listing everyone. */
  watches(member: RoomMember, self: string, userId: string): boolean
}

/** Room membership on other processes (none with one process). */
export interface ElsewhereRooms {
  /** The rooms `userId` is in on other processes. */
  roomsOf(userId: string): Iterable<string>
  /** The users other processes have in `room`. */
  usersIn(room: string): Iterable<string>
}

const NOWHERE: ElsewhereRooms = { roomsOf: () => [], usersIn: () => [] }

/**
 * @example
 * const watch = createPresenceWatch(rooms, book)
 * for (const member of watch.watchersOf('alice')) member.sendText(diff)
 */
export function createPresenceWatch(
  rooms: Rooms,
  book: PresenceBook,
  elsewhere: ElsewhereRooms = NOWHERE,
): PresenceWatch {
  const subscriptions = new Map<RoomMember, Set<string>>()
  const subscribers = new Map<string, Set<RoomMember>>()

  const unsubscribe = (member: RoomMember, userId: string): void => {
    subscriptions.get(member)?.delete(userId)
    const watching = subscribers.get(userId)
    watching?.delete(member)
    if (watching?.size === 0) subscribers.delete(userId)
  }

  return {
    subscribe(member, userId) {
      let users = subscriptions.get(member)
      if (!users) subscriptions.set(member, (users = new Set()))
      users.add(userId)
      let watching = subscribers.get(userId)
      if (!watching) subscribers.set(userId, (watching = new Set()))
      watching.add(member)
    },

    unsubscribe,

    subscribed: () => subscribers.keys(),

    forget(member) {
      for (const userId of subscriptions.get(member) ?? []) unsubscribe(member, userId)
      subscriptions.delete(member)
    },

    watchedBy(member, self) {
      const users = new Set([self, ...(subscriptions.get(member) ?? [])])
      for (const room of rooms.roomsOf(member)) {
        for (const other of rooms.membersOf(room)) if (other.userId) users.add(other.userId)
        for (const userId of elsewhere.usersIn(room)) users.add(userId)
      }
      return users
    },

    watchersOf(userId) {
      const watchers = new Set(subscribers.get(userId))
      for (const own of book.connectionsOf(userId)) {
        watchers.add(own)
        for (const room of rooms.roomsOf(own)) {
          for (const member of rooms.membersOf(room)) watchers.add(member)
        }
      }
      for (const room of elsewhere.roomsOf(userId)) {
        for (const member of rooms.membersOf(room)) watchers.add(member)
      }
      return watchers
    },

    watches(member, self, userId) {
      if (userId === self || subscriptions.get(member)?.has(userId)) return true
      for (const own of book.connectionsOf(userId)) {
        for (const room of rooms.roomsOf(own)) if (rooms.membersOf(room).has(member)) return true
      }
      for (const room of elsewhere.roomsOf(userId))
        if (rooms.membersOf(room).has(member)) return true
      return false
    },
  }
}
