import { hasRoomPermission, isPrivateStream, privateStreamOf } from '../protocol'
import type { RoomAcl } from '../protocol'
import type { Authorize, DocumentAuthorizeRequest, RoomAuthorizeRequest } from './serverOptions'
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
  return (request) => {
    // Documents are open to every authenticated user unless an `authorize` says otherwise.
    if (request.room === undefined) return true
    const { userId, room, action } = request
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
  request: RoomAuthorizeRequest,
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

/**
 * Asks the configured `authorize` about a collaborative document (`view` to open it, `edit` to
 * change it); a throw counts as a denial.
 *
 * @example
 * if (!(await isDocumentAllowed(context, { userId, doc, action: 'edit' }))) return refuse()
 */
export async function isDocumentAllowed(
  context: { options: Pick<ServerContext['options'], 'authorize' | 'logger'> },
  request: DocumentAuthorizeRequest,
): Promise<boolean> {
  try {
    return (await context.options.authorize(request)) === true
  } catch (error) {
    context.options.logger.warn(
      `redux-realtime server: authorize threw for ${request.action} document ${request.doc}`,
      error,
    )
    return false
  }
}
