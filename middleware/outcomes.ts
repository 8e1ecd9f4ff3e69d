import type { WebSocketError } from '../src/errors'

/** What a settled command resolved with. */
export type OutcomeValue =
  { id: string; seq?: number } | { room: string; epoch: string; seq: number }

/** What is awaited: a message (by id) or a join (by room). */
export type OutcomeKind = 'message' | 'join'

/**
 * Promises for commands, settled by the middleware from what the server said (an ack, an
 * error, a `joined`) — never from state, so DevTools time travel and re-dispatched events
 * settle nothing. One registry per realtime instance.
 */
export interface Outcomes {
  /**
   * The outcome of the command `start` dispatches; registered first, so an outcome decided
   * during the dispatch counts. If `start` throws, the promise rejects with that error.
   */
  wait(kind: OutcomeKind, key: string, start?: () => void): Promise<OutcomeValue>
  /** Forget a wait whose command threw before it was queued. */
  cancel(kind: OutcomeKind, key: string): void
  resolve(kind: OutcomeKind, key: string, value: OutcomeValue): void
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
    wait(kind, key, start) {
      return new Promise((resolve, reject) => {
        const k = keyOf(kind, key)
        const waiter = { resolve, reject }
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
    cancel(kind, key) {
      waiting.delete(keyOf(kind, key))
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
