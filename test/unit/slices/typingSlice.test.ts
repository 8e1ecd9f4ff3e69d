import { describe, expect, it } from 'vitest'
import { chat, connection, rooms } from '../../../slices/actions'
import { typingReducer } from '../../../slices/typingSlice'
import { T0, reduce } from './fixtures'

const started = (userId: string, room = 'general') => chat.typingStarted({ room, userId, at: T0 })
const stopped = (userId: string, room = 'general') => chat.typingStopped({ room, userId })

describe('typing reducer', () => {
  it('lists who is typing per room, once each, in the order they started', () => {
    const state = reduce(typingReducer, [
      started('bob'),
      started('carol'),
      started('bob'),
      started('bob', 'random'),
    ])
    expect(state).toEqual({ general: ['bob', 'carol'], random: ['bob'] })
  })

  it('removes a user on stop and the room when nobody is left', () => {
    const state = reduce(typingReducer, [
      started('bob'),
      started('carol'),
      stopped('bob'),
      started('dave', 'random'),
      stopped('dave', 'random'),
      stopped('nobody', 'elsewhere'),
    ])
    expect(state).toEqual({ general: ['carol'] })
  })

  it('forgets a left room, and everything when the connection closes', () => {
    const left = reduce(typingReducer, [
      started('bob'),
      started('carol', 'random'),
      rooms.leaveRequested({ room: 'general' }),
    ])
    expect(left).toEqual({ random: ['carol'] })
    const closed = reduce(
      typingReducer,
      [connection.closed({ code: 1006, reason: '', willReconnect: true, attempt: 1, at: T0 })],
      left,
    )
    expect(closed).toEqual({})
  })
})
