/**
 * The authenticated connections of each user, held to `maxConnectionsPerUser`: in this process
 * (`createConnectionCap`, synchronous) or across the processes on one Redis
 * (`redis/connections.ts`, which answers once Redis has).
 */
export interface ConnectionCap {
  /** Takes a slot for `connection` as `userId`; false when the user has none left. */
  admit(userId: string, connection: object): boolean | Promise<boolean>
  /** Frees the connection's slot (it closed); nothing for one never admitted. */
  release(userId: string, connection: object): void
  /** Open authenticated connections of `userId` (across processes for a shared cap). */
  count(userId: string): number | Promise<number>
  /** Stops what the cap runs (timers) and frees what this process still holds. */
  close?(): Promise<void>
}

/**
 * Counts sessions, not sockets: a token refresh on a live connection takes no second slot, and
 * a socket that never authenticated takes none.
 *
 * @example
 * const cap = createConnectionCap(20)
 * if (!cap.admit(userId, connection)) return refuse('TOO_MANY_CONNECTIONS', 4029)
 * socket.once('close', () => cap.release(userId, connection))
 */
export function createConnectionCap(maxPerUser: number): ConnectionCap {
  const byUser = new Map<string, Set<object>>()
  return {
    admit(userId, connection) {
      let held = byUser.get(userId)
      if (held?.has(connection)) return true
      if ((held?.size ?? 0) >= maxPerUser) return false
      if (!held) byUser.set(userId, (held = new Set()))
      held.add(connection)
      return true
    },
    release(userId, connection) {
      const held = byUser.get(userId)
      if (!held?.delete(connection)) return
      if (held.size === 0) byUser.delete(userId)
    },
    count: (userId) => byUser.get(userId)?.size ?? 0,
  }
}
