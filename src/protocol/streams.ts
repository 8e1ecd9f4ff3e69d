/**
 * Stream names shared by client and server. Every room is a stream; every user also has a
 * private stream (`user:<id>`) that carries their direct messages, notifications and event
 * updates, with seq and resume like a room. The `user:` prefix is reserved.
 */
export const PRIVATE_STREAM_PREFIX = 'user:'

export function privateStreamOf(userId: string): string {
  return `${PRIVATE_STREAM_PREFIX}${userId}`
}

export function isPrivateStream(room: string): boolean {
  return room.startsWith(PRIVATE_STREAM_PREFIX)
}

const escapeId = (id: string) => id.replace(/%/g, '%25').replace(/:/g, '%3A')

/**
 * The name of the conversation between two users, the same whichever way round they are given
 * (`generatePrivateRoomId('bob', 'alice') === generatePrivateRoomId('alice', 'bob')`). Ids are
 * escaped so `a:b` + `c` and `a` + `b:c` cannot collide.
 *
 * @example
 * generatePrivateRoomId('alice', 'bob') // 'dm:alice:bob'
 */
export function generatePrivateRoomId(userA: string, userB: string): string {
  const [first, second] = [userA, userB].sort()
  return `dm:${escapeId(first as string)}:${escapeId(second as string)}`
}
