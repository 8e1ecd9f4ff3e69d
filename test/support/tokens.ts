import { signDevToken } from '../../src/server'
import type { DevTokenOptions } from '../../src/server'

/** The secret every test server and test token shares. */
export const TEST_SECRET = 'test-secret'

/**
 * A signed token for `userId` (default 24h, HS256, `TEST_SECRET`).
 *
 * @example
 * const expired = await tokenFor('alice', { expiresIn: '-1m' })
 * const forged = await tokenFor('alice', { secret: 'wrong' })
 */
export function tokenFor(
  userId: string,
  options: DevTokenOptions & { secret?: string } = {},
): Promise<string> {
  const { secret = TEST_SECRET, ...rest } = options
  return signDevToken(secret, userId, rest)
}
