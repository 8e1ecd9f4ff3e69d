import type { UnknownAction } from '@reduxjs/toolkit'

/** What an action means for a pending call: done, failed with this error, or not yet. */
export type Verdict = 'resolve' | Error | undefined

export interface Waiters {
  /**
   * A promise settled by the first action for which `decide` gives a verdict. `start` runs
   * after the waiter is registered, so actions it dispatches synchronously count; if it
   * throws, the promise rejects with that error.
   */
  wait(decide: (action: UnknownAction) => Verdict, start: () => void): Promise<void>
  /** Offers an action (after the reducers ran) to every pending call. */
  observe(action: UnknownAction): void
  rejectAll(error: Error): void
}

interface Pending {
  decide: (action: UnknownAction) => Verdict
  resolve: () => void
  reject: (error: Error) => void
}

/** What a thrown value is as a rejection reason: itself when it is an Error. */
export function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error))
}

/** Promises of the client's methods, settled by the actions the store sees. */
export function createWaiters(): Waiters {
  const pending = new Set<Pending>()

  return {
    wait(decide, start) {
      return new Promise<void>((resolve, reject) => {
        const entry: Pending = { decide, resolve, reject }
        pending.add(entry)
        try {
          start()
        } catch (error) {
          pending.delete(entry)
          reject(toError(error))
        }
      })
    },
    observe(action) {
      for (const entry of pending) {
        const verdict = entry.decide(action)
        if (verdict === undefined) continue
        pending.delete(entry)
        if (verdict === 'resolve') entry.resolve()
        else entry.reject(verdict)
      }
    },
    rejectAll(error) {
      for (const entry of pending) entry.reject(error)
      pending.clear()
    },
  }
}
