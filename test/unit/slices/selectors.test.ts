import { describe, expect, it } from 'vitest'
import { chat, connection, outbox, rooms } from '../../../slices/actions'
import { createRealtimeReducer, type RealtimeState } from '../../../slices/realtimeReducer'
import { createSelectors } from '../../../slices/selectors'
import { T0, entry, message } from './fixtures'

const reducer = createRealtimeReducer({ maxMessagesPerRoom: 100, maxNotifications: 100 })
const selectors = createSelectors('live')

function rootWith(...actions: Parameters<typeof reducer>[1][]): { live: RealtimeState } {
  let state = reducer(undefined, { type: 'init' })
  for (const action of actions) state = reducer(state, action)
  return { live: state }
}

describe('createSelectors', () => {
  it('throws with the fix when the reducer is not mounted at reducerPath', () => {
    expect(() => selectors.selectConnectionState({})).toThrow(
      /no state at "live".*realtime\.reducer/,
    )
  })

  it('reads the connection state and whether it is open', () => {
    const root = rootWith(connection.opened({ userId: 'u', sessionId: 's', epoch: 'e', at: T0 }))
    expect(selectors.selectConnectionState(root)).toBe('open')
    expect(selectors.selectIsConnected(root)).toBe(true)
    expect(selectors.selectConnectionInfo(root)).toMatchObject({ state: 'open', userId: 'u' })
    expect(selectors.selectTransition(root)).toMatchObject({ from: 'idle', to: 'open' })
  })

  it('lists only joined rooms', () => {
    const root = rootWith(
      rooms.joinRequested({ room: 'a' }),
      rooms.joinRequested({ room: 'b' }),
      rooms.joined({
        room: 'b',
        epoch: 'e',
        fromSeq: 0,
        headSeq: 0,
        resumed: false,
        gap: false,
        at: T0,
      }),
    )
    expect(selectors.selectRooms(root)).toEqual(['b'])
    expect(selectors.selectRoomStatus(root, 'a')).toEqual({ status: 'joining', gap: false })
    expect(selectors.selectRoomStatus(root, 'toString')).toBeUndefined()
  })

  it('returns one stable empty list for a room without messages', () => {
    const root = rootWith()
    const first = selectors.selectMessagesByRoom(root, 'nowhere')
    expect(first).toEqual([])
    expect(selectors.selectMessagesByRoom(root, 'constructor')).toBe(first)
  })

  it('returns the same message list until the room changes', () => {
    const root = rootWith(chat.messagesReceived({ messages: [message('general', 1)], at: T0 }))
    expect(selectors.selectMessagesByRoom(root, 'general')).toBe(
      selectors.selectMessagesByRoom(root, 'general'),
    )
    expect(selectors.selectMessagesByRoom(root, 'general').map((m) => m.seq)).toEqual([1])
  })

  it('selects pending outbox entries', () => {
    const root = rootWith(outbox.enqueued({ entry: entry('general', 'm1') }))
    expect(selectors.selectPendingMessages(root).map((e) => e.id)).toEqual(['m1'])
  })

  it('scores a quiet, fast connection 100', () => {
    expect(selectors.selectHealthScore(rootWith())).toBe(100)
  })
})
