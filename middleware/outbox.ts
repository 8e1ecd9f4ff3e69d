import type { UnknownAction } from '@reduxjs/toolkit'
import { makeFrame } from '../src/protocol/build'
import { encodeBatch, encodeFrame } from '../src/protocol/codec'
import { WebSocketErrorCode } from '../src/protocol/codes'
import type { BatchFrame } from '../src/protocol/frames'
import { utf8Length } from '../src/protocol/validate'
import { errorInfo, WebSocketError } from '../src/errors'
import { connection, outbox, publish, rooms, type OutgoingMessage } from '../slices/actions'
import type { OutboxEntry } from '../slices/types'
import { backoffDelay } from './backoff'
import type { Handler, RealtimeContext } from './context'
import { roomOf, streamOf, toFrame, type OutgoingFrame } from './outboxEntries'
import { volatileMessage, type VolatileMessage } from './volatile'
import { entryOf, SEND_COMMAND_OF_TYPE } from './outboxIntake'
import { failEntries, notWritten } from './outboxFailures'
import {
  createOutboxState,
  socketClosed,
  unsend,
  unsentEntries,
  type OutboxState,
} from './outboxState'

/** Unacknowledged messages at once when the server does not state its `maxInFlight`. */
const DEFAULT_MAX_IN_FLIGHT = 64
/** Frames per `batch` when several messages go out together. */
const BATCH_SIZE = 50
/** Room for a batch's own envelope around its frames. */
const BATCH_OVERHEAD_BYTES = 128
const DEFAULT_RETRY_MS = 1000

/**
 * Every outgoing message enters the outbox at once (pending in state) and is saved to storage
 * before it is first sent; it goes out once its stream is joined on the current socket, paced
 * by the server's stated limits (rate, in-flight, frame size), and leaves on ack. Unacked
 * messages are resent in order on every new connection; the server's idempotency by (author,
 * id) makes that safe.
 *
 * One scheduling function, `schedule`, runs after everything that can unblock a message (ack,
 * failure, pause end, join, leave, auth, restore, a save finishing): it sends what may go and
 * arms at most one timer for the earliest moment something else may — so no timer can fire
 * "too early" into a no-op.
 *
 * Volatile `publish`es share the same pacing: they never enter the queue, wait (one per room
 * and type, the newest) for the budget the queued messages leave, and settle once written.
 */
export function buildOutboxHandler(ctx: RealtimeContext): Handler {
  const { flow, outcomes } = ctx
  const state = createOutboxState(ctx, () => scheduleSoon())
  const { queue, inFlight, volatile, orphanedAt, settled } = state
  /** Messages queued after the first of the current task wait for its end (one pass for all). */
  let deferred = false
  let timer: ReturnType<typeof setTimeout> | undefined

  function arm(delayMs: number): void {
    timer = setTimeout(schedule, Math.max(0, delayMs))
  }

  /**
   * After a command or a save: the first message of a task goes at once, those queued after it
   * in the same task together at its end (or before any other frame goes out, for order), so a
   * loop of sends is a few `batch` frames instead of one write per message.
   */
  function scheduleSoon(): void {
    if (deferred) return
    schedule()
    deferred = true
    queueMicrotask(scheduleDeferred)
  }

  function scheduleDeferred(): void {
    if (deferred) schedule()
  }
  ctx.beforeSend = scheduleDeferred

  function schedule(): void {
    // This pass sends everything held back (its own sends must not start another).
    deferred = false
    clearTimeout(timer)
    timer = undefined
    if (!queue.loaded || !ctx.session.authenticated || queue.size + volatile.size === 0) return
    const now = ctx.now()
    // Paused until a time (RATE_LIMITED), or until the next auth_ok (TOKEN_EXPIRED: Infinity).
    const { pausedUntil } = state
    if (now < pausedUntil) return Number.isFinite(pausedUntil) ? arm(pausedUntil - now) : undefined

    const pending = unsentEntries(state)
    // Everything is in flight (the pass at a task's end after a lone send): nothing to plan.
    if (pending.size + volatile.size === 0) return
    const limit = ctx.session.maxFrameBytes ?? Infinity
    const maxInFlight = ctx.session.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT
    const allowance = flow.allowance()
    const tooBig: OutboxEntry[] = []
    const orphans: OutboxEntry[] = []
    /** Streams with an entry that must go first but cannot yet: later ones wait behind it. */
    const held = new Set<string>()
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
      const unacked =
        written.length > 0 ? new Set<OutgoingFrame>(written.map((v) => v.frame)) : null
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
      if (held.has(stream)) continue
      if (queue.isSaving(entry.id) || !ctx.streams.isLive(stream)) {
        held.add(stream)
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
      settled,
      tooBig,
      WebSocketErrorCode.MESSAGE_TOO_LARGE,
      () => `message larger than the server's limit of ${limit} bytes`,
    )
    failEntries(
      ctx,
      settled,
      orphans,
      WebSocketErrorCode.NOT_JOINED,
      (e) =>
        `room "${roomOf(e)}" was not joined within ${ctx.config.rejoinGraceMs} ms of connecting; dispatch joinRoom('${roomOf(e)}') to send to it`,
    )
  }

  function offerVolatile(payload: ReturnType<typeof publish>['payload']): void {
    const message = volatileMessage(ctx, payload)
    if (message instanceof WebSocketError) return outcomes.reject('message', payload.id, message)
    const replaced = volatile.offer(message, payload.type)
    if (replaced) {
      notWritten(
        outcomes,
        [replaced],
        WebSocketErrorCode.SUPERSEDED,
        `replaced by ${message.id}, a newer one of the same room and type, before it could go out`,
      )
    }
    schedule()
  }

  function enqueue(message: OutgoingMessage, command: string): void {
    const entry = entryOf(ctx, message, command, queue.has(message.id))
    if (queue.size >= ctx.config.messageQueueSize) {
      const error = errorInfo(
        WebSocketErrorCode.QUEUE_FULL,
        `outbox full (${ctx.config.messageQueueSize} messages waiting); message ${entry.id} not queued`,
        { context: 'outbox', refId: entry.id },
      )
      ctx.dispatch(outbox.overflowed({ entry, error }))
      outcomes.reject('message', entry.id, WebSocketError.fromInfo(error))
      return
    }
    ctx.dispatch(outbox.enqueued({ entry }))
    state.unsent.add(entry.id)
    queue.add(entry)
    scheduleSoon()
  }

  /** Every entry for `room`, in flight or not: it cannot go out (or be confirmed) any more. */
  const entriesOf = (room: string) => queue.ofRoom(room, roomOf)

  function settle(action: UnknownAction): void {
    if (outbox.acked.match(action)) {
      for (const { refId, seq } of action.payload.acks) {
        if (!settled(refId)) continue
        state.serverFailures = 0
        outcomes.resolve('message', refId, seq !== undefined ? { id: refId, seq } : { id: refId })
      }
      schedule()
    } else if (rooms.leaveRequested.match(action) || rooms.left.match(action)) {
      const { room } = action.payload
      failEntries(
        ctx,
        settled,
        entriesOf(room),
        WebSocketErrorCode.NOT_JOINED,
        () => `room "${room}" was left before the message was acknowledged`,
      )
      notWritten(
        outcomes,
        volatile.drop(room),
        WebSocketErrorCode.NOT_JOINED,
        `room "${room}" was left`,
      )
      schedule()
    } else if (rooms.joinFailed.match(action)) {
      // Nothing queued for a room we cannot join would ever go out.
      const { room, error } = action.payload
      failEntries(
        ctx,
        settled,
        entriesOf(room),
        error.code,
        () => `could not join room "${room}": ${error.message}`,
      )
      notWritten(outcomes, volatile.drop(room), error.code, `could not join room "${room}"`)
      schedule()
    } else if (rooms.joined.match(action)) {
      schedule()
    } else if (connection.errorsReceived.match(action)) {
      for (const error of action.payload.errors) {
        const entry = error.refId !== undefined ? queue.get(error.refId) : undefined
        if (!entry) continue
        if (error.code === WebSocketErrorCode.RATE_LIMITED) {
          unsend(state, entry.id)
          state.pausedUntil = Math.max(
            state.pausedUntil,
            ctx.now() + (error.retryAfterMs ?? DEFAULT_RETRY_MS),
          )
        } else if (error.code === WebSocketErrorCode.SERVER_ERROR) {
          // Not stored (its store failed): it and what followed it on its stream go again, in
          // order, after a backoff that grows while the server keeps failing.
          retryStream(ctx, state, entry)
          const now = ctx.now()
          if (now >= state.pausedUntil) state.serverFailures++
          const base = error.retryAfterMs ?? DEFAULT_RETRY_MS
          const wait = Math.max(
            base,
            backoffDelay(state.serverFailures, base, Math.max(base, ctx.config.maxReconnectDelay)),
          )
          state.pausedUntil = Math.max(state.pausedUntil, now + wait)
        } else if (error.code === WebSocketErrorCode.TOKEN_EXPIRED) {
          // Not processed: it goes again once a fresh token is accepted.
          unsend(state, entry.id)
          state.pausedUntil = Infinity
        } else {
          failEntries(ctx, settled, [entry], error.code, () => error.message)
        }
      }
      schedule()
    }
  }

  ctx.whenLoaded(queue.load())

  return (action) => {
    const command = SEND_COMMAND_OF_TYPE.get(action.type)
    if (command) enqueue((action as ReturnType<typeof command>).payload, command.type)
    else if (publish.match(action)) {
      const { id, timestamp, room, type, data, volatile: isVolatile } = action.payload
      if (isVolatile) offerVolatile(action.payload)
      else enqueue({ id, timestamp, type: 'app_message', room, data: { type, data } }, publish.type)
    } else if (connection.opened.match(action)) {
      // A fresh token ends a TOKEN_EXPIRED pause; a new session may find entries of instances
      // (tabs) that are gone, ours to send now.
      if (state.pausedUntil === Infinity) state.pausedUntil = 0
      if (queue.loaded && !ctx.session.refresh) void queue.load()
      schedule()
    } else if (connection.closed.match(action)) {
      notWritten(outcomes, volatile.drop())
      socketClosed(state)
      clearTimeout(timer)
      timer = undefined
    } else settle(action)
  }
}

/**
 * The server refused `entry` and refuses what its connection sent after it on the same
 * stream until it comes again: those in flight are unsent again (their refusals follow).
 */
function retryStream(ctx: RealtimeContext, state: OutboxState, entry: OutboxEntry): void {
  const { inFlight } = state
  const stream = streamOf(entry, ctx.session.userId)
  let after = false
  for (const other of state.queue.values()) {
    after ||= other.id === entry.id
    if (after && inFlight.has(other.id) && streamOf(other, ctx.session.userId) === stream)
      inFlight.delete(other.id)
  }
  state.unsentStale = true
}
