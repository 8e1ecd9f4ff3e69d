import { isPrivateStream, privateStreamOf } from './streams'

/**
 * Who may read (join) and write a room. The same shape drives the client's
 * `WebSocketUtils.hasRoomPermission` and the reference server's default `authorize`
 * (its `rooms` option), so a UI can hide what the server would refuse.
 *
 * - No ACL, or `public: true` (the default): everyone reads; writers, when listed, limit writing.
 * - `public: false`: only `owner` and `members` (and `readers`) read.
 * - `writers`: when set, only they (and `owner`) write.
 * - `dm:<a>:<b>` rooms (from `generatePrivateRoomId`): only the two users, whatever the ACL.
 * - `user:<id>` private streams: only that user reads; nobody writes directly.
 */
export interface RoomAcl {
  public?: boolean
  owner?: string
  members?: readonly string[]
  readers?: readonly string[]
  writers?: readonly string[]
}

export interface RoomAccess extends RoomAcl {
  name: string
}

export type RoomPermission = 'read' | 'write'

const unescapeId = (id: string) => id.replace(/%3A/g, ':').replace(/%25/g, '%')

/** The two users of a `dm:` room, or undefined for any other room. */
export function privateRoomMembers(room: string): [string, string] | undefined {
  const match = /^dm:([^:]+):([^:]+)$/.exec(room)
  return match ? [unescapeId(match[1] as string), unescapeId(match[2] as string)] : undefined
}

/**
 * Whether `userId` may read (join) or write `room`.
 *
 * @example
 * hasRoomPermission({ name: 'staff', public: false, members: ['alice'] }, 'bob', 'read') // false
 * hasRoomPermission('general', 'bob', 'write') // true
 */
export function hasRoomPermission(
  room: string | RoomAccess,
  userId: string,
  permission: RoomPermission,
): boolean {
  const access: RoomAccess = typeof room === 'string' ? { name: room } : room
  if (isPrivateStream(access.name))
    return permission === 'read' && access.name === privateStreamOf(userId)
  const pair = privateRoomMembers(access.name)
  if (pair) return pair.includes(userId)
  if (access.owner === userId) return true
  const listed = (list?: readonly string[]) => list?.includes(userId) === true
  const canRead = access.public !== false || listed(access.members) || listed(access.readers)
  if (permission === 'read') return canRead
  return access.writers ? listed(access.writers) : canRead
}
