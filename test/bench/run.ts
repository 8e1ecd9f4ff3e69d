/**
 * `npm run bench`: one run measures every row side by side on this machine, prints a markdown
 * table and writes `test/bench/results.json` (`BenchRow[]`, see rows.ts). Compare rows of one
 * run, not figures across machines or days. A benchmark, not a test: nothing here asserts.
 * Loopback only; every loop is bounded by a count, and repeated runs by a time budget too.
 *
 * The servers run in their own processes (benchServer.ts); the clients here, one at a time.
 * Heap and renders run in child processes of their own (heap.ts with --expose-gc, renders.tsx
 * with jsdom). Row conventions: `value` is redux-realtime's figure, `baseline` what it is
 * compared with (raw `ws`, or the peer), `ratio` = value / baseline.
 *
 * `BENCH_BUSY=2 npm run bench` (opt-in): the round-trip rows run while two busy-loop processes
 * compete for the cores (busy.ts), as on a machine busy with other work; their names say so, and
 * one more row gives each side's share of trips over 1 ms, which p99 alone hides there.
 */
import { cpus, totalmem } from 'node:os'
import { writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { abuseRows, runAbuseBench, type AbuseResult } from './abuse'
import { startBenchServer } from './benchServer'
import { runChild } from './child'
import { collabRows } from './collab'
import { compressionRows } from './compression'
import { devIngestRows } from './clientRows'
import { runScaleOutBench, scaleOutRows } from './scaleOut'
import { percentile, type BenchRow } from './rows'
import { sizeRows, sizeShareRows } from './sizes'

/** The abuse benchmark's figures as rows; the printed table keeps its wording in `note`. */
function abuseBenchRows(result: AbuseResult): BenchRow[] {
  const text = new Map(abuseRows(result))
  const label = [...text.keys()]
  const mb = (bytes: number) => bytes / 1024 / 1024
  const latency = (name: string, sorted: number[], p: number, note: string): BenchRow => ({
    name,
    value: percentile(sorted, p),
    unit: 'ms',
    note,
  })
  const rows: BenchRow[] = [
    latency(
      'abuse: control chat → ack latency before the abuse, p50',
      result.before,
      0.5,
      `${result.before.length} trips`,
    ),
    latency(
      'abuse: control chat → ack latency before the abuse, p99',
      result.before,
      0.99,
      `${result.before.length} trips`,
    ),
    latency(
      'abuse: control chat → ack latency during the abuse, p50',
      result.during,
      0.5,
      `${result.during.length} trips`,
    ),
    latency(
      'abuse: control chat → ack latency during the abuse, p99',
      result.during,
      0.99,
      `${result.during.length} trips`,
    ),
    { name: 'abuse: server heap before the abuse', value: mb(result.heapBefore), unit: 'MB' },
    {
      name: 'abuse: server heap at the end of the abuse',
      value: mb(result.heapAbused),
      unit: 'MB',
    },
    {
      name: 'abuse: server heap after the abusers left',
      value: mb(result.heapAfter),
      unit: 'MB',
      note: result.gc ? 'after gc' : 'without a gc',
    },
    {
      name: 'abuse: server heap, highest sample during the abuse (no gc)',
      value: mb(result.heapPeak),
      unit: 'MB',
    },
  ]
  const counts: Array<[string, number | undefined, string, string | undefined]> = [
    ['abuse: flooder connections', result.stats.flooder?.connections, 'connections', label[4]],
    ['abuse: slow reader drops as a slow consumer', result.slowDrops, 'drops', label[5]],
    ['abuse: churner connections', result.stats.churner?.connections, 'connections', label[6]],
    [
      'abuse: oversize sender connections',
      result.stats['oversize sender']?.connections,
      'connections',
      label[7],
    ],
  ]
  for (const [name, value, unit, key] of counts)
    rows.push({ name, value: value ?? 0, unit, note: key ? `${key}: ${text.get(key)}` : '' })
  return rows
}

function format(value: number | undefined, skipped = false): string {
  if (value === undefined) return ''
  if (!Number.isFinite(value)) return '—'
  if (value === 0 && skipped) return '—'
  const abs = Math.abs(value)
  if (Number.isInteger(value)) return value.toLocaleString('en-US')
  if (abs >= 100) return Math.round(value).toLocaleString('en-US')
  if (abs >= 10) return value.toFixed(1)
  return value.toPrecision(3)
}

const isSkipped = (row: BenchRow) =>
  /^(skipped|not built)/.test(row.note ?? '') || /not built yet/.test(row.name)

export function table(rows: readonly BenchRow[]): string {
  const lines = [
    '| benchmark | redux-realtime | baseline | ratio | note |',
    '|---|---|---|---|---|',
  ]
  for (const row of rows)
    lines.push(
      `| ${row.name} | ${format(row.value, isSkipped(row))} ${row.unit} | ${row.baseline === undefined ? '' : `${format(row.baseline)} ${row.unit}`} | ${row.ratio === undefined ? '' : `${row.ratio.toFixed(row.ratio < 0.1 ? 3 : 2)}×`} | ${row.note ?? ''} |`,
    )
  return lines.join('\n')
}

async function section<T>(name: string, run: () => Promise<T[]>): Promise<T[]> {
  const started = performance.now()
  process.stderr.write(`bench: ${name}…`)
  const rows = await run()
  process.stderr.write(` ${((performance.now() - started) / 1000).toFixed(1)} s\n`)
  return rows
}

async function main(): Promise<void> {
  const started = performance.now()
  const rows: BenchRow[] = []
  const fake = await startBenchServer('fake')
  // Production rows in a child with NODE_ENV=production; the dev-checks row here (not production).
  const production = await section('ingest, peer, round trip and send (NODE_ENV=production)', () =>
    runChild('./production.ts', { BENCH_URL: fake.url, NODE_ENV: 'production' }),
  )
  rows.push(...production)
  const rawBrowser = production.find((row) =>
    row.name.startsWith('ingest, production (RTK checks off), browser-like'),
  )?.baseline
  rows.push(...(await section('ingest, dev checks', () => devIngestRows(fake, rawBrowser ?? NaN))))
  rows.push(...(await section('renders', () => runChild('./renders.tsx', { BENCH_URL: fake.url }))))
  rows.push(
    ...(await section('heap', () =>
      runChild('./heap.ts', { BENCH_URL: fake.url }, ['--expose-gc']),
    )),
  )
  await fake.close()
  rows.push(...(await section('gzip sizes', sizeRows)))
  rows.push(...(await section('gzip size shares', sizeShareRows)))
  rows.push(...(await section('compression', compressionRows)))
  rows.push(...(await section('collab', collabRows)))
  // About 15 s: a redis-server and up to two server processes; skipped without redis-server.
  rows.push(
    ...(await section('scale-out on Redis', async () => scaleOutRows(await runScaleOutBench()))),
  )
  // About 45 s: the server and the abusers each in their own process.
  rows.push(...(await section('abuse', async () => abuseBenchRows(await runAbuseBench()))))

  const cpu = cpus()
  const machine = `${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`
  console.log(`${machine}; one run, ${((performance.now() - started) / 1000).toFixed(0)} s\n`)
  console.log(table(rows))
  const out = fileURLToPath(new URL('./results.json', import.meta.url))
  await writeFile(out, `${JSON.stringify(rows, null, 2)}\n`)
  console.log(`\nwrote ${out}`)
  process.exit(0)
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
