import type { TcpProxy } from '../support/tcpProxy'

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export interface NetworkFaultPlan {
  /** Wall time the faults run for, ms; every loop below ends by then. */
  durationMs: number
  /** A cut every `cutEveryMs[0]`–`cutEveryMs[1]` ms. */
  cutEveryMs: [number, number]
  blackholes: number
  blackholeMs: [number, number]
  /** Windows of write slicing, as fractions of `durationMs`. */
  slicing: Array<[number, number]>
  slicingWritesPerTurn: number
}

export interface NetworkFaultCounts {
  cuts: number
  blackholes: number
  blackholeMs: number
  slicingWindows: number
}

export interface NetworkFaults {
  counts: NetworkFaultCounts
  /** Stops cuts and blackholes (lifting a live one) until `resume()`; slicing keeps its schedule. */
  pause(): void
  resume(): void
  /** Ends every fault (link healthy, slicing off) and resolves when the loops are done. */
  stop(): Promise<void>
}

const between = (random: () => number, [low, high]: [number, number]) =>
  low + Math.floor(random() * (high - low + 1))

/**
 * Runs the TCP-level faults of the soak on `proxy`: random cuts, a few blackholes at random
 * times, and windows of 1–16-byte write slicing. Seeded by `random`; bounded by `durationMs`.
 *
 * @example
 * const faults = startNetworkFaults(proxy, seededRandom(seed), plan)
 * faults.pause() // a quiet link for the server restart
 * await faults.stop()
 */
export function startNetworkFaults(
  proxy: TcpProxy,
  random: () => number,
  plan: NetworkFaultPlan,
): NetworkFaults {
  const started = Date.now()
  const end = started + plan.durationMs
  const counts: NetworkFaultCounts = { cuts: 0, blackholes: 0, blackholeMs: 0, slicingWindows: 0 }
  let paused = false
  let stopped = false
  let blackholed = false
  const running = () => !stopped && Date.now() < end
  /** A sleep that `stop()` cuts short. */
  async function nap(ms: number): Promise<void> {
    const until = Date.now() + ms
    while (!stopped && Date.now() < until) await sleep(Math.min(50, until - Date.now()))
  }

  // Blackholes start at random points of the run, at least their length apart.
  const blackholeStarts = Array.from({ length: plan.blackholes }, () =>
    Math.floor(random() * plan.durationMs * 0.9),
  ).sort((a, b) => a - b)

  async function cuts(): Promise<void> {
    while (running()) {
      await nap(between(random, plan.cutEveryMs))
      if (!running() || paused || blackholed) continue
      proxy.cutAll()
      counts.cuts += 1
    }
  }

  async function blackholes(): Promise<void> {
    for (const at of blackholeStarts) {
      await nap(started + at - Date.now())
      while (paused && running()) await nap(50)
      if (!running()) return
      const length = between(random, plan.blackholeMs)
      const from = Date.now()
      blackholed = true
      proxy.blackhole(true)
      counts.blackholes += 1
      const until = Math.min(from + length, end)
      while (blackholed && !paused && !stopped && Date.now() < until) await sleep(20)
      counts.blackholeMs += Date.now() - from
      lift()
    }
  }

  function lift(): void {
    if (!blackholed) return
    blackholed = false
    proxy.blackhole(false)
  }

  async function slicing(): Promise<void> {
    for (const [from, to] of plan.slicing) {
      await nap(started + from * plan.durationMs - Date.now())
      if (!running()) return
      proxy.slice({
        seed: Math.floor(random() * 2 ** 31),
        writesPerTurn: plan.slicingWritesPerTurn,
      })
      counts.slicingWindows += 1
      const until = started + to * plan.durationMs
      await nap(until - Date.now())
      proxy.slice(false)
    }
  }

  const loops = Promise.all([cuts(), blackholes(), slicing()])
  return {
    counts,
    pause() {
      paused = true
      lift()
    },
    resume() {
      paused = false
    },
    async stop() {
      stopped = true
      lift()
      await loops
      proxy.slice(false)
      lift()
    },
  }
}
