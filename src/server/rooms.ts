import { encodeFrame, makeFrame } from '../protocol'
import type { JoinData } from '../protocol'
import type { AppendResult, HistoryStore, UnsequencedStreamFrame } from './historyStore'
import { planJoin, replayBatches } from './joinReplay'
import { createSerialQueue } from './serialQueue'
import type { SerialQueue } from './serialQueue'

/** What a room needs from a connection. */
export interface RoomMember {
  /** True once the socket has closed; a closed member is never added to a room. */
  readonly closed: boolean
  /** The authenticated user; only authenticated connections join rooms. */
  readonly userId: string | undefined
  sendText(text: string): void
}

/** Room membership, ordered writes and join replay for one server. Every stream is a room. */
export interface Rooms {
  /** Sends `joined` and the replay, then adds the member, with no broadcast in between. */
  join(member: RoomMember, room: string, cursor: JoinData): Promise<void>
  leave(member: RoomMember, room: string): void
  /** Removes a closed connection from every room. */
  leaveAll(member: RoomMember): void
  isMember(member: RoomMember, room: string): boolean
  /** The connections currently in `room`. */
  membersOf(room: string): ReadonlySet<RoomMember>
  /** The rooms `member` has joined. */
  roomsOf(member: RoomMember): ReadonlySet<string>
  /** Stores the frame and broadcasts it to every member unless it is a duplicate. */
  publish(room: string, frame: UnsequencedStreamFrame, dedupeKey: string): Promise<AppendResult>
}

const NONE: ReadonlySet<never> = new Set()

interface RoomState {
  members: Set<RoomMember>
  /** Serializes appends and joins so broadcast order equals seq order. */
  queue: SerialQueue
}

export interface RoomsDeps {
  history: HistoryStore
  epoch: string
  /** Size hint for replay batches. */
  maxFrameBytes: number
}

/**
 * Creates the room registry. Room states are kept for the server's life so every write to a
 * room always goes through the same queue.
 *
 * @example
 * const rooms = createRooms({ history, epoch, maxFrameBytes: 64 * 1024 })
 * await rooms.join(connection, 'general', { epoch, seq: 10 })
 * const { seq } = await rooms.publish('general', frame, `${userId}\u0000${frame.id}`)
 */
export function createRooms({ history, epoch, maxFrameBytes }: RoomsDeps): Rooms {
  const rooms = new Map<string, RoomState>()
  const membership = new Map<RoomMember, Set<string>>()

  const roomState = (room: string): RoomState => {
    let state = rooms.get(room)
    if (!state) {
      state = { members: new Set(), queue: createSerialQueue() }
      rooms.set(room, state)
    }
    return state
  }

  const leave = (member: RoomMember, room: string): void => {
    rooms.get(room)?.members.delete(member)
    membership.get(member)?.delete(room)
  }

  return {
    join(member, room, cursor) {
      const state = roomState(room)
      return state.queue.run(async () => {
        const { joined, frames } = await planJoin(history, room, cursor, epoch)
        if (member.closed) return
        member.sendText(encodeFrame(makeFrame('joined', { room, data: joined })))
        for (const batch of replayBatches(room, frames, maxFrameBytes))
          member.sendText(encodeFrame(batch))
        state.members.add(member)
        let joinedRooms = membership.get(member)
        if (!joinedRooms) membership.set(member, (joinedRooms = new Set()))
        joinedRooms.add(room)
      })
    },

    leave,

    leaveAll(member) {
      for (const room of membership.get(member) ?? []) rooms.get(room)?.members.delete(member)
      membership.delete(member)
    },

    isMember(member, room) {
      return rooms.get(room)?.members.has(member) ?? false
    },

    membersOf: (room) => rooms.get(room)?.members ?? NONE,

    roomsOf: (member) => membership.get(member) ?? NONE,

    publish(room, frame, dedupeKey) {
      const state = roomState(room)
      return state.queue.run(async () => {
        const result = await history.append(room, frame, dedupeKey)
        if (!result.duplicate) {
          const text = encodeFrame(result.frame)
          for (const member of state.members) member.sendText(text)
        }
        return result
      })
    },
  }
}
