/**
 * Presence of one server: users' status (`presence_update`, `user_online`/`user_offline`) to
 * whoever watches them (a shared room or a subscription), and each room's member list. This
 * file says what each connection event means to whom; the books, frames and the other
 * processes' presence are each a file of their own.
 */
import { isPrivateStream, makeFrame, MessageType } from '../protocol'
import type { JsonValue } from '../protocol'
import { createPresenceBook } from './presenceBook'
import type { PresenceChange } from './presenceBook'
import { localPresenceEngine } from './presenceEngine'
import type { PresenceEngine } from './presenceEngine'
import { createPresenceFrames, diff, sendAll } from './presenceFrames'
import { createProcessPresenceSync } from './presenceProcesses'
import { createPresenceWatch } from './presenceWatch'
import { createRemotePresence } from './remotePresence'
import { createRoomPresence } from './roomPresence'
import type { RoomMember, Rooms } from './rooms'

/** Presence as the frame handlers see it: each method sends what the change means to whom. */
export interface Presence {
  /** After `auth_ok`: a snapshot for the connection; on a first connection, `user_online`. */
  connected(member: RoomMember, userId: string): void
  /**
   * On close: leaves the connection's rooms (members see the user leave a room's list when it
   * was their last connection there); on a last connection, watchers get `user_offline`, else
   * those who no longer share a room with the user get them `removed`.
   */
  disconnected(member: RoomMember, userId: string): void
  /**
   * After a join's replay: a snapshot for the joiner, the joiner's entry for the room's others,
   * then the room's member list for the joiner and the joiner for the others.
   */
  joined(member: RoomMember, userId: string, room: string): void
  /**
   * After a leave: the user leaves the room's list (on their last connection there); whoever
   * stopped seeing whom (the room's others, the leaver) gets them `removed`.
   */
  left(member: RoomMember, userId: string, room: string): void
  /** The user's data in a room they are a member of, to every member. */
  setRoomData(userId: string, room: string, value: JsonValue): void
  /** Follows a user and sends the grown snapshot. */
  subscribe(member: RoomMember, self: string, userId: string): void
  /** Stops following; `removed` when the user is not seen otherwise. */
  unsubscribe(member: RoomMember, self: string, userId: string): void
  /** A user's own status change, sent to every watcher when it changes anything. */
  update(userId: string, change: PresenceChange): void
  /** Every authenticated connection. */
  connections(): Iterable<RoomMember>
}

export interface PresenceOptions {
  /** How other processes' presence arrives (issue 12, internal). Default: one process alone. */
  engine?: PresenceEngine
  /** A load from the engine that failed. Default: console.error. */
  onError?: (message: string, error: unknown) => void
}

/**
 * Creates presence for one server. Nothing here is stored or sequenced: a client rebuilds it
 * from the snapshot each connection gets, then applies diffs.
 *
 * @example
 * const presence = createPresence(rooms)
 * presence.connected(connection, 'alice') // snapshot to alice, user_online to her watchers
 */
export function createPresence(rooms: Rooms, options: PresenceOptions = {}): Presence {
  const { engine = localPresenceEngine } = options
  const onError =
    options.onError ?? ((message: string, error: unknown) => console.error(message, error))
  // This process's connections and each user's own status.
  const book = createPresenceBook()
  // What other processes hold of users (none with the memory engine).
  const remote = createRemotePresence(book, {
    elsewhere: (userId, room, entered) => roomPresence.elsewhere(userId, room, entered),
  })
  // Who watches whom: room co-members (here and elsewhere) and subscriptions.
  const watch = createPresenceWatch(rooms, book, {
    roomsOf: (userId) => remote.roomsOf(userId),
    usersIn: (room) => remote.usersIn(room),
  })
  // Each room's member list and the data members set there.
  const roomPresence = createRoomPresence(rooms, book, {
    usersIn: (room) => remote.usersIn(room),
    has: (userId, room) => remote.has(userId, room),
  })
  // Snapshots and `removed`, within each connection's frame limit.
  const frames = createPresenceFrames(rooms, watch, (userId) => remote.entryOf(userId))
  // Publishing to, and hearing from, the other processes.
  const sync = createProcessPresenceSync({
    engine,
    onError,
    rooms,
    book,
    watch,
    remote,
    roomPresence,
    frames,
  })

  return {
    connected(member, userId) {
      const first = book.connect(member, userId)
      const elsewhere = first ? remote.latest(userId) : undefined
      if (first && elsewhere) {
        sync.adopt(userId, elsewhere)
        sync.publishLocal(userId)
      } else if (first) sync.publishOnceRead(userId)
      frames.sendSnapshot(member, userId)
      if (!first || elsewhere) return
      const online = makeFrame(MessageType.USER_ONLINE, { data: remote.entryOf(userId) })
      sendAll(watch.watchersOf(userId), online, member)
    },

    disconnected(member, userId) {
      // Watchers first: the closing connection's rooms still count until it has left them.
      const watchers = watch.watchersOf(userId)
      const formerRooms = [...rooms.roomsOf(member)].filter((room) => !isPrivateStream(room))
      watch.forget(member)
      rooms.leaveAll(member)
      const last = book.disconnect(member, userId)
      for (const room of formerRooms) roomPresence.left(userId, room)
      if (last || formerRooms.length > 0) sync.publishLocal(userId)
      // Online on another process: watchers keep seeing them, as with another connection here.
      if (last && !remote.held(userId)) {
        const offline = makeFrame(MessageType.USER_OFFLINE, { data: remote.entryOf(userId) })
        return sendAll(watchers, offline, member)
      }
      frames.forgetUnseen(member, userId, formerRooms)
    },

    joined(member, userId, room) {
      if (isPrivateStream(room)) return
      frames.sendSnapshot(member, userId)
      sendAll(rooms.membersOf(room), diff(remote.entryOf(userId)), member)
      roomPresence.joined(member, userId, room)
      if (engine === localPresenceEngine) return
      sync.publishLocal(userId)
      if (rooms.membersOf(room).size === 1) sync.loadRoom(room)
    },

    left(member, userId, room) {
      if (isPrivateStream(room)) return
      roomPresence.left(userId, room)
      sync.publishLocal(userId)
      frames.forgetUnseen(member, userId, [room])
    },

    setRoomData(userId, room, value) {
      roomPresence.set(userId, room, value)
      engine.publishRoomData(userId, room, value)
    },

    subscribe(member, self, userId) {
      watch.subscribe(member, userId)
      void sync.load(userId)
      frames.sendSnapshot(member, self)
    },

    unsubscribe(member, self, userId) {
      watch.unsubscribe(member, userId)
      if (!watch.watches(member, self, userId)) frames.sendRemoved(member, [userId])
    },

    update(userId, change) {
      if (!book.update(userId, change)) return
      sync.publishLocal(userId)
      sendAll(watch.watchersOf(userId), diff(remote.entryOf(userId)))
    },

    connections: () => book.connections(),
  }
}
