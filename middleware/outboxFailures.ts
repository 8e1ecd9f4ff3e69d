/** How the outbox reports what cannot go out: failed entries, volatile messages not written. */
import { errorInfo, WebSocketError } from '../src/errors'
import { WebSocketErrorCode } from '../src/protocol/codes'
import { outbox } from '../slices/actions'
import type { OutboxEntry } from '../slices/types'
import type { RealtimeContext } from './context'
import { roomOf } from './outboxEntries'
import type { Outcomes } from './outcomes'
import type { VolatileMessage } from './volatile'

/** Volatile messages that cannot go out: the socket is gone, the room left or refused. */
export function notWritten(
  outcomes: Outcomes,
  messages: readonly VolatileMessage[],
  code: WebSocketErrorCode = WebSocketErrorCode.NOT_CONNECTED,
  why = 'the connection closed before it was written; volatile messages are never queued',
): void {
  for (const { id, frame } of messages) {
    const error = new WebSocketError(code, `volatile ${frame.data.type} ${id}: ${why}`, {
      context: 'publish',
      refId: id,
    })
    outcomes.reject('message', id, error)
  }
}

/** Entries that will never go out: out of the queue (`settled`), `outbox.failed`, rejected. */
export function failEntries(
  ctx: RealtimeContext,
  settled: (id: string) => boolean,
  entries: OutboxEntry[],
  code: WebSocketErrorCode,
  message: (e: OutboxEntry) => string,
): void {
  if (entries.length === 0) return
  const failures = entries.map((entry) => {
    settled(entry.id)
    const room = roomOf(entry)
    return {
      id: entry.id,
      ...(room !== undefined ? { room } : {}),
      error: errorInfo(code, message(entry), { context: 'outbox', refId: entry.id }),
    }
  })
  ctx.dispatch(outbox.failed({ failures }))
  for (const { id, error } of failures)
    ctx.outcomes.reject('message', id, WebSocketError.fromInfo(error))
}
