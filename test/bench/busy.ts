/**
 * Opt-in CPU contention for the round-trip rows: `BENCH_BUSY=2 npm run bench` measures them
 * while two busy-loop processes compete for the cores, as on a machine busy with other work.
 * Each loop is its own `node -e` process that ends by itself after `maxMs` (so none outlives a
 * bench that dies before stopping it) and is killed, by its own handle, when the rows are done.
 */
import { spawn, type ChildProcess } from 'node:child_process'

/** The longest a loop may run: more than the round-trip rows' time budgets together (70 s). */
const MAX_MS = 120_000

/** The number of busy loops `BENCH_BUSY` asks for; 0 when it is unset. */
export function busyLoopsFromEnv(): number {
  const value = process.env.BENCH_BUSY
  if (value === undefined || value === '') return 0
  const count = Number(value)
  if (!Number.isInteger(count) || count < 0 || count > 16)
    throw new Error(`BENCH_BUSY must be a whole number of busy loops (0–16), not "${value}"`)
  return count
}

/** Starts `count` busy loops; the function returned stops them. */
export function startBusyLoops(count: number, maxMs = MAX_MS): () => void {
  const loops: ChildProcess[] = []
  const source = `const end = Date.now() + ${maxMs}; while (Date.now() < end) {}`
  for (let i = 0; i < count; i++)
    loops.push(spawn(process.execPath, ['-e', source], { stdio: 'ignore' }))
  return () => {
    for (const loop of loops) loop.kill()
  }
}
