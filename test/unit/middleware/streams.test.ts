import { describe, expect, it } from 'vitest'
import { createStreamCursors, type StreamCursors } from '../../../middleware/streams'
import type { JoinedData } from '../../../src/protocol/frames'

let joins = 0

/** Sends a join for `room` and answers it with `joined` (fromSeq, headSeq, epoch). */
function join(
  streams: StreamCursors,
  room: string,
  epoch: string,
  fromSeq: number,
  headSeq = fromSeq,
) {
  const refId = `j${++joins}`
  const sent = streams.requestJoin(room, refId)
  const data: JoinedData = { refId, epoch, fromSeq, headSeq, resumed: true, gap: false }
  return { sent, accepted: streams.joined(room, data), data }
}

function joinedAt(epoch: string, seq: number) {
  const streams = createStreamCursors(100)
  streams.track('general')
  join(streams, 'general', epoch, seq)
  return streams
}

const cursorOf = (streams: StreamCursors, room = 'general') =>
  streams.saved().find((c) => c.room === room)

describe('createStreamCursors', () => {
  it('applies the next seq and advances the cursor', () => {
    const streams = joinedAt('e1', 0)
    expect(streams.accept('general', 1, 'bob', 'm1')).toBe('apply')
    expect(streams.accept('general', 2, 'bob', 'm2')).toBe('apply')
    expect(cursorOf(streams)).toEqual({ room: 'general', epoch: 'e1', seq: 2 })
  })

  it('calls a seq at or below the cursor a duplicate and does not move the cursor', () => {
    const streams = joinedAt('e1', 5)
    expect(streams.accept('general', 5, 'bob', 'm5')).toBe('duplicate')
    expect(streams.accept('general', 1, 'bob', 'm1')).toBe('duplicate')
    expect(cursorOf(streams)?.seq).toBe(5)
  })

  it('reports a gap once, then drops frames beyond the cursor as resyncing until the next joined', () => {
    const streams = joinedAt('e1', 2)
    expect(streams.accept('general', 4, 'bob', 'm4')).toBe('gap')
    expect(streams.accept('general', 5, 'bob', 'm5')).toBe('resyncing')
    expect(cursorOf(streams)?.seq).toBe(2)
    expect(streams.expectedSeq('general')).toBe(3)
    // The missing frame itself still applies while resyncing.
    expect(streams.accept('general', 3, 'bob', 'm3')).toBe('apply')
    join(streams, 'general', 'e1', 3)
    expect(streams.accept('general', 5, 'bob', 'm5')).toBe('gap')
  })

  it('calls frames of a room not tracked, or tracked but not joined on this socket, untracked', () => {
    const streams = createStreamCursors(100)
    expect(streams.accept('general', 1, 'bob', 'm1')).toBe('untracked')
    streams.track('general')
    expect(streams.accept('general', 1, 'bob', 'm1')).toBe('untracked')
    join(streams, 'general', 'e1', 0)
    expect(streams.isLive('general')).toBe(true)
    expect(streams.accept('general', 1, 'bob', 'm1')).toBe('apply')
    streams.disconnected()
    expect(streams.isLive('general')).toBe(false)
    expect(streams.accept('general', 2, 'bob', 'm2')).toBe('untracked')
    streams.forget('general')
    expect(streams.isTracked('general')).toBe(false)
  })

  it('moves the cursor only on the joined answering the join it sent last', () => {
    const streams = joinedAt('e1', 0)
    for (let seq = 1; seq <= 5; seq++) streams.accept('general', seq, 'bob', `m${seq}`)
    const stale: JoinedData = {
      refId: 'old',
      epoch: 'e1',
      fromSeq: 0,
      headSeq: 5,
      resumed: false,
      gap: false,
    }
    // No join pending: a replayed joined changes nothing.
    expect(streams.joined('general', stale)).toBe(false)
    // A join pending, but the joined answers another one.
    streams.requestJoin('general', 'current')
    expect(streams.joined('general', stale)).toBe(false)
    expect(streams.joined('general', { ...stale, refId: undefined })).toBe(false)
    expect(cursorOf(streams)?.seq).toBe(5)
    expect(streams.accept('general', 3, 'bob', 'm3')).toBe('duplicate')
    // Its own answer is taken once; a duplicate of it is not.
    expect(streams.joined('general', { ...stale, refId: 'current', fromSeq: 5 })).toBe(true)
    expect(streams.joined('general', { ...stale, refId: 'current', fromSeq: 0 })).toBe(false)
    expect(cursorOf(streams)?.seq).toBe(5)
  })

  it('never moves back in the same epoch when a resume answers an older cursor', () => {
    const streams = joinedAt('e1', 0)
    streams.accept('general', 1, 'bob', 'm1')
    streams.requestJoin('general', 'resume')
    streams.accept('general', 2, 'bob', 'm2')
    const data: JoinedData = {
      refId: 'resume',
      epoch: 'e1',
      fromSeq: 1,
      headSeq: 2,
      resumed: true,
      gap: false,
    }
    expect(streams.joined('general', data)).toBe(true)
    expect(cursorOf(streams)?.seq).toBe(2)
    expect(streams.accept('general', 2, 'bob', 'm2')).toBe('duplicate')
  })

  it('follows fromSeq forward when the cursor fell behind retention', () => {
    const streams = joinedAt('e1', 0)
    streams.accept('general', 1, 'bob', 'm1')
    join(streams, 'general', 'e1', 10)
    expect(streams.accept('general', 11, 'bob', 'm11')).toBe('apply')
    expect(cursorOf(streams)?.seq).toBe(11)
  })

  it('never applies an id twice in a stream, across epochs, but tells authors apart', () => {
    const streams = joinedAt('e1', 0)
    expect(streams.accept('general', 1, 'alice', 'a')).toBe('apply')
    expect(streams.accept('general', 2, 'alice', 'b')).toBe('apply')
    // The server restarted (new epoch) and the sender resent: same ids, new seqs.
    join(streams, 'general', 'e2', 0, 3)
    expect(streams.accept('general', 1, 'alice', 'a')).toBe('duplicate')
    expect(streams.accept('general', 2, 'alice', 'b')).toBe('duplicate')
    // Another author's id is another message.
    expect(streams.accept('general', 3, 'bob', 'a')).toBe('apply')
    expect(cursorOf(streams)).toEqual({ room: 'general', epoch: 'e2', seq: 3 })
  })

  it('remembers the last `window` applied ids per stream', () => {
    const streams = createStreamCursors(3)
    streams.track('general')
    join(streams, 'general', 'e1', 0)
    for (let seq = 1; seq <= 4; seq++) streams.accept('general', seq, 'bob', `m${seq}`)
    join(streams, 'general', 'e2', 0)
    expect(streams.accept('general', 1, 'bob', 'm1')).toBe('apply')
    expect(streams.accept('general', 2, 'bob', 'm4')).toBe('duplicate')
    // Round the ring a few times: exactly the last three are remembered.
    join(streams, 'general', 'e3', 0)
    for (let seq = 1; seq <= 10; seq++) streams.accept('general', seq, 'bob', `n${seq}`)
    join(streams, 'general', 'e4', 0)
    expect(streams.accept('general', 1, 'bob', 'n7')).toBe('apply')
    expect(streams.accept('general', 2, 'bob', 'n9')).toBe('duplicate')
    expect(streams.accept('general', 2, 'bob', 'n10')).toBe('duplicate')
  })

  it('forgets the oldest applied pair first whoever wrote it', () => {
    const streams = createStreamCursors(3)
    streams.track('general')
    join(streams, 'general', 'e1', 0)
    streams.accept('general', 1, 'alice', 'a')
    streams.accept('general', 2, 'bob', 'a')
    streams.accept('general', 3, undefined, 'a')
    streams.accept('general', 4, 'alice', 'b')
    join(streams, 'general', 'e2', 0)
    // alice's `a` was the oldest of four: forgotten. Applying it again forgets bob's `a`.
    expect(streams.accept('general', 1, 'alice', 'a')).toBe('apply')
    join(streams, 'general', 'e3', 0)
    expect(streams.accept('general', 1, undefined, 'a')).toBe('duplicate')
    expect(streams.accept('general', 2, 'alice', 'b')).toBe('duplicate')
    expect(streams.accept('general', 3, 'alice', 'a')).toBe('duplicate')
    expect(streams.accept('general', 4, 'bob', 'a')).toBe('apply')
  })

  it('remembers what each epoch applied for the next one, however many epochs pass', () => {
    const streams = createStreamCursors(3)
    streams.track('general')
    join(streams, 'general', 'e1', 0)
    streams.accept('general', 1, 'bob', 'a')
    join(streams, 'general', 'e2', 0)
    expect(streams.accept('general', 1, 'bob', 'a')).toBe('duplicate')
    // Three frames of e2: the ring now holds only e2's, applied while nothing was looked up.
    for (const [seq, id] of [
      [2, 'b'],
      [3, 'c'],
      [4, 'd'],
    ] as const)
      expect(streams.accept('general', seq, 'bob', id)).toBe('apply')
    join(streams, 'general', 'e3', 0)
    expect(streams.accept('general', 1, 'bob', 'b')).toBe('duplicate')
    expect(streams.accept('general', 2, 'bob', 'd')).toBe('duplicate')
    expect(streams.accept('general', 3, 'bob', 'a')).toBe('apply')
    expect(cursorOf(streams)).toEqual({ room: 'general', epoch: 'e3', seq: 3 })
  })

  it('moves past a seq the server skipped, in order', () => {
    const streams = joinedAt('e1', 0)
    expect(streams.skip('general', 1)).toBe('apply')
    expect(streams.skip('general', 1)).toBe('duplicate')
    expect(streams.accept('general', 2, 'bob', 'm2')).toBe('apply')
    expect(streams.skip('general', 4)).toBe('gap')
  })

  it('sends the restored cursor when a restored room is joined, and keeps a live one', () => {
    const streams = createStreamCursors(100)
    streams.restore([
      { room: 'general', epoch: 'e1', seq: 42 },
      { room: '__proto__', epoch: 'e1', seq: 7 },
    ])
    streams.track('general')
    streams.track('__proto__')
    expect(streams.requestJoin('general', 'j')).toEqual({ epoch: 'e1', seq: 42 })
    expect(streams.requestJoin('__proto__', 'k')).toEqual({ epoch: 'e1', seq: 7 })
    expect(({} as Record<string, unknown>).seq).toBeUndefined()
    // A cursor loaded late does not override one already being joined.
    const late = createStreamCursors(100)
    late.track('general')
    late.requestJoin('general', 'j')
    late.restore([{ room: 'general', epoch: 'e1', seq: 42 }])
    expect(late.saved()).toEqual([])
  })

  it('lists the tracked rooms in the order they were tracked, once each', () => {
    const streams = createStreamCursors(100)
    streams.track('b')
    streams.track('a')
    streams.track('b')
    expect(streams.rooms()).toEqual(['b', 'a'])
  })
})
