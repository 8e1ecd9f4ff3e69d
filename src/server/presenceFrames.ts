/**
 * The presence frames a server sends: a diff to many (encoded once), a connection's snapshot,
 * and the `removed` last word to a watcher that stopped seeing users; a list too big for one
 * frame continues in the next, within each connection's frame limit.
 */
import { encodeFrame, makeFrame, MessageType } from '../protocol'
import type { Frame, PresenceEntry, PresenceUpdateData } from '../protocol'
import { encodeOnce, sizedChunks } from './frameLimit'
import type { PresenceWatch } from './presenceWatch'
import type { RoomMember, Rooms } from './rooms'

/** The codec accepts at most this many entries in one `presence_update`. */
const MAX_ENTRIES = 1000
/** A `presence_update` frame's envelope besides its list. */
const ENVELOPE_BYTES = 256

export const sendAll = (members: Iterable<RoomMember>, frame: Frame, except?: RoomMember): void => {
  const { text, bytes } = encodeOnce(frame)
  for (const member of members) if (member !== except) member.sendText(text, bytes)
}

/** The `presence_update` diff of one user's entry. */
export const diff = (entry: PresenceEntry) =>
  makeFrame(MessageType.PRESENCE_UPDATE, { data: { snapshot: false, users: [entry] } })

/** `items` as `presence_update` frames to `member`, as many as its frame limit needs. */
function sendChunked<T>(
  member: RoomMember,
  items: readonly T[],
  data: (chunk: T[], index: number) => PresenceUpdateData,
): void {
  sizedChunks(items, member.maxFrameBytes - ENVELOPE_BYTES, MAX_ENTRIES).forEach((chunk, index) =>
    member.sendText(
      encodeFrame(makeFrame(MessageType.PRESENCE_UPDATE, { data: data(chunk, index) })),
    ),
  )
}

export interface PresenceFrames {
  /** Everyone the member's user sees, as a snapshot (then diffs, when too big for one frame). */
  sendSnapshot(member: RoomMember, self: string): void
  /** Tells `member` it no longer sees `removed`. */
  sendRemoved(member: RoomMember, removed: string[]): void
  /** After `member` (of `userId`) stopped being in `formerRooms`: who stopped seeing whom. */
  forgetUnseen(member: RoomMember, userId: string, formerRooms: string[]): void
}

export function createPresenceFrames(
  rooms: Rooms,
  watch: PresenceWatch,
  entryOf: (userId: string) => PresenceEntry,
): PresenceFrames {
  // A snapshot too big for one frame continues as diffs, which the client applies on top.
  const sendSnapshot = (member: RoomMember, self: string): void => {
    const entries = [...watch.watchedBy(member, self)].map((userId) => entryOf(userId))
    sendChunked(member, entries, (users, index) => ({ snapshot: index === 0, users }))
  }

  // A watcher that stops seeing a user gets a last word, so no status is left stale.
  const sendRemoved = (member: RoomMember, removed: string[]): void => {
    if (removed.length === 0 || member.closed) return
    sendChunked(member, removed, (chunk) => ({ snapshot: false, removed: chunk }))
  }

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

  return { sendSnapshot, sendRemoved, forgetUnseen }
}
