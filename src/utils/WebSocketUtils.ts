import { calculateHealthScore } from '../health'
import { hasRoomPermission } from '../protocol/acl'
import { generatePrivateRoomId } from '../protocol/streams'
import { validateMessage, validateMessageDetailed } from './validateMessage'

/**
 * The seed's utility bag: the same functions the middleware, selectors and reference server
 * use, gathered under one name.
 *
 * - `calculateHealthScore(metrics)`: 0–100 from latency, errors per message and reconnections.
 * - `validateMessage(content)` / `validateMessageDetailed(content)`: can this be sent, and why not.
 * - `hasRoomPermission(room, userId, 'read' | 'write')`: the ACL rules the server's default
 *   `authorize` applies, for hiding what it would refuse.
 * - `generatePrivateRoomId(a, b)`: the `dm:` room of two users, whichever order they come in.
 *
 * @example
 * const health = WebSocketUtils.calculateHealthScore(client.getPerformanceMetrics())
 * if (health < 50) console.warn('Poor WebSocket connection health:', health)
 * const canWrite = WebSocketUtils.hasRoomPermission({ name: 'staff', public: false, members: ['ann'] }, 'ann', 'write')
 * const roomId = WebSocketUtils.generatePrivateRoomId('user1', 'user2') // 'dm:user1:user2'
 */
export const WebSocketUtils = {
  calculateHealthScore,
  validateMessage,
  validateMessageDetailed,
  hasRoomPermission,
  generatePrivateRoomId,
} as const
