import { encodeFrame, isPrivateStream, makeFrame, MessageType } from '../protocol'
import type { Frame, PresenceEntry } from '../protocol'
import { createPresenceBook } from './presenceBook'
import type { PresenceChange } from './presenceBook'
import { encodeOnce } from './frameLimit'
import { createPresenceWatch } from './presenceWatch'
import type { RoomMember, Rooms } from './rooms'

/** Presence as the frame handlers see it: each method sends what the change means to whom. */
export interface Presence {
  /** After `auth_ok`: a snapshot for the connection; on a first connection, `user_online`. */
  connected(member: RoomMember, userId: string): void
  /** On close, before leaving the rooms: on a last connection, watchers get `user_offline`. */
  disconnected(member: RoomMember, userId: string): void
  /** After a join's replay: a snapshot for the joiner, the joiner's entry for the room's others. */
  joined(member: RoomMember, userId: string, room: string): void
  /** Follows a user and sends the grown snapshot. */
  subscribe(member: RoomMember, self: string, userId: string): void
  unsubscribe(member: RoomMember, userId: string): void
  /** A user's own status change, sent to every watcher when it changes anything. */
  update(userId: string, change: PresenceChange): void
  /** Every authenticated connection. */
  connections(): Iterable<RoomMember>
}

/** The codec accepts at most this many entries in one `presence_update`. */
const MAX_ENTRIES = 1000

/** Splits entries into frames of at most 1000 entries and about `maxBytes` (one always fits). */
function entryChunks(entries: PresenceEntry[], maxBytes: number): PresenceEntry[][] {
  const budget = maxBytes - 256
  const chunks: PresenceEntry[][] = [[]]
  let bytes = 0
  for (const entry of entries) {
    const size = Buffer.byteLength(JSON.stringify(entry)) + 1
    const current = chunks[chunks.length - 1] as PresenceEntry[]
    if (current.length >= MAX_ENTRIES || (current.length > 0 && bytes + size > budget)) {
      chunks.push([entry])
      bytes = size
    } else {
      current.push(entry)
      bytes += size
    }
  }
  return chunks
}

/**
 * Creates presence for one server. Nothing here is stored or sequenced: a client rebuilds it
 * from the snapshot each connection gets, then applies diffs.
 *
 * @example
 * const presence = createPresence(rooms)
 * presence.connected(connection, 'alice') // snapshot to alice, user_online to her watchers
 */
export function createPresence(rooms: Rooms): Presence {
  const book = createPresenceBook()
  const watch = createPresenceWatch(rooms, book)

  const sendAll = (members: Iterable<RoomMember>, frame: Frame, except?: RoomMember): void => {
    const { text, bytes } = encodeOnce(frame)
    for (const member of members) if (member !== except) member.sendText(text, bytes)
  }

  const diff = (entry: PresenceEntry) =>
    makeFrame(MessageType.PRESENCE_UPDATE, { data: { snapshot: false, users: [entry] } })

  // A snapshot too big for one frame continues as diffs, which the client applies on top.
  const sendSnapshot = (member: RoomMember, self: string): void => {
    const entries = [...watch.watchedBy(member, self)].map((userId) => book.entry(userId))
    entryChunks(entries, member.maxFrameBytes).forEach((users, index) =>
      member.sendText(
        encodeFrame(
          makeFrame(MessageType.PRESENCE_UPDATE, { data: { snapshot: index === 0, users } }),
        ),
      ),
    )
  }

  return {
    connected(member, userId) {
      const first = book.connect(member, userId)
      sendSnapshot(member, userId)
      if (!first) return
      const online = makeFrame(MessageType.USER_ONLINE, { data: book.entry(userId) })
      sendAll(watch.watchersOf(userId), online, member)
    },

    disconnected(member, userId) {
      // Watchers first: the closing connection's rooms still count until it has left them.
      const watchers = watch.watchersOf(userId)
      watch.forget(member)
      if (!book.disconnect(member, userId)) return
      sendAll(watchers, makeFrame(MessageType.USER_OFFLINE, { data: book.entry(userId) }), member)
    },

    joined(member, userId, room) {
      if (isPrivateStream(room)) return
      sendSnapshot(member, userId)
      sendAll(rooms.membersOf(room), diff(book.entry(userId)), member)
    },

    subscribe(member, self, userId) {
      watch.subscribe(member, userId)
      sendSnapshot(member, self)
    },

    unsubscribe: (member, userId) => watch.unsubscribe(member, userId),

    update(userId, change) {
      if (book.update(userId, change)) sendAll(watch.watchersOf(userId), diff(book.entry(userId)))
    },

    connections: () => book.connections(),
  }
}
