import { makeFrame, MAX_ROOM_MEMBERS_PER_FRAME, MessageType } from '../protocol'
import type { JsonValue, RoomMemberEntry, RoomPresenceData } from '../protocol'
import { encodeOnce, sizedChunks } from './frameLimit'
import type { PresenceBook } from './presenceBook'
import type { RoomMember, Rooms } from './rooms'

/** A `room_presence` frame's envelope besides its list: ids, type, time, and the room's name. */
const ENVELOPE_BYTES = 256

/**
 * Room members: per room, the users with at least one connection joined to it, and the data
 * each set there (the latest any of their connections set). State, not history: no seq, not
 * stored; a joiner gets the list, members get diffs.
 */
export interface RoomPresence {
  /** After a join: the member list to the joiner, and the joiner to the others when new there. */
  joined(member: RoomMember, userId: string, room: string): void
  /** After a connection left `room` (leave or close): when it was the user's last, they leave the list. */
  left(userId: string, room: string): void
  /** Sets the user's data in `room`; every member gets the change (none when it is the same). */
  set(userId: string, room: string, value: JsonValue): void
  /**
   * Another process's user entered or left `room` there (issue 12): this process's members
   * get the diff, unless the user is in the room here or (for a leave) elsewhere still.
   */
  elsewhere(userId: string, room: string, entered: boolean): void
}

/** Who other processes have in a room (none with one process). */
export interface ElsewhereMembers {
  usersIn(room: string): Iterable<string>
  has(userId: string, room: string): boolean
}

const NOBODY: ElsewhereMembers = { usersIn: () => [], has: () => false }

/**
 * @example
 * const roomPresence = createRoomPresence(rooms, book)
 * roomPresence.set('alice', 'board', { cursor: [3, 4] }) // every member of board gets the diff
 */
export function createRoomPresence(
  rooms: Rooms,
  book: PresenceBook,
  others: ElsewhereMembers = NOBODY,
): RoomPresence {
  /** Room → user → their latest data there, with its JSON for change detection. */
  const byRoom = new Map<string, Map<string, { value: JsonValue; json: string }>>()

  const inRoom = (userId: string, room: string, except?: RoomMember): boolean => {
    for (const own of book.connectionsOf(userId)) {
      if (own !== except && rooms.isMember(own, room)) return true
    }
    return false
  }

  const entry = (room: string, userId: string): RoomMemberEntry => {
    const data = byRoom.get(room)?.get(userId)
    return data ? { userId, data: data.value } : { userId }
  }

  const roomPresenceFrame = (room: string, data: RoomPresenceData) =>
    makeFrame(MessageType.ROOM_PRESENCE, { room, data })

  /** A member whose data cannot fit in one of `member`'s frames is listed without it. */
  const fitting = (member: RoomMember, room: string, item: RoomMemberEntry): RoomMemberEntry => {
    const bytes = Buffer.byteLength(JSON.stringify(item)) + Buffer.byteLength(room)
    return bytes + ENVELOPE_BYTES <= member.maxFrameBytes ? item : { userId: item.userId }
  }

  const sendList = (member: RoomMember, room: string): void => {
    const userIds = new Set<string>()
    for (const other of rooms.membersOf(room)) if (other.userId) userIds.add(other.userId)
    for (const userId of others.usersIn(room)) userIds.add(userId)
    const entries = [...userIds].sort().map((userId) => fitting(member, room, entry(room, userId)))
    const budget = member.maxFrameBytes - ENVELOPE_BYTES - Buffer.byteLength(room)
    // A list too long for one frame continues as diffs, which the client applies on top.
    sizedChunks(entries, budget, MAX_ROOM_MEMBERS_PER_FRAME).forEach((members, index) => {
      const { text, bytes } = encodeOnce(
        roomPresenceFrame(room, { snapshot: index === 0, members }),
      )
      member.sendText(text, bytes)
    })
  }

  const broadcast = (room: string, data: RoomPresenceData, except?: RoomMember): void => {
    const { text, bytes } = encodeOnce(roomPresenceFrame(room, data))
    for (const member of rooms.membersOf(room)) {
      if (member === except) continue
      if (bytes <= member.maxFrameBytes) member.sendText(text, bytes)
      else {
        // Below ~1.5 KiB limits a member's data may not fit: the member goes without it.
        const members = data.members?.map((item) => ({ userId: item.userId }))
        const stripped = encodeOnce(
          roomPresenceFrame(room, { ...data, ...(members ? { members } : {}) }),
        )
        member.sendText(stripped.text, stripped.bytes)
      }
    }
  }

  return {
    joined(member, userId, room) {
      sendList(member, room)
      if (!inRoom(userId, room, member) && !others.has(userId, room)) {
        broadcast(room, { snapshot: false, members: [entry(room, userId)] }, member)
      }
    },

    left(userId, room) {
      if (inRoom(userId, room) || others.has(userId, room)) return
      const data = byRoom.get(room)
      data?.delete(userId)
      if (data?.size === 0) byRoom.delete(room)
      broadcast(room, { snapshot: false, left: [userId] })
    },

    set(userId, room, value) {
      const json = JSON.stringify(value)
      let data = byRoom.get(room)
      if (data?.get(userId)?.json === json) return
      if (!data) {
        data = new Map()
        byRoom.set(room, data)
      }
      data.set(userId, { value, json })
      broadcast(room, { snapshot: false, members: [{ userId, data: value }] })
    },

    elsewhere(userId, room, entered) {
      if (inRoom(userId, room) || rooms.membersOf(room).size === 0) return
      if (entered) return broadcast(room, { snapshot: false, members: [entry(room, userId)] })
      if (others.has(userId, room)) return
      const data = byRoom.get(room)
      data?.delete(userId)
      if (data?.size === 0) byRoom.delete(room)
      broadcast(room, { snapshot: false, left: [userId] })
    },
  }
}
