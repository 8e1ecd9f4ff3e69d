import type { ReadReceiptData } from '../protocol'

/** How far each user has read in each room. */
export interface ReadReceipts {
  /** Keeps the receipt when its seq is higher than the user's last; false when it was ignored. */
  record(room: string, userId: string, receipt: ReadReceiptData): boolean
  /** The room's receipts, one per user. */
  of(room: string): Array<{ userId: string; receipt: ReadReceiptData }>
}

/**
 * Creates the in-memory receipt table. A receipt never moves back: a lower or equal seq (a late
 * or repeated receipt from another device) changes nothing.
 *
 * @example
 * const receipts = createReadReceipts()
 * receipts.record('general', 'bob', { messageId: 'm9', seq: 9 }) // true
 * receipts.record('general', 'bob', { messageId: 'm3', seq: 3 }) // false
 */
export function createReadReceipts(): ReadReceipts {
  const rooms = new Map<string, Map<string, ReadReceiptData>>()
  return {
    record(room, userId, receipt) {
      let users = rooms.get(room)
      if (!users) rooms.set(room, (users = new Map<string, ReadReceiptData>()))
      const current = users.get(userId)
      if (current && current.seq >= receipt.seq) return false
      users.set(userId, { messageId: receipt.messageId, seq: receipt.seq })
      return true
    },

    of(room) {
      return [...(rooms.get(room) ?? [])].map(([userId, receipt]) => ({ userId, receipt }))
    },
  }
}
