import { describeError, readLeaseRecord, type LeaseRecord, type RecordStore } from './records'

/** The part of the Web Locks API (`navigator.locks`) that ownership uses. */
export interface LockManagerLike {
  request<T>(name: string, options: { mode: 'exclusive' }, callback: () => Promise<T>): Promise<T>
  query(): Promise<{ held?: Array<{ name?: string }>; pending?: Array<{ name?: string }> }>
}

/** Clock and timers of the lease fallback; tests pass their own. */
export interface StorageTimers {
  now(): number
  setTimeout(callback: () => void, ms: number): unknown
  setInterval(callback: () => void, ms: number): unknown
  clearInterval(handle: unknown): void
}

export interface OwnershipOptions {
  /**
   * Web Locks to tell live instances from dead ones. Default `navigator.locks` where it exists;
   * `null` forces the lease fallback.
   */
  locks?: LockManagerLike | null
  /**
   * The fallback without Web Locks: each instance writes a heartbeat every `periodMs` (default
   * 2000); an owner silent for 3 × `periodMs` is dead and its entries may be taken over.
   */
  lease?: { periodMs?: number }
  timers?: StorageTimers
}

/** Who this storage instance is, and whether another instance is still alive. */
export interface Ownership {
  readonly owner: string
  /** `undefined` once other instances can see this owner alive; until then a promise. */
  ready(): Promise<void> | undefined
  /** Runs `run` while no other instance on this storage claims (Web Locks), or as is (lease). */
  exclusive<T>(run: () => Promise<T>): Promise<T>
  /** A test of aliveness as of now; this owner is always alive. */
  liveness(): Promise<(owner: string) => boolean>
  close(): void
}

export const defaultTimers: StorageTimers = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  setInterval: (callback, ms) => {
    const handle = setInterval(callback, ms)
    // A heartbeat must not keep a Node process alive.
    ;(handle as { unref?: () => void }).unref?.()
    return handle
  },
  clearInterval: (handle) => clearInterval(handle as Parameters<typeof clearInterval>[0]),
}

export function newOwnerId(): string {
  const uuid = globalThis.crypto?.randomUUID?.()
  return uuid ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`
}

/** The platform's Web Locks, looked up only when first needed (SSR-safe). */
export function platformLocks(): LockManagerLike | undefined {
  const navigator = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator
  return navigator?.locks ?? undefined
}

/**
 * Web Locks: the instance holds an exclusive lock named after its owner id for its life (the
 * browser releases it when the tab goes away); claims run under a second exclusive lock.
 */
export function lockOwnership(locks: LockManagerLike, namespace: string, owner: string): Ownership {
  const ownerPrefix = `${namespace}:owner:`
  /** Bumped by `close()`, so a grant that arrives after it holds nothing. */
  let generation = 0
  let held: Promise<void> | undefined
  let granted = false
  let release: (() => void) | undefined

  return {
    owner,
    ready() {
      if (granted) return undefined
      if (held) return held
      const mine = generation
      const closed = new Promise<void>((resolve) => (release = resolve))
      held = new Promise<void>((resolve, reject) => {
        locks
          .request(ownerPrefix + owner, { mode: 'exclusive' }, () => {
            if (mine === generation) granted = true
            resolve()
            return closed
          })
          .catch((error: unknown) => {
            if (mine === generation) held = undefined
            reject(error instanceof Error ? error : new Error(String(error)))
          })
      })
      return held
    },
    exclusive: (run) => locks.request(`${namespace}:claim`, { mode: 'exclusive' }, run),
    async liveness() {
      const { held: holding = [], pending = [] } = await locks.query()
      const alive = new Set<string>([owner])
      for (const { name } of [...holding, ...pending]) {
        if (name?.startsWith(ownerPrefix)) alive.add(name.slice(ownerPrefix.length))
      }
      return (id) => alive.has(id)
    },
    close() {
      generation++
      release?.()
      release = undefined
      held = undefined
      granted = false
    },
  }
}

/**
 * The fallback without Web Locks: a heartbeat record per owner, refreshed every `periodMs`;
 * an owner whose heartbeat is older than 3 × `periodMs` is dead.
 */
export function leaseOwnership(
  store: RecordStore,
  owner: string,
  options: OwnershipOptions,
  report: (error: Error) => void,
): Ownership {
  const timers = options.timers ?? defaultTimers
  const periodMs = options.lease?.periodMs ?? 2000
  const staleMs = 3 * periodMs
  /** Bumped by `close()`, so a heartbeat started before it does not keep beating. */
  let generation = 0
  let started: Promise<void> | undefined
  let beating = false
  let interval: unknown

  const beat = async (): Promise<void> => {
    await store.set('owner', owner, { v: 1, at: timers.now() } satisfies LeaseRecord)
  }
  const isStale = (lease: LeaseRecord, now: number) => Math.abs(now - lease.at) > staleMs
  const failed = (what: string) => (error: unknown) =>
    report(
      new Error(`${store.label}: could not ${what}: ${describeError(error)}`, { cause: error }),
    )
  const heartbeatFailed = failed(
    "refresh this instance's heartbeat (other instances may take its messages over)",
  )

  function stop(): void {
    if (interval !== undefined) timers.clearInterval(interval)
    interval = undefined
  }

  return {
    owner,
    ready() {
      if (beating) return undefined
      if (started) return started
      const mine = generation
      started = beat().then(
        () => {
          if (mine !== generation) return
          beating = true
          interval = timers.setInterval(() => {
            beat().catch(heartbeatFailed)
          }, periodMs)
        },
        (error: unknown) => {
          if (mine === generation) started = undefined
          throw error
        },
      )
      return started
    },
    exclusive: (run) => run(),
    async liveness() {
      // A missed refresh is reported, not fatal: the last heartbeat is still fresh for a while.
      await beat().catch(heartbeatFailed)
      const now = timers.now()
      const alive = new Set<string>([owner])
      for (const { name, value, unreadable } of await store.list('owner')) {
        // An unreadable heartbeat proves nothing: its owner counts as dead, the record stays.
        const lease = unreadable === undefined ? readLeaseRecord(value) : unreadable
        if (typeof lease === 'string') continue
        if (!isStale(lease, now)) {
          alive.add(name)
          continue
        }
        // Tidy up, unless the owner has beaten again in the meantime.
        const tidy = async () =>
          store.swap('owner', name, (current) => {
            const latest = current && readLeaseRecord(current.value)
            return typeof latest === 'object' && isStale(latest, now) ? 'delete' : undefined
          })
        await tidy().catch(failed(`remove the expired heartbeat of ${name}`))
      }
      return (id) => alive.has(id)
    },
    close() {
      const wasStarted = started !== undefined
      generation++
      stop()
      beating = false
      started = undefined
      if (!wasStarted) return
      // Without a heartbeat the owner is dead at once: others may take its entries over.
      const drop = async () => store.delete('owner', owner)
      drop().catch(failed("remove this instance's heartbeat on close"))
    },
  }
}
