import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { makeFrame } from '../../src/protocol'
import { createMemoryHistory } from '../../src/server'

const frame = (id: string) =>
  makeFrame('chat_message', { id, room: 'general', userId: 'alice', data: { content: id } })

describe('createMemoryHistory', () => {
  it('assigns seq 1, 2, 3 per room and retains the frames', async () => {
    const history = createMemoryHistory(10)
    expect((await history.append('a', frame('x'), 'k1')).seq).toBe(1)
    expect((await history.append('a', frame('y'), 'k2')).seq).toBe(2)
    expect((await history.append('b', frame('z'), 'k3')).seq).toBe(1)
    const view = await history.since('a', 0)
    expect(view.frames.map((f) => [f.id, f.seq])).toEqual([
      ['x', 1],
      ['y', 2],
    ])
    expect(view).toMatchObject({ firstSeq: 1, headSeq: 2 })
  })

  it('returns the original frame for a repeated dedupe key and stores nothing', async () => {
    const history = createMemoryHistory(10)
    const first = await history.append('a', frame('x'), 'k1')
    const repeat = await history.append('a', frame('x-again'), 'k1')
    expect(repeat).toEqual({ seq: 1, duplicate: true, frame: first.frame })
    expect((await history.since('a', 0)).headSeq).toBe(1)
  })

  it('reports a conflict, storing nothing, when another dedupe key brings an id already used', async () => {
    const history = createMemoryHistory(10)
    const first = await history.append('a', frame('x'), 'alice\u0000x')
    const other = await history.append('a', { ...frame('x'), userId: 'bob' }, 'bob\u0000x')
    expect(other).toEqual({ seq: 1, duplicate: false, conflict: true, frame: first.frame })
    expect(await history.since('a', 0)).toMatchObject({ headSeq: 1, frames: [first.frame] })
    expect((await history.append('b', frame('x'), 'bob\u0000x')).conflict).toBeUndefined()
  })

  it('says beforehand whether an append would conflict', async () => {
    const history = createMemoryHistory(10)
    await history.append('a', frame('x'), 'alice\u0000x')
    expect(await history.conflicts?.('a', 'x', 'bob\u0000x')).toBe(true)
    expect(await history.conflicts?.('a', 'x', 'alice\u0000x')).toBe(false)
    expect(await history.conflicts?.('a', 'y', 'bob\u0000y')).toBe(false)
    expect(await history.conflicts?.('b', 'x', 'bob\u0000x')).toBe(false)
  })

  it('forgets an id together with its dedupe key beyond 10 × historySize', async () => {
    const history = createMemoryHistory(1)
    for (let i = 0; i < 11; i++) await history.append('a', frame(`m${i}`), `k${i}`)
    expect(await history.conflicts?.('a', 'm0', 'other')).toBe(false)
    expect((await history.append('a', frame('m0'), 'other')).conflict).toBeUndefined()
    expect((await history.append('a', frame('m5'), 'another')).conflict).toBe(true)
  })

  it('keeps any stream frame, e.g. a notification on a private stream', async () => {
    const history = createMemoryHistory(10)
    const notification = makeFrame('notification', {
      room: 'user:alice',
      data: { title: 'hi', kind: 'info', severity: 'info' },
    })
    await history.append('user:alice', frame('x'), 'alice\u0000x')
    expect((await history.append('user:alice', notification, notification.id)).seq).toBe(2)
    const view = await history.since('user:alice', 1)
    expect(view.frames).toEqual([{ ...notification, seq: 2 }])
  })

  it('reports an empty room as headSeq 0 and firstSeq 1', async () => {
    expect(await createMemoryHistory(10).since('nowhere', 0)).toEqual({
      frames: [],
      firstSeq: 1,
      headSeq: 0,
    })
  })

  it('retains nothing with historySize 0 but still counts and dedupes', async () => {
    const history = createMemoryHistory(0)
    await history.append('a', frame('x'), 'k1')
    expect(await history.since('a', 0)).toEqual({ frames: [], firstSeq: 2, headSeq: 1 })
    expect((await history.append('a', frame('x'), 'k1')).duplicate).toBe(true)
  })

  it('forgets the oldest dedupe keys beyond 10 × historySize', async () => {
    const history = createMemoryHistory(1)
    for (let i = 0; i < 11; i++) await history.append('a', frame(`m${i}`), `k${i}`)
    expect((await history.append('a', frame('m10'), 'k10')).duplicate).toBe(true)
    expect((await history.append('a', frame('m0'), 'k0')).duplicate).toBe(false)
  })

  it('always returns the retained frames after the cursor, for any size and cursor', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(20), fc.nat(60), fc.nat(70), async (size, count, cursor) => {
        const history = createMemoryHistory(size)
        for (let i = 0; i < count; i++) await history.append('r', frame(`m${i}`), `k${i}`)
        const view = await history.since('r', cursor)
        const firstSeq = Math.max(1, count - size + 1)
        const expected = []
        for (let seq = Math.max(firstSeq, cursor + 1); seq <= count; seq++) expected.push(seq)
        expect(view.headSeq).toBe(count)
        expect(view.firstSeq).toBe(size === 0 ? count + 1 : firstSeq)
        expect(view.frames.map((f) => f.seq)).toEqual(expected)
      }),
    )
  })
})
