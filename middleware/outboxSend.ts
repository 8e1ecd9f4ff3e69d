import { makeFrame } from '../src/protocol/build'
import { encodeBatch, encodeFrame } from '../src/protocol/codec'
import { WebSocketErrorCode } from '../src/protocol/codes'
import type { BatchFrame } from '../src/protocol/frames'
import { utf8Length } from '../src/protocol/validate'
import type { OutboxEntry } from '../slices/types'
import type { RealtimeContext } from './context'
import { roomOf, streamOf, toFrame, type OutgoingFrame } from './outboxEntries'
import { failEntries, notWritten } from './outboxFailures'
import type { OutboxState } from './outboxState'
import type { VolatileMessage } from './volatile'

/** Unacknowledged messages at once when the server does not state its `maxInFlight`. */
const DEFAULT_MAX_IN_FLIGHT = 64
/** Frames per `batch` when several messages go out together. */
const BATCH_SIZE = 50
/** Room for a batch's own envelope around its frames. */
const BATCH_OVERHEAD_BYTES = 128

/**
 * The sending pass: walks the unsent entries in order and sends those whose stream is joined
 * and whose save finished, paced by the server's stated limits (rate, in-flight, frame size),
 * packed into `batch` frames; volatile messages get what budget the queue leaves. It fails what
 * can never go (too big, room never rejoined) and `arm`s at most one timer, for the earliest
 * moment something else may go — so no timer can fire "too early" into a no-op.
 */
export function sendWhatMayGo(
  ctx: RealtimeContext,
  state: OutboxState,
  arm: (delayMs: number) => void,
): void {
  const { queue, volatile } = state
  if (!queue.loaded || !ctx.session.authenticated || queue.size + volatile.size === 0) return
  const now = ctx.now()
  // Paused until a time (RATE_LIMITED), or until the next auth_ok (TOKEN_EXPIRED: Infinity).
  if (now < state.pausedUntil)
    return Number.isFinite(state.pausedUntil) ? arm(state.pausedUntil - now) : undefined
  const pending = state.unsentEntries()
  // Everything is in flight (the pass at a task's end after a lone send): nothing to plan.
  // Decided before `plan`, whose closures are allocated on every call, even one that returns.
  if (pending.size + volatile.size > 0) plan(ctx, state, arm, pending, now)
}

function plan(
  ctx: RealtimeContext,
  state: OutboxState,
  arm: (delayMs: number) => void,
  pending: Set<string>,
  now: number,
): void {
  const { queue, volatile, inFlight, orphanedAt } = state
  const limit = ctx.session.maxFrameBytes ?? Infinity
  const maxInFlight = ctx.session.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT
  const { flow, outcomes } = ctx
  const allowance = flow.allowance()
  const tooBig: OutboxEntry[] = []
  const orphans: OutboxEntry[] = []
  /** Streams with an entry that must go first but cannot yet: later ones wait behind it. */
  let held: Set<string> | undefined
  let wakeAt = Infinity
  let budgetSpent = false
  let frames: OutgoingFrame[] = []
  /** `frames` encoded: each message is encoded once, to measure it, and spliced into its batch. */
  let texts: string[] = []
  /** The volatile messages among `frames`: settled once written, never in flight (no ack). */
  let volatiles: VolatileMessage[] = []
  let planned = 0
  let bytes = BATCH_OVERHEAD_BYTES

  const sendChunk = (): boolean => {
    if (frames.length === 0) return true
    const single = frames.length === 1
    const frame = single ? (frames[0] as OutgoingFrame) : makeFrame('batch', { data: { frames } })
    const text = single ? (texts[0] as string) : encodeBatch(frame as BatchFrame, texts)
    if (!ctx.send(frame, text)) {
      notWritten(outcomes, volatiles)
      return false
    }
    const written = volatiles
    const unacked = written.length > 0 ? new Set<OutgoingFrame>(written.map((v) => v.frame)) : null
    for (const f of frames) {
      if (unacked?.has(f)) continue
      inFlight.add(f.id)
      pending.delete(f.id)
    }
    frames = []
    texts = []
    volatiles = []
    bytes = BATCH_OVERHEAD_BYTES
    for (const v of written) outcomes.resolve('message', v.id, { id: v.id })
    return true
  }
  const add = (frame: OutgoingFrame, size: number, text = encodeFrame(frame)): boolean => {
    if ((frames.length >= BATCH_SIZE || bytes + size + 1 > limit) && !sendChunk()) return false
    frames.push(frame)
    texts.push(text)
    planned++
    bytes += size + 1
    return true
  }

  for (const id of pending) {
    const entry = queue.get(id) as OutboxEntry
    const stream = streamOf(entry, ctx.session.userId)
    if (stream === undefined) continue
    if (!ctx.streams.isTracked(stream)) {
      // Restored for a room nobody rejoined: it gets `rejoinGraceMs`, then fails.
      const since = orphanedAt.get(entry.id) ?? now
      orphanedAt.set(entry.id, since)
      const deadline = since + ctx.config.rejoinGraceMs
      if (now >= deadline) orphans.push(entry)
      else wakeAt = Math.min(wakeAt, deadline)
      continue
    }
    orphanedAt.delete(entry.id)
    if (held?.has(stream)) continue
    if (queue.isSaving(entry.id) || !ctx.streams.isLive(stream)) {
      ;(held ??= new Set()).add(stream)
      continue
    }
    // Chunks already written this pass are in `inFlight`; `frames` is the one being filled.
    if (inFlight.size + frames.length >= maxInFlight) break
    if (planned >= allowance) {
      budgetSpent = true
      break
    }
    const frame = toFrame(entry)
    const text = encodeFrame(frame)
    const size = utf8Length(text)
    if (size > limit) {
      tooBig.push(entry)
      continue
    }
    if (!add(frame, size, text)) return
  }
  // Volatile ones get what the queue leaves: a busy cursor never holds a message back.
  if (!budgetSpent && volatile.size > 0) {
    const taken = volatile.take(Math.max(0, allowance - planned))
    for (const [i, v] of taken.entries()) {
      if (!add(v.frame, v.size)) return notWritten(outcomes, taken.slice(i))
      volatiles.push(v)
    }
    if (volatile.size > 0) budgetSpent = true
  }
  if (!sendChunk()) return
  if (budgetSpent) wakeAt = Math.min(wakeAt, ctx.now() + flow.waitMs())
  if (wakeAt !== Infinity) arm(wakeAt - ctx.now())
  failEntries(
    ctx,
    state.settled,
    tooBig,
    WebSocketErrorCode.MESSAGE_TOO_LARGE,
    () => `message larger than the server's limit of ${limit} bytes`,
  )
  failEntries(
    ctx,
    state.settled,
    orphans,
    WebSocketErrorCode.NOT_JOINED,
    (e) =>
      `room "${roomOf(e)}" was not joined within ${ctx.config.rejoinGraceMs} ms of connecting; dispatch joinRoom('${roomOf(e)}') to send to it`,
  )
}
