import { makeFrame } from '../src/protocol/build'
import {
  chat,
  connection,
  rooms,
  sendChatMessage,
  sendMessage,
  startTyping,
  stopTyping,
} from '../slices/actions'
import type { Handler, RealtimeContext } from './context'

/**
 * Typing indicators. Outgoing: `startTyping` sends `typing_start` at most once per half
 * `typingTimeout` while typing continues (so others' indicators stay alive, not a frame per
 * keystroke); `stopTyping` or sending a message sends `typing_stop`. Incoming: each indicator
 * expires after `typingTimeout` without news, and ends when that user's message arrives.
 * Typing frames are ephemeral: no seq, no outbox, dropped while offline.
 */
export function buildTypingHandler(ctx: RealtimeContext): Handler {
  const timeout = ctx.config.typingTimeout
  /** Room → when we last told the server we are typing there. */
  const sentAt = new Map<string, number>()
  /** `room\0user` → expiry timer of someone else's indicator. */
  const expiries = new Map<string, ReturnType<typeof setTimeout>>()
  const key = (room: string, userId: string) => `${room}\u0000${userId}`

  function send(type: 'typing_start' | 'typing_stop', room: string): boolean {
    return (
      ctx.session.authenticated &&
      ctx.streams.isTracked(room) &&
      ctx.send(makeFrame(type, { room, data: {} }))
    )
  }

  function stopOwn(room: string): void {
    if (!sentAt.delete(room)) return
    send('typing_stop', room)
  }

  function clearExpiry(room: string, userId: string): void {
    const k = key(room, userId)
    clearTimeout(expiries.get(k))
    expiries.delete(k)
  }

  return (action) => {
    if (startTyping.match(action)) {
      const { room } = action.payload
      const last = sentAt.get(room)
      if (last !== undefined && ctx.now() - last < timeout / 2) return
      // Only a start that went out counts: it is what a later stop answers.
      if (send('typing_start', room)) sentAt.set(room, ctx.now())
    } else if (stopTyping.match(action)) {
      stopOwn(action.payload.room)
    } else if (sendChatMessage.match(action) || sendMessage.match(action)) {
      if (action.payload.type === 'chat_message') stopOwn(action.payload.room)
    } else if (chat.typingStarted.match(action)) {
      const { room, userId } = action.payload
      clearExpiry(room, userId)
      expiries.set(
        key(room, userId),
        setTimeout(() => {
          expiries.delete(key(room, userId))
          ctx.safeDispatch(chat.typingStopped({ room, userId }))
        }, timeout),
      )
    } else if (chat.typingStopped.match(action)) {
      clearExpiry(action.payload.room, action.payload.userId)
    } else if (chat.messagesReceived.match(action)) {
      // No indicator shown: nothing to stop (and no key built per received message).
      if (expiries.size === 0) return
      for (const { room, userId } of action.payload.messages) {
        // Relayed room messages always carry both.
        if (room !== undefined && userId !== undefined && expiries.has(key(room, userId))) {
          ctx.dispatch(chat.typingStopped({ room, userId }))
        }
      }
    } else if (connection.closed.match(action) || rooms.leaveRequested.match(action)) {
      // The reducer forgets indicators here too; drop their timers.
      const room = rooms.leaveRequested.match(action) ? action.payload.room : undefined
      for (const [k, timer] of expiries) {
        if (room === undefined || k.startsWith(`${room}\u0000`)) {
          clearTimeout(timer)
          expiries.delete(k)
        }
      }
      if (room !== undefined) sentAt.delete(room)
      else sentAt.clear()
    }
  }
}
