/**
 * Presence across processes, through the `PresenceEngine` (issue 12): what this process holds
 * of a user is published; what others publish is applied and told to this process's watchers;
 * a user (or a room) newly shown here is read from the engine, and read again after missed
 * changes. A no-op with the memory engine (one process alone).
 */
import { isPrivateStream, makeFrame, MessageType } from '../protocol'
import type { PresenceEntry } from '../protocol'
import type { PresenceBook } from './presenceBook'
import { localPresenceEngine } from './presenceEngine'
import type { PresenceEngine, ProcessPresence } from './presenceEngine'
import { diff, sendAll, type PresenceFrames } from './presenceFrames'
import type { PresenceWatch } from './presenceWatch'
import type { OnlinePresence, RemotePresence } from './remotePresence'
import type { RoomPresence } from './roomPresence'
import type { RoomMember, Rooms } from './rooms'

export interface ProcessPresenceSync {
  /** Tells the other processes what this one holds of the user now. */
  publishLocal(userId: string): void
  /** The user's status is one across processes: this process's book takes another's. */
  adopt(userId: string, presence: OnlinePresence): void
  /**
   * Reads what the other processes hold of a user. What was heard since the read began is
   * newer and stays; `again` (after missed changes) also ends the processes the read lacks.
   */
  load(userId: string, again?: boolean): Promise<void>
  /** After this process's first member joined `room`: whom the other processes have there. */
  loadRoom(room: string): void
  /**
   * A user's first connection, online nowhere else: published once read, so a status chosen
   * elsewhere is adopted first, never reset to online.
   */
  publishOnceRead(userId: string): void
}

export interface ProcessPresenceDeps {
  engine: PresenceEngine
  onError: (message: string, error: unknown) => void
  rooms: Rooms
  book: PresenceBook
  watch: PresenceWatch
  remote: RemotePresence
  roomPresence: RoomPresence
  frames: PresenceFrames
}

export function createProcessPresenceSync(deps: ProcessPresenceDeps): ProcessPresenceSync {
  const { engine, onError, rooms, book, watch, remote, roomPresence, frames } = deps
  /** Users being loaded from the engine: the processes heard from since (newer), and the read. */
  const loading = new Map<string, { heard: Set<string>; done: Promise<void> }>()
  /** Users connected here whose first entry waits until what other processes hold is read. */
  const unread = new Set<string>()
  /** Room reads under way, each with the `<process> <user>` changes heard since it began. */
  const roomLoads = new Set<Set<string>>()

  const publishLocal = (userId: string): void => {
    const entry = book.entry(userId)
    const custom = entry.customStatus !== undefined ? { customStatus: entry.customStatus } : {}
    // A first connection's entry waits for the read of the user (see `publishOnceRead`).
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
    const after = remote.entryOf(userId)
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
      if (!now.has(member) && member.userId) frames.sendRemoved(member, [userId])
    }
  }

  const applyRemote = (
    userId: string,
    process: string,
    presence: ProcessPresence,
    loaded = false,
  ): void => {
    const before = remote.entryOf(userId)
    const watchers = watch.watchersOf(userId)
    const roomsBefore = remote.roomsOf(userId)
    if (presence.online) {
      remote.hold(userId, process, presence)
      if (book.connectionsOf(userId).size > 0) adopt(userId, presence)
    } else remote.release(userId, process, presence)
    remote.reindex(userId, roomsBefore)
    announce(userId, before, watchers, loaded)
    // Every process hears every user's changes: it keeps only those of users it shows.
    if (book.connectionsOf(userId).size === 0 && watch.watchersOf(userId).size === 0) {
      remote.forget(userId)
    }
  }

  const load = (userId: string, again = false): Promise<void> => {
    if (engine === localPresenceEngine) return Promise.resolve()
    const pending = loading.get(userId)
    if (pending) return pending.done
    const heard = new Set<string>()
    const done = engine.load(userId).then(
      (changes) => {
        loading.delete(userId)
        const live = new Set(changes.map((change) => change.process))
        for (const [process, presence] of again ? [...(remote.held(userId) ?? [])] : []) {
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
          if (!heard.has(process) && !remote.held(userId)?.has(process))
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

  const loadRoom = (room: string): void => {
    if (engine === localPresenceEngine) return
    const heard = new Set<string>()
    roomLoads.add(heard)
    engine.loadRoom(room).then(
      (changes) => {
        roomLoads.delete(heard)
        for (const { userId, process, presence, roomData } of changes) {
          if (heard.has(`${process} ${userId}`) || remote.held(userId)?.has(process)) continue
          applyRemote(userId, process, presence, true)
          if (roomData && remote.has(userId, room)) roomPresence.set(userId, room, roomData.value)
        }
      },
      (error: unknown) => {
        roomLoads.delete(heard)
        onError(`redux-realtime server: could not load the presence of room ${room}`, error)
      },
    )
  }

  const publishOnceRead = (userId: string): void => {
    if (engine !== localPresenceEngine) unread.add(userId)
    void load(userId).then(() => {
      unread.delete(userId)
      if (book.connectionsOf(userId).size > 0) publishLocal(userId)
    })
  }

  engine.listen({
    roomData({ userId, room, value }) {
      // Only for a member this process knows there (it hears every room's data).
      if (remote.has(userId, room)) roomPresence.set(userId, room, value)
    },
    change({ userId, process, presence }) {
      for (const heard of roomLoads) heard.add(`${process} ${userId}`)
      loading.get(userId)?.heard.add(process)
      applyRemote(userId, process, presence)
    },
    // Every user this process shows: those held elsewhere, followed, or connected here.
    resumed() {
      const shown = new Set([...remote.users(), ...watch.subscribed()])
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

  return { publishLocal, adopt, load, loadRoom, publishOnceRead }
}
