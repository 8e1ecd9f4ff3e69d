import type { StreamFrame } from '../protocol'
import type { HistoryView } from './historyStore'

/** Out-of-order frames kept per stream while the frames before them are awaited. */
export const MAX_PENDING_FRAMES = 1000
/** How long a gap may stay open before it is read from history. */
export const GAP_WAIT_MS = 100
/** Wait before reading a gap again after the read failed (history unavailable). */
const RETRY_MS = 250

export interface StreamDeliveryDeps {
  /** Reads the retained frames after a seq (the room's serial queue and history store). */
  since(afterSeq: number): Promise<HistoryView>
  /** The epoch of a stream whose history store names none. */
  serverEpoch: string
  /** Sends a frame, in seq order and once, to the stream's local members. */
  deliver(frame: StreamFrame): void
  /**
   * The stream was renumbered (new epoch) or its missing frames are no longer retained: members
   * cannot be given what they missed and must join again (they get `gap: true`).
   */
  resync(): void
  onError(message: string, error: unknown): void
}

/** One stream's delivery to this process's members: the last seq delivered and what waits. */
export interface StreamDelivery {
  /**
   * Where the first join's replay ended; frames at or below it are dropped. Once (again only
   * after `resync`).
   */
  start(epoch: string, headSeq: number): void
  readonly started: boolean
  readonly epoch: string | undefined
  readonly lastSeq: number
  /** A stored frame, from this process's append or from the subscription. */
  offer(frame: StreamFrame, epoch: string): void
  /** Frames may have been missed (the subscription was established again): read them. */
  recover(): void
  /** A join found the stream in another epoch than delivery's: members must join again. */
  renumbered(): void
  /** No local member is left: forget everything, cancel timers. */
  stop(): void
}

/**
 * Orders one stream's frames for local delivery: each seq once, strictly ascending. A frame
 * ahead of the next expected waits (at most `MAX_PENDING_FRAMES`); a gap still open after
 * `GAP_WAIT_MS`, an overflow, or a re-established subscription is read from history with
 * `since(lastSeq)` — nothing is skipped; when history no longer has it, `resync`.
 *
 * @example
 * const delivery = createStreamDelivery({ since, serverEpoch, deliver, resync, onError })
 * delivery.start(joined.epoch, joined.headSeq)
 * delivery.offer(frame, epoch) // delivered now, or once the frames before it are in
 */
export function createStreamDelivery(deps: StreamDeliveryDeps): StreamDelivery {
  let epoch: string | undefined
  let lastSeq = 0
  let started = false
  let stopped = false
  /** seq → frame (and its epoch) received ahead of the next expected. */
  const pending = new Map<number, { frame: StreamFrame; epoch: string }>()
  /** A frame was left out of `pending` (full): a read is due even with no later frame. */
  let overflowed = false
  let timer: ReturnType<typeof setTimeout> | undefined
  let reading = false
  let readAgain = false

  const clearTimer = (): void => {
    if (timer !== undefined) clearTimeout(timer)
    timer = undefined
  }

  const schedule = (ms: number): void => {
    if (timer !== undefined || stopped) return
    timer = setTimeout(() => {
      timer = undefined
      recover()
    }, ms)
    timer.unref?.()
  }

  const drain = (): void => {
    for (let next = pending.get(lastSeq + 1); next; next = pending.get(lastSeq + 1)) {
      pending.delete(lastSeq + 1)
      if (next.epoch !== epoch) continue
      lastSeq++
      deps.deliver(next.frame)
    }
    for (const seq of pending.keys()) if (seq <= lastSeq) pending.delete(seq)
    if (pending.size === 0 && !overflowed) clearTimer()
    else schedule(GAP_WAIT_MS)
  }

  /** Frames heard before the epoch was known that belong to another numbering. */
  const dropOtherEpochs = (): void => {
    for (const [seq, held] of pending) if (held.epoch !== epoch) pending.delete(seq)
  }

  /**
   * Members hold a numbering that is gone, or frames history no longer has: they join again,
   * and the next join's `start` says where delivery picks up (frames heard meanwhile wait).
   */
  const renumbered = (): void => {
    started = false
    epoch = undefined
    lastSeq = 0
    pending.clear()
    overflowed = false
    clearTimer()
    deps.resync()
  }

  const offer = (frame: StreamFrame, frameEpoch: string): void => {
    if (stopped) return
    const seq = frame.seq ?? 0
    // History was lost and the stream started over (a new epoch).
    if (started && frameEpoch !== epoch) renumbered()
    if (started && seq <= lastSeq) return
    if (started && seq === lastSeq + 1) {
      lastSeq = seq
      deps.deliver(frame)
      if (pending.size > 0) drain()
      return
    }
    if (pending.has(seq)) return
    if (pending.size >= MAX_PENDING_FRAMES) overflowed = true
    else pending.set(seq, { frame, epoch: frameEpoch })
    if (started) schedule(GAP_WAIT_MS)
  }

  async function read(): Promise<void> {
    const from = lastSeq
    const view = await deps.since(from)
    if (stopped) return
    const viewEpoch = view.epoch ?? deps.serverEpoch
    if (!started) return
    if (viewEpoch !== epoch) return renumbered()
    // The frames after lastSeq are no longer retained: the members cannot be given them.
    if (from < view.firstSeq - 1 && lastSeq < view.firstSeq - 1) return renumbered()
    overflowed = false
    for (const frame of view.frames) offer(frame, viewEpoch)
    dropOtherEpochs()
  }

  function recover(): void {
    if (!started || stopped) return
    clearTimer()
    if (reading) {
      readAgain = true
      return
    }
    reading = true
    read().then(
      () => {
        reading = false
        if (readAgain) {
          readAgain = false
          return recover()
        }
        if (pending.size > 0 || overflowed) schedule(GAP_WAIT_MS)
      },
      (error: unknown) => {
        reading = false
        readAgain = false
        deps.onError('could not read a gap from history; trying again', error)
        schedule(RETRY_MS)
      },
    )
  }

  return {
    start(streamEpoch, headSeq) {
      if (started || stopped) return
      started = true
      epoch = streamEpoch
      lastSeq = headSeq
      dropOtherEpochs()
      drain()
      if (overflowed) recover()
    },
    get started() {
      return started
    },
    get epoch() {
      return epoch
    },
    get lastSeq() {
      return lastSeq
    },
    offer,
    recover,
    renumbered: () => {
      if (!stopped) renumbered()
    },
    stop() {
      stopped = true
      pending.clear()
      clearTimer()
    },
  }
}
