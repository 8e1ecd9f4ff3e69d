/** Timers for reminder times, grouped by a key (the event id). */
export interface Reminders {
  /** Replaces the key's timers with one per future time in `times`; `fire` gets the time. */
  set(key: string, times: readonly number[], fire: (at: number) => void): void
  clear(key: string): void
  clearAll(): void
}

/** setTimeout's largest delay (~24.8 days); a later time waits in steps of this. */
export const MAX_TIMER_MS = 2 ** 31 - 1

/**
 * Creates the reminder timers. Times already past are skipped, not fired late. Timers are
 * `unref`ed so a forgotten reminder never keeps a process alive.
 *
 * @example
 * const reminders = createReminders()
 * reminders.set('launch', [Date.now() + 60_000], () => notifySubscribers('launch'))
 * reminders.clearAll() // on close
 */
export function createReminders(): Reminders {
  const timers = new Map<string, Set<NodeJS.Timeout>>()

  const clear = (key: string): void => {
    for (const timer of timers.get(key) ?? []) clearTimeout(timer)
    timers.delete(key)
  }

  const arm = (key: string, owned: Set<NodeJS.Timeout>, at: number, fire: (at: number) => void) => {
    const delay = at - Date.now()
    if (!(delay > 0)) return
    const timer = setTimeout(
      () => {
        owned.delete(timer)
        if (owned.size === 0 && timers.get(key) === owned) timers.delete(key)
        if (delay > MAX_TIMER_MS) arm(key, owned, at, fire)
        else fire(at)
      },
      Math.min(delay, MAX_TIMER_MS),
    )
    timer.unref()
    owned.add(timer)
    if (!timers.has(key)) timers.set(key, owned)
  }

  return {
    set(key, times, fire) {
      clear(key)
      const owned = new Set<NodeJS.Timeout>()
      for (const at of new Set(times)) arm(key, owned, at, fire)
    },

    clear,

    clearAll() {
      for (const key of [...timers.keys()]) clear(key)
    },
  }
}
