import { encodeFrame, makeFrame } from '../protocol'
import type { JoinData, StreamFrame } from '../protocol'
import { encodeOnce, tooLargeError } from './frameLimit'
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
  /** The largest message it may be sent: min(its stated `maxFrameBytes`, `maxPayload`). */
  readonly maxFrameBytes: number
  /**
   * Sends an encoded frame; `bytes` is its UTF-8 size when the caller measured it already.
   * `packable`: it may travel in a `batch` with the other answers of the member's current turn.
   */
  sendText(text: string, bytes?: number, packable?: boolean): void
  /** Sends frames that belong together (a join's answer and replay) as one send. */
  sendBurst(texts: Iterable<string>): void
}

/** Room membership, ordered writes and join replay for one server. Every stream is a room. */
export interface Rooms {
  /**
   * Sends `joined` (naming the `join` frame's id, `joinId`) and the replay sized to the member's
   * limit, then adds the member, with no broadcast in between.
   */
  join(member: RoomMember, room: string, cursor: JoinData, joinId: string): Promise<void>
  leave(member: RoomMember, room: string): void
  /** Removes a closed connection from every room. */
  leaveAll(member: RoomMember): void
  isMember(member: RoomMember, room: string): boolean
  /** The connections currently in `room`. */
  membersOf(room: string): ReadonlySet<RoomMember>
  /** The rooms `member` has joined. */
  roomsOf(member: RoomMember): ReadonlySet<string>
  /**
   * Stores the frame and broadcasts it to every member unless it is a duplicate or a conflict.
   * A member whose limit it exceeds gets a `MESSAGE_TOO_LARGE` error naming its seq instead.
   */
  publish(room: string, frame: UnsequencedStreamFrame, dedupeKey: string): Promise<AppendResult>
  /**
   * Whether `id` is taken in `room` by another dedupe key, after the room's queued writes (false
   * when the history store cannot tell).
   */
  idTaken(room: string, id: string, dedupeKey: string): Promise<boolean>
}

const NONE: ReadonlySet<never> = new Set()

interface RoomState {
  members: Set<RoomMember>
  /** Serializes appends and joins so broadcast order equals seq order. */
  queue: SerialQueue
}

export interface RoomsDeps {
  history: HistoryStore
  /** The server's epoch: a stream's when the history store names none. */
  epoch: string
}

/** Sends a stored frame to each member, or the too-large error to those it does not fit. */
function broadcast(members: Iterable<RoomMember>, room: string, frame: StreamFrame): void {
  const { text, bytes } = encodeOnce(frame)
  for (const member of members) {
    if (bytes <= member.maxFrameBytes) member.sendText(text, bytes, true)
    else member.sendText(encodeFrame(tooLargeError(room, frame, bytes, member.maxFrameBytes)))
  }
}

/**
 * Creates the room registry. Room states are kept for the server's life so every write to a
 * room always goes through the same queue.
 *
 * @example
 * const rooms = createRooms({ history, epoch })
 * await rooms.join(connection, 'general', { epoch, seq: 10 }, joinFrame.id)
 * const { seq } = await rooms.publish('general', frame, `${userId}\u0000${frame.id}`)
 */
export function createRooms({ history, epoch }: RoomsDeps): Rooms {
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
    join(member, room, cursor, joinId) {
      const state = roomState(room)
      return state.queue.run(async () => {
        const { joined, frames } = await planJoin(history, room, cursor, epoch)
        if (member.closed) return
        const answer = makeFrame('joined', { room, data: { refId: joinId, ...joined } })
        const replay = replayBatches(room, frames, member.maxFrameBytes)
        member.sendBurst([answer, ...replay].map(encodeFrame))
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
        if (!result.duplicate && !result.conflict) broadcast(state.members, room, result.frame)
        return result
      })
    },

    idTaken(room, id, dedupeKey) {
      if (!history.conflicts) return Promise.resolve(false)
      return roomState(room).queue.run(
        async () => (await history.conflicts?.(room, id, dedupeKey)) ?? false,
      )
    },
  }
}
