import { CloseCode, encodeFrame, makeFrame } from '../protocol'
import type { JoinData, StreamFrame } from '../protocol'
import { localBroker } from './broker'
import type { SignalFrame, StreamBroker } from './broker'
import { encodeOnce, tooLargeError } from './frameLimit'
import type { AppendResult, HistoryStore, UnsequencedStreamFrame } from './historyStore'
import { planJoin, replayBatches } from './joinReplay'
import { createSerialQueue } from './serialQueue'
import type { SerialQueue } from './serialQueue'
import { createStreamDelivery } from './streamDelivery'
import type { StreamDelivery } from './streamDelivery'

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
  /** Closes the connection; the client reconnects (used when a stream must be joined again). */
  close(code: number, reason: string): void
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
   * Stores the frame and broadcasts it to every member unless it is a conflict, through the
   * stream's delivery (seq order, each seq once, with the frames other processes append). A
   * duplicate is offered again: the delivery drops a seq it sent and sends one that a timed-out
   * try stored. A member whose limit it exceeds gets a `MESSAGE_TOO_LARGE` error naming its seq.
   */
  publish(room: string, frame: UnsequencedStreamFrame, dedupeKey: string): Promise<AppendResult>
  /**
   * Sends a signal (typing, a read receipt, a volatile app message) to the room's members here
   * but `from`, and through the broker to its members on the other processes; a member gets it
   * only when it fits the member's limit. Not stored, not sequenced, fire-and-forget.
   */
  signal(room: string, frame: SignalFrame, from?: RoomMember): void
  /**
   * Whether `id` is taken in `room` by another dedupe key, after the room's queued writes (false
   * when the history store cannot tell).
   */
  idTaken(room: string, id: string, dedupeKey: string): Promise<boolean>
}

const NONE: ReadonlySet<never> = new Set()

interface RoomState {
  members: Set<RoomMember>
  /** Serializes appends and joins (within this process). */
  queue: SerialQueue
  /** Joins under way: the frames delivered meanwhile, sent after the join's replay. */
  joining: Map<RoomMember, StreamFrame[]>
  /** Members whose replay went past the last delivered seq: nothing up to it is sent again. */
  floors: Map<RoomMember, number>
  /** While the room has local members (or joins): seq order, once, gaps read from history. */
  delivery: StreamDelivery | undefined
  /** The broker subscription of `delivery`. */
  subscribed: Promise<void> | undefined
}

export interface RoomsDeps {
  history: HistoryStore
  /** The server's epoch: a stream's when the history store names none. */
  epoch: string
  /** How other processes' frames arrive. Default: none (one process). */
  broker?: StreamBroker
  /** Errors off any request's path (a gap read that failed). Default: console.error. */
  onError?: (message: string, error: unknown) => void
}

/** Sends a stored frame to each member, or the too-large error to those it does not fit. */
function broadcast(state: RoomState, room: string, frame: StreamFrame): void {
  const { text, bytes } = encodeOnce(frame)
  const seq = frame.seq ?? 0
  const { floors } = state
  for (const member of state.members) {
    const floor = floors.size > 0 ? floors.get(member) : undefined
    if (floor !== undefined) {
      if (seq <= floor) continue
      floors.delete(member)
    }
    if (bytes <= member.maxFrameBytes) member.sendText(text, bytes, true)
    else member.sendText(encodeFrame(tooLargeError(room, frame, bytes, member.maxFrameBytes)))
  }
  for (const heard of state.joining.values()) heard.push(frame)
}

/** Sends a signal once to each of `members` but `from` that it fits; the others go without. */
function relaySignal(
  members: Iterable<RoomMember>,
  frame: SignalFrame,
  from: RoomMember | undefined,
): void {
  const { text, bytes } = encodeOnce(frame)
  for (const member of members)
    if (member !== from && bytes <= member.maxFrameBytes) member.sendText(text, bytes)
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
export function createRooms(deps: RoomsDeps): Rooms {
  const { history, epoch, broker = localBroker } = deps
  const onError =
    deps.onError ?? ((message: string, error: unknown) => console.error(message, error))
  const rooms = new Map<string, RoomState>()
  const membership = new Map<RoomMember, Set<string>>()

  const roomState = (room: string): RoomState => {
    let state = rooms.get(room)
    if (!state) {
      state = {
        members: new Set(),
        queue: createSerialQueue(),
        joining: new Map(),
        floors: new Map(),
        delivery: undefined,
        subscribed: undefined,
      }
      rooms.set(room, state)
    }
    return state
  }

  /** The stream was renumbered or its gap is gone: every local member joins it again. */
  const resync = (room: string, state: RoomState): void => {
    const reason = `${room} lost its history; join it again`
    for (const member of [...state.members, ...state.joining.keys()])
      member.close(CloseCode.GOING_AWAY, reason)
  }

  /** Subscribes on the room's first local member (a join under way counts). */
  const activate = (room: string, state: RoomState): Promise<void> => {
    if (state.subscribed) return state.subscribed
    const delivery = createStreamDelivery({
      since: (afterSeq) => state.queue.run(() => history.since(room, afterSeq)),
      serverEpoch: epoch,
      deliver: (frame) => broadcast(state, room, frame),
      resync: () => resync(room, state),
      onError: (message, error) => onError(`redux-realtime server: ${room}: ${message}`, error),
    })
    const subscribed = broker.subscribe(room, {
      frame: (frame, frameEpoch) => delivery.offer(frame, frameEpoch),
      resumed: () => delivery.recover(),
      // Members only: a join under way gets signals once it is a member.
      signal: (frame) => relaySignal(state.members, frame, undefined),
    })
    state.delivery = delivery
    state.subscribed = subscribed
    subscribed.catch(() => {
      if (state.subscribed === subscribed) deactivate(room, state, true)
    })
    return subscribed
  }

  /** Unsubscribes after the room's last local member left. */
  const deactivate = (room: string, state: RoomState, failed = false): void => {
    if (!state.delivery || (!failed && state.members.size + state.joining.size > 0)) return
    state.delivery.stop()
    state.delivery = undefined
    state.subscribed = undefined
    state.floors.clear()
    broker.unsubscribe(room)
  }

  const leave = (member: RoomMember, room: string): void => {
    const state = rooms.get(room)
    membership.get(member)?.delete(room)
    if (!state) return
    state.members.delete(member)
    state.floors.delete(member)
    deactivate(room, state)
  }

  return {
    join(member, room, cursor, joinId) {
      const state = roomState(room)
      return state.queue.run(async () => {
        if (member.closed) return
        // A join again on the same connection: its frames wait for this join's replay.
        const wasMember = state.members.delete(member)
        state.joining.set(member, [])
        let added = false
        try {
          // Subscribed before history is read, so no frame after the replay goes unheard.
          await activate(room, state)
          const { joined, frames } = await planJoin(history, room, cursor, epoch)
          if (member.closed) return
          const delivery = state.delivery
          if (!delivery) throw new Error(`rooms: ${room} lost its delivery during a join`)
          delivery.start(joined.epoch, joined.headSeq)
          // History was lost since delivery started: every local member joins again.
          if (delivery.epoch !== joined.epoch) return delivery.renumbered()
          // Delivered while the history was read: only what the replay did not cover.
          const heard = state.joining.get(member) ?? []
          const live = heard.filter((frame) => (frame.seq ?? 0) > joined.headSeq)
          const answer = makeFrame('joined', { room, data: { refId: joinId, ...joined } })
          const replay = replayBatches(room, [...frames, ...live], member.maxFrameBytes)
          member.sendBurst([answer, ...replay].map(encodeFrame))
          if (delivery.lastSeq < joined.headSeq) state.floors.set(member, joined.headSeq)
          state.members.add(member)
          added = true
          let joinedRooms = membership.get(member)
          if (!joinedRooms) membership.set(member, (joinedRooms = new Set()))
          joinedRooms.add(room)
        } finally {
          state.joining.delete(member)
          if (!added && wasMember && !member.closed) state.members.add(member)
          deactivate(room, state)
        }
      })
    },

    leave,

    leaveAll(member) {
      for (const room of [...(membership.get(member) ?? [])]) leave(member, room)
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
        // The subscription may bring the same frame too; the delivery sends each seq once. A
        // duplicate is offered as well: the try that stored it may have timed out unsent.
        if (!result.conflict) state.delivery?.offer(result.frame, result.epoch ?? epoch)
        return result
      })
    },

    signal(room, frame, from) {
      const state = rooms.get(room)
      if (state) relaySignal(state.members, frame, from)
      broker.signal(room, frame)
    },

    idTaken(room, id, dedupeKey) {
      if (!history.conflicts) return Promise.resolve(false)
      return roomState(room).queue.run(
        async () => (await history.conflicts?.(room, id, dedupeKey)) ?? false,
      )
    },
  }
}
