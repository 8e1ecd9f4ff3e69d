/**
 * Resolves with the store's state once `predicate` holds (now or after a later dispatch);
 * rejects after `timeoutMs` with `describe()`'s account of what it saw.
 *
 * @example
 * await waitForState(store, (s) => s.realtime.rooms.joined.length > 0, 10_000, () => 'a join')
 */
export function waitForState<State>(
  store: { getState(): State; subscribe(listener: () => void): () => void },
  predicate: (state: State) => boolean,
  timeoutMs: number,
  describe: () => string,
): Promise<State> {
  return new Promise((resolve, reject) => {
    if (predicate(store.getState())) return resolve(store.getState())
    const timer = setTimeout(() => {
      unsubscribe()
      reject(new Error(describe()))
    }, timeoutMs)
    const unsubscribe = store.subscribe(() => {
      if (!predicate(store.getState())) return
      clearTimeout(timer)
      unsubscribe()
      resolve(store.getState())
    })
  })
}
