/**
 * Heap of the package's client (node delivery, RTK checks off, default caps: 1000 messages per
 * room in state) after 100,000 and after 1,000,000 streamed frames in 10 rooms, on one
 * connection: `heapUsed` after a full gc (`--expose-gc`), with the heap before connecting as
 * the baseline. Run by run.ts in its own process; `BENCH_URL` is the fake server.
 */
import { packageClient } from './clients'
import { reply } from './child'
import type { BenchRow } from './rows'

const gc = (globalThis as { gc?: () => void }).gc

function heapAfterGc(): number {
  gc?.()
  gc?.()
  return process.memoryUsage().heapUsed / 1024 / 1024
}

async function main(): Promise<void> {
  const url = process.env.BENCH_URL as string
  const before = heapAfterGc()
  const client = await packageClient({
    url: `${url}/?frames=100000,900000`,
    delivery: 'node',
    checks: false,
  })
  await client.go()
  await client.until(100_000)
  const at100k = heapAfterGc()
  await client.go()
  await client.until(1_000_000)
  const at1m = heapAfterGc()
  client.close()
  const note = gc
    ? 'heapUsed after gc; baseline: before connecting'
    : 'no --expose-gc: measured without a gc'
  const rows: BenchRow[] = [
    { name: 'heap after 100k frames (client)', value: at100k, unit: 'MB', baseline: before, note },
    {
      name: 'heap after 1M frames (client)',
      value: at1m,
      unit: 'MB',
      baseline: at100k,
      ratio: at1m / at100k,
      note: 'baseline: the same client after 100k frames (flat = ratio ≈ 1)',
    },
  ]
  reply(rows)
}

void main()
