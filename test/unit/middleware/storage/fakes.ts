import type { OutboxEntry } from '../../../../slices/types'
import type { StorageLike } from '../../../../middleware/storage/localStorage'
import type { LockManagerLike, StorageTimers } from '../../../../middleware/storage/ownership'

export function chat(id: string, createdAt: number, room = 'general'): OutboxEntry {
  return { id, createdAt, type: 'chat_message', room, data: { content: `text of ${id}` } }
}

/** Lets pending promise callbacks (and a localStorage adapter's chain of awaits) run. */
export const settle = () => new Promise<void>((resolve) => setImmediate(resolve))

/** An in-memory `Storage`, shared by the instances a test opens on it. */
export function createFakeStorage() {
  const items = new Map<string, string>()
  let failWrites: (() => Error) | undefined
  let afterWrite: ((key: string) => void) | undefined
  const storage: StorageLike & {
    items: Map<string, string>
    failWritesWith(error: (() => Error) | undefined): void
    onWrite(hook: ((key: string) => void) | undefined): void
  } = {
    items,
    get length() {
      return items.size
    },
    key: (index) => [...items.keys()][index] ?? null,
    getItem: (key) => items.get(key) ?? null,
    setItem(key, value) {
      if (failWrites) throw failWrites()
      items.set(key, String(value))
      afterWrite?.(key)
    },
    removeItem: (key) => {
      items.delete(key)
    },
    failWritesWith(error) {
      failWrites = error
    },
    onWrite(hook) {
      afterWrite = hook
    },
  }
  return storage
}

/** A browser's quota error as Chrome and Firefox throw it from `setItem`. */
export const quotaError = () =>
  new DOMException("Failed to execute 'setItem' on 'Storage': quota exceeded", 'QuotaExceededError')

/**
 * Web Locks with exclusive semantics, shared by several "tabs" of one origin. A tab's `crash()`
 * drops its locks the way a browser does when a tab goes away.
 */
export function createFakeLockManager() {
  interface Waiter {
    name: string
    tab: number
    grant: () => void
  }
  const held = new Map<string, number>()
  const waiting: Waiter[] = []
  let tabs = 0

  function release(name: string): void {
    held.delete(name)
    const next = waiting.findIndex((waiter) => waiter.name === name)
    if (next >= 0) waiting.splice(next, 1)[0]?.grant()
  }

  function tab() {
    const id = ++tabs
    let crashed = false
    const locks: LockManagerLike = {
      request<T>(name: string, _options: { mode: 'exclusive' }, callback: () => Promise<T>) {
        return new Promise<T>((resolve, reject) => {
          const grant = () => {
            held.set(name, id)
            void Promise.resolve()
              .then(callback)
              .then(
                (value) => {
                  if (!crashed) release(name)
                  resolve(value)
                },
                (error: unknown) => {
                  if (!crashed) release(name)
                  reject(error instanceof Error ? error : new Error(String(error)))
                },
              )
          }
          if (held.has(name)) waiting.push({ name, tab: id, grant })
          else grant()
        })
      },
      query: () =>
        Promise.resolve({
          held: [...held.keys()].map((name) => ({ name, mode: 'exclusive' })),
          pending: waiting.map(({ name }) => ({ name, mode: 'exclusive' })),
        }),
    }
    return {
      locks,
      crash: () => {
        crashed = true
        for (const [name, owner] of [...held]) if (owner === id) release(name)
        for (let i = waiting.length - 1; i >= 0; i--)
          if (waiting[i]?.tab === id) waiting.splice(i, 1)
      },
    }
  }

  return { tab, heldNames: () => [...held.keys()] }
}

/**
 * One clock shared by several instances, each with its own timers: `freeze()` stops one
 * instance's timers (a crashed or throttled tab) while time goes on for the others.
 */
export function createFakeTime(start = 1_700_000_000_000) {
  let now = start
  let nextId = 0
  interface Timer {
    id: number
    at: number
    run: () => void
    every?: number
    frozen: () => boolean
  }
  let timers: Timer[] = []

  function timersFor() {
    let frozen = false
    const own: StorageTimers & { freeze: () => void; pending: () => number } = {
      now: () => now,
      setTimeout(run, ms) {
        timers.push({ id: ++nextId, at: now + ms, run, frozen: () => frozen })
        return nextId
      },
      setInterval(run, ms) {
        timers.push({ id: ++nextId, at: now + ms, run, every: ms, frozen: () => frozen })
        return nextId
      },
      clearInterval(handle) {
        timers = timers.filter((timer) => timer.id !== handle)
      },
      freeze: () => {
        frozen = true
      },
      pending: () => timers.filter((timer) => timer.every !== undefined && !timer.frozen()).length,
    }
    return own
  }

  /** Moves time on by `ms`, running each timer that falls due, in order. */
  async function advance(ms: number): Promise<void> {
    const end = now + ms
    await settle()
    for (;;) {
      const due = timers
        .filter((timer) => timer.at <= end && !timer.frozen())
        .sort((a, b) => a.at - b.at)[0]
      if (!due) break
      now = due.at
      if (due.every !== undefined) due.at += due.every
      else timers = timers.filter((timer) => timer !== due)
      due.run()
      await settle()
    }
    now = end
    await settle()
  }

  return { timersFor, advance, now: () => now }
}

/**
 * localStorage as browsers run it across processes: one tab's write is at once in its own view
 * and in the browser's copy, and reaches the other tabs' views `lagMs` later (on `time`).
 */
export function createLaggyStorage(time: ReturnType<typeof createFakeTime>, lagMs: number) {
  const central = new Map<string, string>()
  const views: Map<string, string>[] = []
  const timers = time.timersFor()

  function view(): StorageLike {
    const items = new Map(central)
    views.push(items)
    const write = (key: string, value: string | undefined) => {
      if (value === undefined) {
        items.delete(key)
        central.delete(key)
      } else {
        items.set(key, value)
        central.set(key, value)
      }
      timers.setTimeout(() => {
        for (const other of views) {
          const latest = central.get(key)
          if (latest === undefined) other.delete(key)
          else other.set(key, latest)
        }
      }, lagMs)
    }
    return {
      get length() {
        return items.size
      },
      key: (index) => [...items.keys()][index] ?? null,
      getItem: (key) => items.get(key) ?? null,
      setItem: (key, value) => write(key, String(value)),
      removeItem: (key) => write(key, undefined),
    }
  }
  return { view, central }
}
