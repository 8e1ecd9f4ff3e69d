import type { JsonValue, PresenceStatus } from '../src/protocol/frames'
import type { UserPresence } from './presenceSlice'
import type { RealtimeState } from './realtimeReducer'
import { own } from './records'
import type { RoomMemberState } from './roomPresenceSlice'

/** One member of a room: their presence (from `presence`) and the data they set in the room. */
export interface RoomPresenceMember {
  userId: string
  status: PresenceStatus
  customStatus?: string
  data?: JsonValue
}

const NOBODY: readonly RoomPresenceMember[] = Object.freeze([])

const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

function sameData(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && JSON.stringify(a) === JSON.stringify(b))
}

function sameMember(a: RoomPresenceMember, b: RoomPresenceMember): boolean {
  return (
    a.userId === b.userId &&
    a.status === b.status &&
    a.customStatus === b.customStatus &&
    sameData(a.data, b.data)
  )
}

function toMember(
  userId: string,
  { data }: RoomMemberState,
  presence: UserPresence | undefined,
): RoomPresenceMember {
  return {
    userId,
    // A member has a connection in the room: online until their presence says otherwise.
    status: presence?.status ?? 'online',
    ...(presence?.customStatus !== undefined ? { customStatus: presence.customStatus } : {}),
    ...(data !== undefined ? { data } : {}),
  }
}

/**
 * `selectRoomMembers(state, room)`: the room's members sorted by user id, with status and
 * custom status from presence. Memoized per room: the same array (and the same member objects)
 * while that room's members are unchanged, whatever else changes, so a component showing one
 * room re-renders only for it.
 */
export function createRoomMembersSelector(selectRealtime: (root: unknown) => RealtimeState) {
  /** Room → the inputs and result of its last selection; rooms without a list are dropped. */
  const last = new Map<
    string,
    {
      list: Readonly<Record<string, RoomMemberState>>
      users: RealtimeState['presence']['users']
      members: readonly RoomPresenceMember[]
    }
  >()

  return function selectRoomMembers(root: unknown, room: string): readonly RoomPresenceMember[] {
    const state = selectRealtime(root)
    const list = own(state.roomPresence, room)
    if (!list) {
      last.delete(room)
      return NOBODY
    }
    const users = state.presence.users
    const previous = last.get(room)
    if (previous && previous.list === list && previous.users === users) return previous.members
    const before = new Map(previous?.members.map((m) => [m.userId, m]))
    let changed = previous === undefined || previous.members.length !== Object.keys(list).length
    const members = Object.keys(list)
      .sort(byCodeUnit)
      .map((userId, index) => {
        const next = toMember(userId, list[userId] as RoomMemberState, own(users, userId))
        const kept = before.get(userId)
        if (kept && sameMember(kept, next)) {
          if (previous?.members[index] !== kept) changed = true
          return kept
        }
        changed = true
        return next
      })
    const result = changed || !previous ? members : previous.members
    last.set(room, { list, users, members: result })
    return result
  }
}
