import type { UnknownAction } from '@reduxjs/toolkit'
import { describe, expect, it } from 'vitest'
import { connection, presence, roomPresence, rooms } from '../../../slices/actions'
import { createRealtimeReducer, type RealtimeState } from '../../../slices/realtimeReducer'
import { roomPresenceReducer } from '../../../slices/roomPresenceSlice'
import { createSelectors } from '../../../slices/selectors'
import { T0, error, reduce } from './fixtures'

const reducer = createRealtimeReducer({ maxMessagesPerRoom: 100, maxNotifications: 100 })

type Root = { realtime: RealtimeState }
const then = (root: Root | undefined, ...actions: UnknownAction[]): Root => ({
  realtime: reduce(reducer, actions, root?.realtime),
})

const synced = (room: string, members: Array<{ userId: string; data?: unknown }>) =>
  roomPresence.synced({ room, members: members as never, at: T0 })
const changed = (
  room: string,
  members: Array<{ userId: string; data?: unknown }>,
  left: string[] = [],
) => roomPresence.changed({ room, members: members as never, left, at: T0 })

describe('room presence reducer', () => {
  it('replaces a room’s list on sync, upserts and removes on diffs, and drops it on leave', () => {
    const state = reduce(roomPresenceReducer, [
      synced('board', [{ userId: 'bob', data: { x: 1 } }, { userId: 'ghost' }]),
      synced('board', [{ userId: 'alice' }, { userId: 'bob', data: { x: 1 } }]),
      changed('board', [{ userId: 'carol' }, { userId: 'bob', data: { x: 2 } }], ['alice']),
      synced('lobby', [{ userId: 'alice' }]),
    ])
    expect(state).toEqual({
      board: { bob: { data: { x: 2 } }, carol: {} },
      lobby: { alice: {} },
    })
    const left = reduce(
      roomPresenceReducer,
      [
        rooms.leaveRequested({ room: 'board' }),
        rooms.left({ room: 'lobby' }),
        synced('secret', [{ userId: 'alice' }]),
        rooms.joinFailed({ room: 'secret', error: error('FORBIDDEN') }),
      ],
      state,
    )
    expect(left).toEqual({})
  })

  it('keeps members and rooms named like Object.prototype members as own entries', () => {
    const state = reduce(roomPresenceReducer, [
      changed('valueOf', [{ userId: 'toString', data: null }]),
    ])
    expect(Object.entries(state)).toEqual([['valueOf', { toString: { data: null } }]])
  })
})

describe('selectRoomMembers', () => {
  const { selectRoomMembers } = createSelectors('realtime')
  const start = then(
    undefined,
    connection.opened({ userId: 'alice', sessionId: 's', epoch: 'e', at: T0 }),
    presence.synced({
      users: [
        { userId: 'alice', status: 'online' },
        { userId: 'bob', status: 'away', customStatus: 'lunch' },
        { userId: 'zoe', status: 'busy' },
      ],
      at: T0,
    }),
    synced('board', [{ userId: 'bob', data: { x: 1 } }, { userId: 'alice' }, { userId: 'Carl' }]),
    synced('lobby', [{ userId: 'zoe' }]),
  )

  it('lists the members sorted by user id, you included, with status from presence', () => {
    expect(selectRoomMembers(start, 'board')).toEqual([
      // Carl has no presence entry yet: a member is online until presence says otherwise.
      { userId: 'Carl', status: 'online' },
      { userId: 'alice', status: 'online' },
      { userId: 'bob', status: 'away', customStatus: 'lunch', data: { x: 1 } },
    ])
    expect(selectRoomMembers(start, 'nowhere')).toEqual([])
    expect(selectRoomMembers(start, 'nowhere')).toBe(selectRoomMembers(start, 'elsewhere'))
  })

  it('returns the same array while the room’s members are unchanged, whatever else changes', () => {
    const first = selectRoomMembers(start, 'board')
    expect(selectRoomMembers(start, 'board')).toBe(first)
    // Another room's news, and presence news about a user not in the room.
    const other = then(
      start,
      changed('lobby', [{ userId: 'zoe', data: 'hi' }]),
      presence.changed({ users: [{ userId: 'zoe', status: 'away' }], at: T0 }),
    )
    expect(selectRoomMembers(other, 'lobby')).not.toBe(selectRoomMembers(start, 'lobby'))
    expect(selectRoomMembers(other, 'board')).toBe(first)
    // A snapshot with the same members (a rejoin) keeps it too.
    const rejoined = then(
      other,
      synced('board', [{ userId: 'alice' }, { userId: 'Carl' }, { userId: 'bob', data: { x: 1 } }]),
    )
    expect(rejoined.realtime.roomPresence.board).not.toBe(other.realtime.roomPresence.board)
    expect(selectRoomMembers(rejoined, 'board')).toBe(first)
  })

  it('changes for a member’s data or status, keeping the other member objects', () => {
    const first = selectRoomMembers(start, 'board')
    const moved = then(start, changed('board', [{ userId: 'bob', data: { x: 2 } }]))
    const next = selectRoomMembers(moved, 'board')
    expect(next).not.toBe(first)
    expect(next[2]).toEqual({
      userId: 'bob',
      status: 'away',
      customStatus: 'lunch',
      data: { x: 2 },
    })
    expect(next[0]).toBe(first[0])
    expect(next[1]).toBe(first[1])

    const away = then(
      moved,
      presence.changed({ users: [{ userId: 'alice', status: 'busy' }], at: T0 }),
    )
    const after = selectRoomMembers(away, 'board')
    expect(after).not.toBe(next)
    expect(after[1]).toEqual({ userId: 'alice', status: 'busy' })
    expect(after[2]).toBe(next[2])

    const gone = then(away, changed('board', [], ['Carl']))
    expect(selectRoomMembers(gone, 'board').map((m) => m.userId)).toEqual(['alice', 'bob'])
  })

  it('keeps a separate memo per room, so alternating rooms stays stable', () => {
    const board = selectRoomMembers(start, 'board')
    const lobby = selectRoomMembers(start, 'lobby')
    expect(selectRoomMembers(start, 'board')).toBe(board)
    expect(selectRoomMembers(start, 'lobby')).toBe(lobby)
    const left = then(start, rooms.leaveRequested({ room: 'board' }))
    expect(selectRoomMembers(left, 'board')).toEqual([])
  })
})
