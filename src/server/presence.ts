import { encodeFrame, isPrivateStream, makeFrame, MessageType } from '../protocol'
import type { Frame, JsonValue, PresenceEntry } from '../protocol'
import { createPresenceBook } from './presenceBook'
import type { PresenceChange } from './presenceBook'
import { localPresenceEngine } from './presenceEngine'
import type { PresenceEngine, ProcessPresence } from './presenceEngine'
import { encodeOnce, sizedChunks } from './frameLimit'
import { createPresenceWatch } from './presenceWatch'
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

type OnlinePresence = Extract<ProcessPresence, { online: true }>

/** The codec accepts at most this many entries in one `presence_update`. */
const MAX_ENTRIES = 1000
/** A `presence_update` frame's envelope besides its list. */
const ENVELOPE_BYTES = 256

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
  const book = createPresenceBook()
  const watch = createPresenceWatch(rooms, book, {
    roomsOf: (userId) => remoteRoomsOf(userId),
    usersIn: (room) => roomUsers.get(room) ?? [],
  })
  const roomPresence = createRoomPresence(rooms, book, {
    usersIn: (room) => roomUsers.get(room) ?? [],
    has: (userId, room) => roomUsers.get(room)?.has(userId) === true,
  })

  const sendAll = (members: Iterable<RoomMember>, frame: Frame, except?: RoomMember): void => {
    const { text, bytes } = encodeOnce(frame)
    for (const member of members) if (member !== except) member.sendText(text, bytes)
  }

  const diff = (entry: PresenceEntry) =>
    makeFrame(MessageType.PRESENCE_UPDATE, { data: { snapshot: false, users: [entry] } })

  // Other processes (none with the memory engine): what each holds of a user, the newest last.
  const remote = new Map<string, Map<string, OnlinePresence>>()
  /** What the process a user was last seen on said when it let them go. */
  const remoteGone = new Map<string, { lastSeen: number; customStatus?: string }>()
  /** Users being loaded from the engine: the processes heard from since (newer), and the read. */
  const loading = new Map<string, { heard: Set<string>; done: Promise<void> }>()

  /** Users connected here whose first entry waits until what other processes hold is read. */
  const unread = new Set<string>()
  /** Room → the users other processes have there (from `remote`). */
  const roomUsers = new Map<string, Set<string>>()
  /** Room reads under way, each with the `<process> <user>` changes heard since it began. */
  const roomLoads = new Set<Set<string>>()

  const remoteRoomsOf = (userId: string): Set<string> => {
    const joined = new Set<string>()
    for (const presence of remote.get(userId)?.values() ?? [])
      for (const room of presence.rooms ?? []) joined.add(room)
    return joined
  }

  /** Keeps `roomUsers` in step after the user's remote rooms went from `before` to now. */
  const indexRooms = (userId: string, before: Set<string>): void => {
    const after = remoteRoomsOf(userId)
    for (const room of before) {
      if (after.has(room)) continue
      const users = roomUsers.get(room)
      users?.delete(userId)
      if (users?.size === 0) roomUsers.delete(room)
      roomPresence.elsewhere(userId, room, false)
    }
    for (const room of after) {
      if (before.has(room)) continue
      let users = roomUsers.get(room)
      if (!users) roomUsers.set(room, (users = new Set()))
      users.add(userId)
      roomPresence.elsewhere(userId, room, true)
    }
  }

  const latestElsewhere = (userId: string): OnlinePresence | undefined => {
    let latest: OnlinePresence | undefined
    for (const presence of remote.get(userId)?.values() ?? []) latest = presence
    return latest
  }

  /** The user's entry across processes: online when any holds a connection. */
  const entryOf = (userId: string): PresenceEntry => {
    const local = book.entry(userId)
    if (local.status !== 'offline') return local
    const elsewhere = latestElsewhere(userId)
    const custom = (value: string | undefined) =>
      value !== undefined ? { customStatus: value } : {}
    if (elsewhere) return { userId, status: elsewhere.status, ...custom(elsewhere.customStatus) }
    const gone = remoteGone.get(userId)
    if (!gone || (local.lastSeen !== undefined && local.lastSeen >= gone.lastSeen)) return local
    return { userId, status: 'offline', ...custom(gone.customStatus), lastSeen: gone.lastSeen }
  }

  /** Tells the other processes what this one holds of the user now. */
  const publishLocal = (userId: string): void => {
    const entry = book.entry(userId)
    const custom = entry.customStatus !== undefined ? { customStatus: entry.customStatus } : {}
    // A first connection's entry waits for the read of the user (see `connected`).
    if (entry.status !== 'offline' && unread.has(userId)) return
    if (entry.status === 'offline')
      return engine.publish(userId, {
        online: false,
        lastSeen: entry.lastSeen ?? Date.now(),
        ...custom,
      })
    const joined = new Set<string>()
    for (const own of book.connectionsOf(userId))
      for (const room of rooms.roomsOf(own)) if (!isPrivateStream(room)) joined.add(room)
    const listed = joined.size > 0 ? { rooms: [...joined].sort() } : {}
    engine.publish(userId, { online: true, status: entry.status, ...custom, ...listed })
  }

  /** The user's status is one across processes: this process's book takes another's. */
  const adopt = (userId: string, presence: OnlinePresence): void => {
    book.update(userId, { status: presence.status, customStatus: presence.customStatus ?? '' })
  }

  /**
   * After another process's change: what it means to this process's watchers, those before
   * (`watchers`) and after it. `loaded`: read, not heard (an online user newly seen, not newly online).
   */
  const announce = (
    userId: string,
    before: PresenceEntry,
    watchers: Set<RoomMember>,
    loaded: boolean,
  ): void => {
    const after = entryOf(userId)
    const now = watch.watchersOf(userId)
    const wasOnline = before.status !== 'offline'
    const isOnline = after.status !== 'offline'
    if (wasOnline && !isOnline) {
      const offline = makeFrame(MessageType.USER_OFFLINE, { data: after })
      return sendAll(new Set([...watchers, ...now]), offline)
    }
    // Who watched them offline sees them come online; whoever starts seeing them gets the entry.
    const cameOnline = !wasOnline && isOnline && !loaded
    if (cameOnline) {
      const online = makeFrame(MessageType.USER_ONLINE, { data: after })
      sendAll(
        [...now].filter((member) => watchers.has(member)),
        online,
      )
    }
    const changed = !cameOnline && JSON.stringify(before) !== JSON.stringify(after)
    const told = [...now].filter((member) => changed || !watchers.has(member))
    if (isOnline) sendAll(told, diff(after))
    for (const member of watchers) {
      if (!now.has(member) && member.userId) sendRemoved(member, [userId])
    }
  }

  const applyRemote = (
    userId: string,
    process: string,
    presence: ProcessPresence,
    loaded = false,
  ): void => {
    const before = entryOf(userId)
    const watchers = watch.watchersOf(userId)
    const roomsBefore = remoteRoomsOf(userId)
    let held = remote.get(userId)
    if (presence.online) {
      if (!held) remote.set(userId, (held = new Map<string, OnlinePresence>()))
      held.delete(process)
      held.set(process, presence)
      if (book.connectionsOf(userId).size > 0) adopt(userId, presence)
    } else {
      held?.delete(process)
      if (held?.size === 0) remote.delete(userId)
      const { lastSeen, customStatus } = presence
      remoteGone.set(userId, { lastSeen, ...(customStatus !== undefined ? { customStatus } : {}) })
    }
    indexRooms(userId, roomsBefore)
    announce(userId, before, watchers, loaded)
    // Every process hears every user's changes: it keeps only those of users it shows.
    if (book.connectionsOf(userId).size === 0 && watch.watchersOf(userId).size === 0) {
      const joined = remoteRoomsOf(userId)
      remote.delete(userId)
      remoteGone.delete(userId)
      indexRooms(userId, joined)
    }
  }

  /**
   * Reads what the other processes hold of a user. What was heard since the read began is
   * newer and stays; `again` (after missed changes) also ends the processes the read lacks.
   */
  const load = (userId: string, again = false): Promise<void> => {
    if (engine === localPresenceEngine) return Promise.resolve()
    const pending = loading.get(userId)
    if (pending) return pending.done
    const heard = new Set<string>()
    const done = engine.load(userId).then(
      (changes) => {
        loading.delete(userId)
        const live = new Set(changes.map((change) => change.process))
        for (const [process, presence] of again ? [...(remote.get(userId) ?? [])] : []) {
          if (live.has(process) || heard.has(process)) continue
          const { customStatus } = presence
          const gone = { online: false as const, lastSeen: Date.now() }
          applyRemote(
            userId,
            process,
            customStatus !== undefined ? { ...gone, customStatus } : gone,
          )
        }
        for (const { process, presence } of changes) {
          if (!heard.has(process) && !remote.get(userId)?.has(process))
            applyRemote(userId, process, presence, true)
        }
      },
      (error: unknown) => {
        loading.delete(userId)
        onError(`redux-realtime server: could not load the presence of ${userId}`, error)
      },
    )
    loading.set(userId, { heard, done })
    return done
  }

  /** After this process's first member joined `room`: whom the other processes have there. */
  const loadRoom = (room: string): void => {
    if (engine === localPresenceEngine) return
    const heard = new Set<string>()
    roomLoads.add(heard)
    engine.loadRoom(room).then(
      (changes) => {
        roomLoads.delete(heard)
        for (const { userId, process, presence, roomData } of changes) {
          if (heard.has(`${process} ${userId}`) || remote.get(userId)?.has(process)) continue
          applyRemote(userId, process, presence, true)
          if (roomData && roomUsers.get(room)?.has(userId))
            roomPresence.set(userId, room, roomData.value)
        }
      },
      (error: unknown) => {
        roomLoads.delete(heard)
        onError(`redux-realtime server: could not load the presence of room ${room}`, error)
      },
    )
  }

  engine.listen({
    roomData({ userId, room, value }) {
      // Only for a member this process knows there (it hears every room's data).
      if (roomUsers.get(room)?.has(userId)) roomPresence.set(userId, room, value)
    },
    change({ userId, process, presence }) {
      for (const heard of roomLoads) heard.add(`${process} ${userId}`)
      loading.get(userId)?.heard.add(process)
      applyRemote(userId, process, presence)
    },
    // Every user this process shows: those held elsewhere, followed, or connected here.
    resumed() {
      const shown = new Set([...remote.keys(), ...watch.subscribed()])
      const joined = new Set<string>()
      for (const member of book.connections()) {
        if (member.userId) shown.add(member.userId)
        for (const room of rooms.roomsOf(member)) if (!isPrivateStream(room)) joined.add(room)
      }
      for (const userId of shown) void load(userId, true)
      // And whoever joined this process's rooms elsewhere meanwhile.
      for (const room of joined) loadRoom(room)
    },
  })

  // A snapshot too big for one frame continues as diffs, which the client applies on top.
  const sendSnapshot = (member: RoomMember, self: string): void => {
    const entries = [...watch.watchedBy(member, self)].map((userId) => entryOf(userId))
    sizedChunks(entries, member.maxFrameBytes - ENVELOPE_BYTES, MAX_ENTRIES).forEach(
      (users, index) =>
        member.sendText(
          encodeFrame(
            makeFrame(MessageType.PRESENCE_UPDATE, { data: { snapshot: index === 0, users } }),
          ),
        ),
    )
  }

  // A watcher that stops seeing a user gets a last word, so no status is left stale.
  const sendRemoved = (member: RoomMember, removed: string[]): void => {
    if (removed.length === 0 || member.closed) return
    const budget = member.maxFrameBytes - ENVELOPE_BYTES
    for (const chunk of sizedChunks(removed, budget, MAX_ENTRIES)) {
      member.sendText(
        encodeFrame(
          makeFrame(MessageType.PRESENCE_UPDATE, { data: { snapshot: false, removed: chunk } }),
        ),
      )
    }
  }

  /** After `member` (of `userId`) stopped being in `formerRooms`: who stopped seeing whom. */
  const forgetUnseen = (member: RoomMember, userId: string, formerRooms: string[]): void => {
    const others = new Map<RoomMember, string>()
    for (const room of formerRooms) {
      for (const other of rooms.membersOf(room)) {
        if (other.userId && other.userId !== userId) others.set(other, other.userId)
      }
    }
    for (const [other, self] of others) {
      if (!watch.watches(other, self, userId)) sendRemoved(other, [userId])
    }
    const unseen = new Set([...others.values()].filter((u) => !watch.watches(member, userId, u)))
    sendRemoved(member, [...unseen])
  }

  return {
    connected(member, userId) {
      const first = book.connect(member, userId)
      const elsewhere = first ? latestElsewhere(userId) : undefined
      if (first && elsewhere) {
        adopt(userId, elsewhere)
        publishLocal(userId)
      } else if (first) {
        // Published once read: a status chosen elsewhere is adopted first, never reset to online.
        if (engine !== localPresenceEngine) unread.add(userId)
        void load(userId).then(() => {
          unread.delete(userId)
          if (book.connectionsOf(userId).size > 0) publishLocal(userId)
        })
      }
      sendSnapshot(member, userId)
      if (!first || elsewhere) return
      const online = makeFrame(MessageType.USER_ONLINE, { data: entryOf(userId) })
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
      if (last || formerRooms.length > 0) publishLocal(userId)
      // Online on another process: watchers keep seeing them, as with another connection here.
      if (last && !remote.has(userId)) {
        const offline = makeFrame(MessageType.USER_OFFLINE, { data: entryOf(userId) })
        return sendAll(watchers, offline, member)
      }
      forgetUnseen(member, userId, formerRooms)
    },

    joined(member, userId, room) {
      if (isPrivateStream(room)) return
      sendSnapshot(member, userId)
      sendAll(rooms.membersOf(room), diff(entryOf(userId)), member)
      roomPresence.joined(member, userId, room)
      if (engine === localPresenceEngine) return
      publishLocal(userId)
      if (rooms.membersOf(room).size === 1) loadRoom(room)
    },

    left(member, userId, room) {
      if (isPrivateStream(room)) return
      roomPresence.left(userId, room)
      publishLocal(userId)
      forgetUnseen(member, userId, [room])
    },

    setRoomData(userId, room, value) {
      roomPresence.set(userId, room, value)
      engine.publishRoomData(userId, room, value)
    },

    subscribe(member, self, userId) {
      watch.subscribe(member, userId)
      void load(userId)
      sendSnapshot(member, self)
    },

    unsubscribe(member, self, userId) {
      watch.unsubscribe(member, userId)
      if (!watch.watches(member, self, userId)) sendRemoved(member, [userId])
    },

    update(userId, change) {
      if (!book.update(userId, change)) return
      publishLocal(userId)
      sendAll(watch.watchersOf(userId), diff(entryOf(userId)))
    },

    connections: () => book.connections(),
  }
}
