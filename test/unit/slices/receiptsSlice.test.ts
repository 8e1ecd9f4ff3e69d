import { describe, expect, it } from 'vitest'
import { chat, rooms, type ReadReceipt } from '../../../slices/actions'
import { receiptsReducer } from '../../../slices/receiptsSlice'
import { T0, reduce } from './fixtures'

const receipts = (...list: ReadReceipt[]) => chat.readReceiptsReceived({ receipts: list, at: T0 })
const receipt = (userId: string, seq: number, room = 'general'): ReadReceipt => ({
  room,
  userId,
  messageId: `m-${room}-${seq}`,
  seq,
})

describe('read receipts reducer', () => {
  it('keeps each user’s furthest position per room, never going back', () => {
    const state = reduce(receiptsReducer, [
      receipts(receipt('bob', 3), receipt('carol', 1), receipt('bob', 2)),
      receipts(receipt('bob', 1, 'random')),
      receipts(receipt('carol', 4)),
    ])
    expect(state).toEqual({
      general: {
        bob: { messageId: 'm-general-3', seq: 3 },
        carol: { messageId: 'm-general-4', seq: 4 },
      },
      random: { bob: { messageId: 'm-random-1', seq: 1 } },
    })
  })

  it('forgets a room this client leaves', () => {
    const state = reduce(receiptsReducer, [
      receipts(receipt('bob', 3), receipt('bob', 1, 'random')),
      rooms.leaveRequested({ room: 'general' }),
    ])
    expect(Object.keys(state)).toEqual(['random'])
  })

  it('keeps a user named like an Object.prototype member apart', () => {
    const state = reduce(receiptsReducer, [
      receipts(receipt('toString', 2)),
      receipts(receipt('toString', 1)),
    ])
    expect(state.general).toEqual({ toString: { messageId: 'm-general-2', seq: 2 } })
  })
})
