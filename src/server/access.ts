import { hasRoomPermission, isPrivateStream, privateStreamOf } from '../protocol'
import type { RoomAcl } from '../protocol'
import type { Authorize, AuthorizeRequest } from './options'
import type { ServerContext } from './context'

/**
 * The `authorize` used when none is given: `hasRoomPermission` with the room's ACL from the
 * `rooms` option (read live, so it may change at run time), or with no ACL. So every room is
 * open, except `dm:<a>:<b>` rooms, which only their two users may use.
 *
 * @example
 * const authorize = defaultAuthorize({ staff: { public: false, members: ['alice'] } })
 * authorize({ userId: 'bob', room: 'staff', action: 'join' }) // false
 */
export function defaultAuthorize(rooms?: Readonly<Record<string, RoomAcl>>): Authorize {
  return ({ userId, room, action }) => {
    const acl = rooms && Object.hasOwn(rooms, room) ? rooms[room] : undefined
    return hasRoomPermission({ ...acl, name: room }, userId, action === 'join' ? 'read' : 'write')
  }
}

/**
 * Asks the configured `authorize`; a throw counts as a denial. Private streams (`user:<id>`)
 * follow fixed rules no `authorize` can change, because the server itself depends on them:
 * only their user joins, and nobody writes to them directly.
 *
 * @example
 * if (!(await isAllowed(context, { userId, room, action: 'join' }))) return refuse()
 */
export async function isAllowed(
  context: ServerContext,
  request: AuthorizeRequest,
): Promise<boolean> {
  const { userId, room, action } = request
  if (isPrivateStream(room)) return action === 'join' && room === privateStreamOf(userId)
  try {
    return (await context.options.authorize(request)) === true
  } catch (error) {
    context.options.logger.warn(
      `redux-realtime server: authorize threw for ${action} ${room}`,
      error,
    )
    return false
  }
}
