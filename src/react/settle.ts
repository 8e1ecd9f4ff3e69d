import type { Store } from '@reduxjs/toolkit'
import { WebSocketError, WebSocketErrorCode, type Realtime } from './core'

/** Where a pending call stands in a given state: still waiting, done, or failed with an error. */
export type Outcome = 'pending' | 'done' | WebSocketError

/**
 * A promise settled by the first state for which `check` is not 'pending' (the current state
 * included). It reads state, not actions, so it works on any store that has the realtime
 * reducer and middleware, yours included.
 */
export function waitForState(store: Store, check: (root: unknown) => Outcome): Promise<void> {
  return new Promise((resolve, reject) => {
    let unsubscribe: (() => void) | undefined
    let settled = false
    const evaluate = () => {
      if (settled) return
      const outcome = check(store.getState())
      if (outcome === 'pending') return
      settled = true
      unsubscribe?.()
      if (outcome === 'done') resolve()
      else reject(outcome)
    }
    evaluate()
    if (!settled) unsubscribe = store.subscribe(evaluate)
  })
}

/**
 * A message this client sent: acknowledged (it left the outbox and is `sent`), or failed (its
 * copy in state is `failed`, or its room was left before it went out).
 */
export function messageOutcome(
  realtime: Realtime,
  id: string,
  where: { room: string } | { peer: string },
): (root: unknown) => Outcome {
  const { selectors } = realtime
  let lastOutbox: unknown
  return (root) => {
    // The outbox array changes exactly when an entry is queued, acked or failed.
    const outbox = selectors.selectPendingMessages(root)
    if (outbox === lastOutbox) return 'pending'
    lastOutbox = outbox
    if (outbox.some((entry) => entry.id === id)) return 'pending'
    const list =
      'room' in where
        ? selectors.selectMessagesByRoom(root, where.room)
        : selectors.selectDirectMessages(root, where.peer)
    const message = list.find((m) => m.id === id)
    if (message?.status === 'failed') {
      return message.error
        ? WebSocketError.fromInfo(message.error)
        : new WebSocketError(WebSocketErrorCode.SERVER_ERROR, `message ${id} failed`, {
            context: 'outbox',
            refId: id,
          })
    }
    if (message?.status === 'pending') return 'pending'
    if (!message && 'room' in where && !selectors.selectRoomStatus(root, where.room)) {
      return new WebSocketError(
        WebSocketErrorCode.NOT_JOINED,
        `room "${where.room}" was left before message ${id} was acknowledged`,
        { context: 'outbox', refId: id },
      )
    }
    // Acknowledged (possibly already trimmed away by maxMessagesPerRoom).
    return 'done'
  }
}

/** A join: confirmed, refused (`failed` with the server's error), or abandoned by a leave. */
export function joinOutcome(realtime: Realtime, room: string): (root: unknown) => Outcome {
  return (root) => {
    const membership = realtime.selectors.selectRoomStatus(root, room)
    if (!membership) {
      return new WebSocketError(
        WebSocketErrorCode.NOT_JOINED,
        `room "${room}" was left before the join completed`,
        { context: 'join' },
      )
    }
    if (membership.status === 'joined') return 'done'
    if (membership.status === 'failed') {
      return membership.error
        ? WebSocketError.fromInfo(membership.error)
        : new WebSocketError(WebSocketErrorCode.FORBIDDEN, `could not join room "${room}"`, {
            context: 'join',
          })
    }
    return 'pending'
  }
}
