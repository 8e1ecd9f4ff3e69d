import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { StreamFrame } from '../../src/protocol'
import { createMemoryHistory } from '../../src/server/historyStore'
import type { HistoryStore } from '../../src/server/historyStore'
import {
  createStreamDelivery,
  GAP_WAIT_MS,
  MAX_PENDING_FRAMES,
} from '../../src/server/streamDelivery'

const EPOCH = 'epoch-1'

/** A memory history holding `count` chat frames, the delivery over it, and what it delivered. */
async function setup(count: number, historySize = 5000) {
  const history: HistoryStore = createMemoryHistory(historySize)
  const stored: StreamFrame[] = []
  for (let i = 1; i <= count; i++) {
    const frame = {
      type: 'chat_message' as const,
      v: 1 as const,
      id: `m${i}`,
      timestamp: i,
      room: 'general',
      userId: 'alice',
      data: { content: `m${i}` },
    }
    stored.push((await history.append('general', frame, `alice\u0000m${i}`)).frame)
  }
  const delivered: number[] = []
  const resync = vi.fn()
  const onError = vi.fn()
  const since = vi.fn(async (afterSeq: number) => history.since('general', afterSeq))
  const delivery = createStreamDelivery({
    since,
    serverEpoch: EPOCH,
    deliver: (frame) => delivered.push(frame.seq ?? -1),
    resync,
    onError,
  })
  const frame = (seq: number) => stored[seq - 1] as StreamFrame
  return { delivery, delivered, resync, since, frame, onError }
}

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i)

beforeEach(() => vi.useFakeTimers())
afterEach(() => vi.useRealTimers())

describe('createStreamDelivery', () => {
  it('delivers each seq once, in order, whatever order and how often frames arrive', async () => {
    const { delivery, delivered, since, frame } = await setup(6)
    delivery.start(EPOCH, 1)
    for (const seq of [1, 3, 2, 2, 5, 4, 3, 6, 6]) delivery.offer(frame(seq), EPOCH)
    expect(delivered).toEqual([2, 3, 4, 5, 6])
    await vi.advanceTimersByTimeAsync(GAP_WAIT_MS * 5)
    expect(since).not.toHaveBeenCalled()
  })

  it('holds frames heard before the first join ended and drops what its replay covered', async () => {
    const { delivery, delivered, frame } = await setup(5)
    for (const seq of [4, 2, 5, 3]) delivery.offer(frame(seq), EPOCH)
    expect(delivered).toEqual([])
    delivery.start(EPOCH, 3)
    expect(delivered).toEqual([4, 5])
  })

  it('reads a gap that does not fill from history, then goes on live', async () => {
    const { delivery, delivered, since, frame } = await setup(8)
    delivery.start(EPOCH, 2)
    delivery.offer(frame(3), EPOCH)
    delivery.offer(frame(6), EPOCH)
    expect(delivered).toEqual([3])
    await vi.advanceTimersByTimeAsync(GAP_WAIT_MS)
    expect(since).toHaveBeenCalledWith(3)
    // The read brings 4..8 (all the history holds); 6 is not sent twice.
    expect(delivered).toEqual(range(3, 8))
    delivery.offer(frame(7), EPOCH)
    expect(delivered).toEqual(range(3, 8))
  })

  it('reads what a re-established subscription missed, even with no later frame to show it', async () => {
    const { delivery, delivered, since } = await setup(4)
    delivery.start(EPOCH, 1)
    delivery.recover()
    await vi.advanceTimersByTimeAsync(0)
    expect(since).toHaveBeenCalledWith(1)
    expect(delivered).toEqual([2, 3, 4])
  })

  it('past its bound of out-of-order frames reads the rest from history, losing none', async () => {
    const total = MAX_PENDING_FRAMES + 50
    const { delivery, delivered, frame } = await setup(total + 1)
    delivery.start(EPOCH, 0)
    for (let seq = 2; seq <= total + 1; seq++) delivery.offer(frame(seq), EPOCH)
    expect(delivered).toEqual([])
    await vi.advanceTimersByTimeAsync(GAP_WAIT_MS)
    expect(delivered).toEqual(range(1, total + 1))
  })

  it('asks members to join again when the stream was renumbered or the gap is no longer retained', async () => {
    const renumbered = await setup(3)
    renumbered.delivery.start(EPOCH, 1)
    renumbered.delivery.offer({ ...renumbered.frame(1) }, 'epoch-2')
    expect(renumbered.resync).toHaveBeenCalledTimes(1)
    expect(renumbered.delivered).toEqual([])
    // Frames of the new numbering wait for the next join, which says where delivery picks up.
    expect(renumbered.delivery.started).toBe(false)
    renumbered.delivery.offer(renumbered.frame(3), 'epoch-2')
    renumbered.delivery.offer(renumbered.frame(2), 'epoch-2')
    renumbered.delivery.start('epoch-2', 1)
    expect(renumbered.delivered).toEqual([2, 3])

    const trimmed = await setup(20, 5)
    trimmed.delivery.start(EPOCH, 2)
    trimmed.delivery.offer(trimmed.frame(20), EPOCH)
    await vi.advanceTimersByTimeAsync(GAP_WAIT_MS)
    expect(trimmed.resync).toHaveBeenCalledTimes(1)
    expect(trimmed.delivered).toEqual([])
  })

  it('tries a failed gap read again instead of skipping the gap', async () => {
    const { delivery, delivered, since, frame, onError } = await setup(4)
    since.mockRejectedValueOnce(new Error('redis down'))
    delivery.start(EPOCH, 1)
    delivery.offer(frame(4), EPOCH)
    await vi.advanceTimersByTimeAsync(GAP_WAIT_MS)
    expect(onError).toHaveBeenCalledTimes(1)
    expect(delivered).toEqual([])
    await vi.advanceTimersByTimeAsync(1000)
    expect(delivered).toEqual([2, 3, 4])
  })
})
