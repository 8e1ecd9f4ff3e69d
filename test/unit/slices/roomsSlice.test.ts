import { describe, expect, it } from 'vitest'
import { rooms } from '../../../slices/actions'
import { roomsReducer } from '../../../slices/roomsSlice'
import { T0, error, reduce } from './fixtures'

const joined = (room: string, gap = false, at = T0) =>
  rooms.joined({ room, epoch: 'e1', fromSeq: 0, headSeq: 0, resumed: !gap, gap, at })

describe('rooms reducer', () => {
  it('marks a requested room joining, then joined with when and whether there was a gap', () => {
    const joining = reduce(roomsReducer, [rooms.joinRequested({ room: 'general' })])
    expect(joining).toEqual({ general: { status: 'joining', gap: false } })
    const done = reduce(roomsReducer, [joined('general', true, T0 + 5)], joining)
    expect(done).toEqual({ general: { status: 'joined', joinedAt: T0 + 5, gap: true } })
  })

  it('keeps a joined room joined when it is requested again', () => {
    const state = reduce(roomsReducer, [
      rooms.joinRequested({ room: 'general' }),
      joined('general'),
      rooms.joinRequested({ room: 'general' }),
    ])
    expect(state.general?.status).toBe('joined')
  })

  it('records a refused join with its error, and lets a new request retry it', () => {
    const refused = error('FORBIDDEN')
    const failed = reduce(roomsReducer, [
      rooms.joinRequested({ room: 'secret' }),
      rooms.joinFailed({ room: 'secret', error: refused }),
    ])
    expect(failed.secret).toEqual({ status: 'failed', gap: false, error: refused })
    const retried = reduce(roomsReducer, [rooms.joinRequested({ room: 'secret' })], failed)
    expect(retried.secret).toEqual({ status: 'joining', gap: false })
  })

  it('clears the gap flag when a later join resumes', () => {
    const state = reduce(roomsReducer, [joined('general', true), joined('general', false)])
    expect(state.general?.gap).toBe(false)
  })

  it('removes a room on leaveRequested', () => {
    const state = reduce(roomsReducer, [
      rooms.joinRequested({ room: 'general' }),
      rooms.joinRequested({ room: 'random' }),
      joined('general'),
      rooms.leaveRequested({ room: 'general' }),
    ])
    expect(Object.keys(state)).toEqual(['random'])
  })

  it('treats room names like toString and hasOwnProperty as ordinary keys', () => {
    const state = reduce(roomsReducer, [
      rooms.joinRequested({ room: 'toString' }),
      rooms.joinRequested({ room: 'hasOwnProperty' }),
    ])
    expect(Object.keys(state).sort()).toEqual(['hasOwnProperty', 'toString'])
    expect(Object.hasOwn(state, 'valueOf')).toBe(false)
  })
})
