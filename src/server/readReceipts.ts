import type { ReadReceiptData } from '../protocol'

/**
 * How far each user has read in each room: the receipt seam (issue 12: the memory table by
 * default, `createRedisReceipts` shared by processes). Calls may reject; the server times them.
 */
export interface ReadReceipts {
  /** Keeps the receipt when its seq is higher than the user's last; false when it was ignored. */
  record(room: string, userId: string, receipt: ReadReceiptData): Promise<boolean>
  /** The room's receipts, one per user. */
  of(room: string): Promise<Array<{ userId: string; receipt: ReadReceiptData }>>
}

/**
 * Creates the in-memory receipt table. A receipt never moves back: a lower or equal seq (a late
 * or repeated receipt from another device) changes nothing.
 *
 * @example
 * const receipts = createReadReceipts()
 * await receipts.record('general', 'bob', { messageId: 'm9', seq: 9 }) // true
 * await receipts.record('general', 'bob', { messageId: 'm3', seq: 3 }) // false
 */
export function createReadReceipts(): ReadReceipts {
  const rooms = new Map<string, Map<string, ReadReceiptData>>()
  return {
    record(room, userId, receipt) {
      let users = rooms.get(room)
      if (!users) rooms.set(room, (users = new Map<string, ReadReceiptData>()))
      const current = users.get(userId)
      if (current && current.seq >= receipt.seq) return Promise.resolve(false)
      users.set(userId, { messageId: receipt.messageId, seq: receipt.seq })
      return Promise.resolve(true)
    },

    of(room) {
      return Promise.resolve(
        [...(rooms.get(room) ?? [])].map(([userId, receipt]) => ({ userId, receipt })),
      )
    },
  }
}
