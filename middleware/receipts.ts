import { makeFrame } from '../src/protocol/build'
import { chat, connection, markAsRead, rooms } from '../slices/actions'
import type { Handler, RealtimeContext } from './context'
import { devText } from '../src/dev'

/**
 * Read receipts: `markAsRead` finds the message's seq, shows the receipt at once (optimistic)
 * and tells the server, which relays it to the room. Only the latest receipt per room matters,
 * so while offline it waits and goes out after the next `auth_ok`.
 */
export function buildReceiptsHandler(ctx: RealtimeContext): Handler {
  /** Room → the newest receipt not yet sent on the current socket. */
  const unsent = new Map<string, { messageId: string; seq: number }>()
  /** Room → the newest receipt sent, so a receipt never goes backwards. */
  const sent = new Map<string, number>()

  function flush(): void {
    if (!ctx.session.authenticated) return
    for (const [room, data] of unsent) {
      if (!ctx.streams.isTracked(room)) continue
      if (ctx.send(makeFrame('read_receipt', { room, data }))) unsent.delete(room)
    }
  }

  return (action) => {
    if (markAsRead.match(action)) {
      const { room, messageId } = action.payload
      const message = ctx.selectors
        .selectMessagesByRoom(ctx.getState(), room)
        .find((m) => m.id === messageId)
      if (!message) {
        throw new Error(
          `markAsRead: no message "${messageId}" in room "${room}"${devText(() => (process.env.NODE_ENV !== 'production' ? '. Pass the id of a message from selectMessagesByRoom.' : ''))}`,
        )
      }
      if (message.seq === undefined) return // Own message not confirmed yet: nothing to mark.
      const waiting = unsent.get(room)
      if (waiting ? waiting.seq >= message.seq : (sent.get(room) ?? 0) >= message.seq) return
      unsent.set(room, { messageId, seq: message.seq })
      sent.set(room, Math.max(sent.get(room) ?? 0, message.seq))
      if (ctx.session.userId !== undefined) {
        ctx.dispatch(
          chat.readReceiptsReceived({
            receipts: [{ room, userId: ctx.session.userId, messageId, seq: message.seq }],
            at: ctx.now(),
          }),
        )
      }
      flush()
    } else if (rooms.joined.match(action)) {
      flush()
    } else if (connection.closed.match(action)) {
      // Resend the newest receipt per room on the next connection (the server keeps the highest).
      for (const [room, seq] of sent) {
        if (!unsent.has(room)) {
          const message = ctx.selectors
            .selectMessagesByRoom(ctx.getState(), room)
            .find((m) => m.seq === seq)
          if (message) unsent.set(room, { messageId: message.id, seq })
        }
      }
    } else if (rooms.leaveRequested.match(action)) {
      unsent.delete(action.payload.room)
      sent.delete(action.payload.room)
    }
  }
}
