import { describe, expect, it } from 'vitest'
import { createStreamCursors } from '../../../middleware/streams'

function joinedAt(epoch: string, seq: number) {
  const streams = createStreamCursors(() => [])
  streams.track('general')
  streams.joined('general', epoch, seq, seq)
  return streams
}

describe('createStreamCursors', () => {
  it('applies the next seq and advances the cursor', () => {
    const streams = joinedAt('e1', 0)
    expect(streams.accept('general', 1, `m${1}`)).toBe('apply')
    expect(streams.accept('general', 2, `m${2}`)).toBe('apply')
    expect(streams.cursor('general')).toEqual({ epoch: 'e1', seq: 2 })
  })

  it('calls a seq at or below the cursor a duplicate and does not move the cursor', () => {
    const streams = joinedAt('e1', 5)
    expect(streams.accept('general', 5, `m${5}`)).toBe('duplicate')
    expect(streams.accept('general', 1, `m${1}`)).toBe('duplicate')
    expect(streams.cursor('general')).toEqual({ epoch: 'e1', seq: 5 })
  })

  it('reports a gap once, then drops frames beyond the cursor as resyncing until the next joined', () => {
    const streams = joinedAt('e1', 2)
    expect(streams.accept('general', 4, `m${4}`)).toBe('gap')
    expect(streams.accept('general', 5, `m${5}`)).toBe('resyncing')
    expect(streams.accept('general', 6, `m${6}`)).toBe('resyncing')
    expect(streams.cursor('general')).toEqual({ epoch: 'e1', seq: 2 })
    // The missing frame itself still applies while resyncing.
    expect(streams.accept('general', 3, `m${3}`)).toBe('apply')
    streams.joined('general', 'e1', 3, 3)
    expect(streams.accept('general', 5, `m${5}`)).toBe('gap')
  })

  it('calls frames of a room not tracked, or tracked but not yet joined, untracked', () => {
    const streams = createStreamCursors(() => [])
    expect(streams.accept('general', 1, `m${1}`)).toBe('untracked')
    streams.track('general')
    expect(streams.accept('general', 1, `m${1}`)).toBe('untracked')
    expect(streams.cursor('general')).toEqual({})
    streams.joined('general', 'e1', 0, 0)
    expect(streams.accept('general', 1, `m${1}`)).toBe('apply')
    streams.forget('general')
    expect(streams.accept('general', 2, `m${2}`)).toBe('untracked')
    expect(streams.isTracked('general')).toBe(false)
  })

  it('refuses a joined for a room it does not track', () => {
    const streams = createStreamCursors(() => [])
    expect(streams.joined('general', 'e1', 0, 0)).toBe(false)
    expect(streams.rooms()).toEqual([])
  })

  it('keeps the cursor when joined again in the same epoch at the cursor (resume)', () => {
    const streams = joinedAt('e1', 0)
    for (let seq = 1; seq <= 3; seq++) streams.accept('general', seq, `m${seq}`)
    expect(streams.joined('general', 'e1', 3, 3)).toBe(true)
    expect(streams.cursor('general')).toEqual({ epoch: 'e1', seq: 3 })
    expect(streams.accept('general', 3, `m${3}`)).toBe('duplicate')
    expect(streams.accept('general', 4, `m${4}`)).toBe('apply')
  })

  it('restarts the cursor at fromSeq when joined in a new epoch', () => {
    const streams = joinedAt('e1', 0)
    for (let seq = 1; seq <= 9; seq++) streams.accept('general', seq, `m${seq}`)
    streams.joined('general', 'e2', 0, 0)
    expect(streams.cursor('general')).toEqual({ epoch: 'e2', seq: 0 })
    expect(streams.accept('general', 1, `m${1}`)).toBe('apply')
  })

  it('follows fromSeq when a same-epoch join could not resume because the cursor fell behind retention', () => {
    // The server replays after fromSeq (the seq before its oldest retained one), not after our cursor.
    const streams = joinedAt('e1', 0)
    streams.accept('general', 1, `m${1}`)
    streams.accept('general', 2, `m${2}`)
    streams.joined('general', 'e1', 10, 10)
    expect(streams.accept('general', 11, `m${11}`)).toBe('apply')
    expect(streams.cursor('general')).toEqual({ epoch: 'e1', seq: 11 })
  })

  it('lists the tracked rooms in the order they were tracked, once each', () => {
    const streams = createStreamCursors(() => [])
    streams.track('b')
    streams.track('a')
    streams.track('b')
    expect(streams.rooms()).toEqual(['b', 'a'])
  })

  it('after an epoch change, skips replayed messages it already holds until the replay reaches headSeq', () => {
    const streams = createStreamCursors(() => ['a', 'b'])
    streams.track('general')
    streams.joined('general', 'e1', 0, 0)
    streams.accept('general', 1, 'a')
    streams.accept('general', 2, 'b')
    // The server restarted and replays its history (a, b, c) under a new epoch.
    streams.joined('general', 'e2', 0, 3)
    expect(streams.accept('general', 1, 'a')).toBe('duplicate')
    expect(streams.accept('general', 2, 'b')).toBe('duplicate')
    expect(streams.accept('general', 3, 'c')).toBe('apply')
    expect(streams.cursor('general')).toEqual({ epoch: 'e2', seq: 3 })
    // Past the replay, ids are no longer checked.
    expect(streams.accept('general', 4, 'a')).toBe('apply')
  })
})
