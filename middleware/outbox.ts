import type { UnknownAction } from '@reduxjs/toolkit'
import { WebSocketErrorCode } from '../src/protocol/codes'
import { errorInfo, WebSocketError } from '../src/errors'
import { connection, outbox, publish, rooms, type OutgoingMessage } from '../slices/actions'
import type { Handler, RealtimeContext } from './context'
import { roomOf } from './outboxEntries'
import { failEntries, notWritten } from './outboxFailures'
import { entryOf, SEND_COMMAND_OF_TYPE } from './outboxIntake'
import { sendWhatMayGo } from './outboxSend'
import { answerServerErrors } from './outboxServerErrors'
import { createOutboxState } from './outboxState'
import { volatileMessage } from './volatile'

/**
 * Every outgoing message enters the outbox at once (pending in state) and is saved to storage
 * before it is first sent; it goes out once its stream is joined on the current socket, paced
 * by the server's stated limits (rate, in-flight, frame size), and leaves on ack. Unacked
 * messages are resent in order on every new connection; the server's idempotency by (author,
 * id) makes that safe.
 *
 * One scheduling function, `schedule`, runs after everything that can unblock a message (ack,
 * failure, pause end, join, leave, auth, restore, a save finishing): its sending pass
 * (`outboxSend.ts`) sends what may go and arms at most one timer for the earliest moment
 * something else may — so no timer can fire "too early" into a no-op.
 *
 * Volatile `publish`es share the same pacing: they never enter the queue, wait (one per room
 * and type, the newest) for the budget the queued messages leave, and settle once written.
 *
 * This handler composes: what enters (`outboxIntake.ts`), the state every part shares
 * (`outboxState.ts`), the sending pass (`outboxSend.ts`), the answers to the server's errors
 * (`outboxServerErrors.ts`) and what cannot go out (`outboxFailures.ts`); it reacts here to
 * commands, acks, rooms and the connection.
 */
export function buildOutboxHandler(ctx: RealtimeContext): Handler {
  const { outcomes } = ctx
  const state = createOutboxState(ctx, () => scheduleSoon())
  const { queue, volatile, settled } = state
  /** Messages queued after the first of the current task wait for its end (one pass for all). */
  let deferred = false
  let timer: ReturnType<typeof setTimeout> | undefined

  function arm(delayMs: number): void {
    timer = setTimeout(schedule, Math.max(0, delayMs))
  }

  function schedule(): void {
    // This pass sends everything held back (its own sends must not start another).
    deferred = false
    clearTimeout(timer)
    timer = undefined
    sendWhatMayGo(ctx, state, arm)
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
      answerServerErrors(ctx, state, action.payload.errors)
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
      state.socketClosed()
      clearTimeout(timer)
      timer = undefined
    } else settle(action)
  }
}
