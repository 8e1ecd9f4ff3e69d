import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { makeFrame } from '../../src/protocol'
import type { AppendResult, HistoryStore, HistoryView } from '../../src/server'

export const chatFrame = (id: string, room = 'general') =>
  makeFrame('chat_message', { id, room, userId: 'alice', data: { content: id } })

export interface HistoryStoreSubject {
  /** A fresh, empty store retaining `historySize` frames per stream. */
  make: (historySize: number) => HistoryStore | Promise<HistoryStore>
  /** Whether the store names each stream's epoch (else the server's stands in). */
  namesEpochs: boolean
  /** Runs of the property test; a store behind a network gets fewer. */
  propertyRuns?: number
}

/** What every store must return, the epoch aside (checked once, on its own). */
function withoutEpoch<T extends AppendResult | HistoryView>(result: T): Omit<T, 'epoch'> {
  const { epoch: _epoch, ...rest } = result
  return rest
}

/**
 * The `HistoryStore` contract, run against each implementation (memory, Redis) so they cannot
 * drift apart.
 *
 * @example
 * describeHistoryStore('createMemoryHistory', { make: createMemoryHistory, namesEpochs: false })
 */
export function describeHistoryStore(name: string, subject: HistoryStoreSubject): void {
  const { make, namesEpochs, propertyRuns } = subject
  const frame = (id: string) => chatFrame(id)

  describe(`${name} (HistoryStore contract)`, () => {
    it('assigns seq 1, 2, 3 per room and retains the frames', async () => {
      const history = await make(10)
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
      const history = await make(10)
      const first = await history.append('a', frame('x'), 'k1')
      const repeat = await history.append('a', frame('x-again'), 'k1')
      expect(withoutEpoch(repeat)).toEqual({ seq: 1, duplicate: true, frame: first.frame })
      expect((await history.since('a', 0)).headSeq).toBe(1)
    })

    it('reports a conflict, storing nothing, when another dedupe key brings an id already used', async () => {
      const history = await make(10)
      const first = await history.append('a', frame('x'), 'alice\u0000x')
      const other = await history.append('a', { ...frame('x'), userId: 'bob' }, 'bob\u0000x')
      expect(withoutEpoch(other)).toEqual({
        seq: 1,
        duplicate: false,
        conflict: true,
        frame: first.frame,
      })
      expect(await history.since('a', 0)).toMatchObject({ headSeq: 1, frames: [first.frame] })
      expect((await history.append('b', frame('x'), 'bob\u0000x')).conflict).toBeUndefined()
    })

    it('says beforehand whether an append would conflict', async () => {
      const history = await make(10)
      await history.append('a', frame('x'), 'alice\u0000x')
      expect(await history.conflicts?.('a', 'x', 'bob\u0000x')).toBe(true)
      expect(await history.conflicts?.('a', 'x', 'alice\u0000x')).toBe(false)
      expect(await history.conflicts?.('a', 'y', 'bob\u0000y')).toBe(false)
      expect(await history.conflicts?.('b', 'x', 'bob\u0000x')).toBe(false)
    })

    it('keeps any stream frame, e.g. a notification on a private stream', async () => {
      const history = await make(10)
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
      expect(withoutEpoch(await (await make(10)).since('nowhere', 0))).toEqual({
        frames: [],
        firstSeq: 1,
        headSeq: 0,
      })
    })

    it('retains nothing with historySize 0 but still counts and dedupes', async () => {
      const history = await make(0)
      await history.append('a', frame('x'), 'k1')
      expect(withoutEpoch(await history.since('a', 0))).toEqual({
        frames: [],
        firstSeq: 2,
        headSeq: 1,
      })
      expect((await history.append('a', frame('x'), 'k1')).duplicate).toBe(true)
    })

    it(
      namesEpochs
        ? 'names one epoch per stream, the same on every read and write of it'
        : 'names no epoch: the server stands in with its own',
      async () => {
        const history = await make(10)
        const read = await history.since('a', 0)
        const results = [
          read,
          await history.append('a', frame('x'), 'k1'),
          await history.append('a', frame('x'), 'k1'),
          await history.append('a', { ...frame('x'), userId: 'bob' }, 'k2'),
          await history.since('a', 0),
        ]
        const other = await history.append('b', frame('y'), 'k3')
        if (!namesEpochs) {
          for (const result of [...results, other]) expect(result.epoch).toBeUndefined()
          return
        }
        expect(read.epoch).toEqual(expect.any(String))
        expect(results.map((result) => result.epoch)).toEqual(results.map(() => read.epoch))
        expect(other.epoch).toEqual(expect.any(String))
        expect(other.epoch).not.toBe(read.epoch)
      },
    )

    it('always returns the retained frames after the cursor, for any size and cursor', async () => {
      await fc.assert(
        fc.asyncProperty(fc.nat(20), fc.nat(60), fc.nat(70), async (size, count, cursor) => {
          const history = await make(size)
          for (let i = 0; i < count; i++) await history.append('r', frame(`m${i}`), `k${i}`)
          const view = await history.since('r', cursor)
          const firstSeq = Math.max(1, count - size + 1)
          const expected = []
          for (let seq = Math.max(firstSeq, cursor + 1); seq <= count; seq++) expected.push(seq)
          expect(view.headSeq).toBe(count)
          expect(view.firstSeq).toBe(size === 0 ? count + 1 : firstSeq)
          expect(view.frames.map((f) => f.seq)).toEqual(expected)
        }),
        propertyRuns === undefined ? {} : { numRuns: propertyRuns },
      )
    })
  })
}
