import type { WebSocketError } from '../src/errors'

/** What each kind of command resolves with. */
export interface OutcomeValues {
  /** The server acknowledged the message (`seq` in its stream). */
  message: { id: string; seq?: number }
  /** The server confirmed the join: the room's epoch and the seq it resumes from. */
  join: { room: string; epoch: string; seq: number }
  /** The leave went out (or there was nothing to leave). */
  leave: { room: string }
  /** The server accepted the connection's auth. */
  connect: { userId: string; sessionId: string }
  /** The server accepted a token sent with `authenticate` (an `auth_ok`, refresh or not). */
  authenticate: { userId: string; sessionId: string }
}

/** What is awaited: a message (by id), a join or leave (by room), the connection or its auth (key ''). */
export type OutcomeKind = keyof OutcomeValues
export type OutcomeValue = OutcomeValues[OutcomeKind]

/**
 * Promises for commands, settled by the middleware from what the server said (an ack, an
 * error, a `joined`, an `auth_ok`, a close) — never from state, so DevTools time travel and
 * re-dispatched events settle nothing. One registry per realtime instance.
 */
export interface Outcomes {
  /**
   * The outcome of the command `start` dispatches; registered first, so an outcome decided
   * during the dispatch counts. If `start` throws, the promise rejects with that error.
   */
  wait<K extends OutcomeKind>(kind: K, key: string, start?: () => void): Promise<OutcomeValues[K]>
  resolve<K extends OutcomeKind>(kind: K, key: string, value: OutcomeValues[K]): void
  reject(kind: OutcomeKind, key: string, error: WebSocketError): void
  /** Rejects everything still waiting (the owner of the instance is done with it). */
  rejectAll(error: WebSocketError): void
}

interface Waiter {
  resolve: (value: OutcomeValue) => void
  reject: (error: WebSocketError) => void
}

const keyOf = (kind: OutcomeKind, key: string) => `${kind}\u0000${key}`

export function createOutcomes(): Outcomes {
  const waiting = new Map<string, Waiter[]>()
  const take = (kind: OutcomeKind, key: string): Waiter[] => {
    if (waiting.size === 0) return []
    const k = keyOf(kind, key)
    const list = waiting.get(k) ?? []
    waiting.delete(k)
    return list
  }
  return {
    wait<K extends OutcomeKind>(kind: K, key: string, start?: () => void) {
      return new Promise<OutcomeValues[K]>((resolve, reject) => {
        const k = keyOf(kind, key)
        // Only `resolve(kind, key, …)` of the same kind settles it, with that kind's value.
        const waiter: Waiter = { resolve: resolve as (value: OutcomeValue) => void, reject }
        const list = waiting.get(k)
        if (list) list.push(waiter)
        else waiting.set(k, [waiter])
        try {
          start?.()
        } catch (error) {
          const rest = waiting.get(k)?.filter((w) => w !== waiter) ?? []
          if (rest.length > 0) waiting.set(k, rest)
          else waiting.delete(k)
          reject(error instanceof Error ? error : new Error(String(error)))
        }
      })
    },
    resolve(kind, key, value) {
      for (const waiter of take(kind, key)) waiter.resolve(value)
    },
    reject(kind, key, error) {
      for (const waiter of take(kind, key)) waiter.reject(error)
    },
    rejectAll(error) {
      const all = [...waiting.values()].flat()
      waiting.clear()
      for (const waiter of all) waiter.reject(error)
    },
  }
}
