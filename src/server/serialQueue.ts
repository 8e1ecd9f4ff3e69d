/** Runs tasks one at a time in the order they were queued, whatever each returns or throws. */
export interface SerialQueue {
  /** Queues `task`; the result settles with the task's outcome once every earlier task is done. */
  run<T>(task: () => T | Promise<T>): Promise<T>
  /** Tasks queued and not yet settled. */
  readonly pending: number
}

/**
 * A promise chain that keeps order across async steps (auth verification, `authorize`, history).
 *
 * @example
 * const queue = createSerialQueue()
 * queue.run(async () => verify(token))
 * queue.run(() => send(reply)) // runs only after verify settles
 */
export function createSerialQueue(): SerialQueue {
  let tail: Promise<unknown> = Promise.resolve()
  let pending = 0
  const settle = (): void => {
    pending--
  }
  return {
    run<T>(task: () => T | Promise<T>): Promise<T> {
      pending++
      const result = tail.then(task)
      // A failed task must not stop the tasks queued after it.
      tail = result.then(settle, settle)
      return result
    },
    get pending() {
      return pending
    },
  }
}
