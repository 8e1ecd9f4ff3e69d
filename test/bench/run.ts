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
 */
import { cpus, totalmem } from 'node:os'
import { writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { abuseRows, runAbuseBench, type AbuseResult } from './abuse'
import { startBenchServer, type BenchServer } from './benchServer'
import { runChild } from './child'
import { ingestPackage, ingestPeer, ingestRaw, loadPeer, type Delivery } from './clients'
import { collabRows } from './collab'
import { roundTripsPackage, roundTripsRaw, sendPackage, sendRaw } from './latency'
import { compared, median, percentile, repeat, type BenchRow } from './rows'
import { sizeRows } from './sizes'

const RUNS = 5
const INGEST_FRAMES = 50_000
const DEV_FRAMES = 20_000
const DEV_RUNS = 3
const TRIPS = 1000
const SEND_MESSAGES = 20_000
const SEND_RUNS = 3
/** The raw sender's window: the fake server's stated `maxInFlight`. */
const SEND_WINDOW = 256
const DELIVERY_LABEL: Record<Delivery, string> = { node: 'node delivery', browser: 'browser-like' }

async function ingestRows(
  server: BenchServer,
): Promise<{ rows: BenchRow[]; raw: Record<Delivery, number>; ours: Record<Delivery, number> }> {
  // Warm-up (discarded): JIT, and the server encodes the frames once for every later run.
  await ingestRaw(server.url, 'node', INGEST_FRAMES)
  await ingestPackage(server.url, 'node', false, INGEST_FRAMES)
  const rows: BenchRow[] = []
  const raw = { node: 0, browser: 0 }
  const ours = { node: 0, browser: 0 }
  for (const delivery of ['node', 'browser'] as const) {
    const rawRuns = await repeat(RUNS, 30_000, () => ingestRaw(server.url, delivery, INGEST_FRAMES))
    const ourRuns = await repeat(RUNS, 30_000, () =>
      ingestPackage(server.url, delivery, false, INGEST_FRAMES),
    )
    raw[delivery] = median(rawRuns)
    ours[delivery] = median(ourRuns)
    rows.push(
      compared(
        `ingest, production (RTK checks off), ${DELIVERY_LABEL[delivery]}`,
        ours[delivery],
        'frames/s',
        raw[delivery],
        `${INGEST_FRAMES.toLocaleString('en-US')} chat frames in 10 rooms; medians of ${ourRuns.length} / ${rawRuns.length} runs; baseline raw ws + JSON.parse`,
      ),
    )
  }
  const devRuns = await repeat(DEV_RUNS, 30_000, () =>
    ingestPackage(server.url, 'browser', true, DEV_FRAMES),
  )
  rows.push(
    compared(
      'ingest, RTK dev checks on (default getDefaultMiddleware), browser-like',
      median(devRuns),
      'frames/s',
      raw.browser,
      `${DEV_FRAMES.toLocaleString('en-US')} frames, median of ${devRuns.length} runs; baseline the raw browser-like figure above`,
    ),
  )
  return { rows, raw, ours }
}

async function peerRows(server: BenchServer, ours: Record<Delivery, number>): Promise<BenchRow[]> {
  const peer = await loadPeer()
  if (typeof peer === 'string')
    return [
      {
        name: 'peer: ingest vs @giantmachines/redux-websocket',
        value: 0,
        unit: 'frames/s',
        note: `skipped: @giantmachines/redux-websocket ${peer}; npm install --save-dev @giantmachines/redux-websocket@1.5.1`,
      },
    ]
  await ingestPeer(peer, server.url, 'node', INGEST_FRAMES) // warm-up
  const rows: BenchRow[] = []
  for (const delivery of ['node', 'browser'] as const) {
    const runs = await repeat(RUNS, 30_000, () =>
      ingestPeer(peer, server.url, delivery, INGEST_FRAMES),
    )
    rows.push(
      compared(
        `peer: ingest, production, ${DELIVERY_LABEL[delivery]}: redux-realtime vs @giantmachines/redux-websocket`,
        ours[delivery],
        'frames/s',
        median(runs),
        `baseline the peer 1.5.1 (median of ${runs.length}): one action per frame, JSON.parse, a plain reducer appending to the room's array (newest 1000, like ours), no validation, dedupe or ordering`,
      ),
    )
  }
  return rows
}

async function latencyRows(server: BenchServer): Promise<BenchRow[]> {
  await roundTripsRaw(server.url, 100) // warm-up
  const raw = await repeat(RUNS, 20_000, () => roundTripsRaw(server.url, TRIPS))
  const ours = await repeat(RUNS, 20_000, () => roundTripsPackage(server.url, TRIPS))
  const at = (runs: number[][], p: number) => median(runs.map((sorted) => percentile(sorted, p)))
  const note = `${TRIPS} sequential trips (chat → ack), browser-like; medians of ${ours.length} / ${raw.length} runs (runs stop after 20 s)`
  const rows: BenchRow[] = []
  for (const [label, p] of [
    ['p50', 0.5],
    ['p99', 0.99],
  ] as const) {
    const value = at(ours, p)
    const base = at(raw, p)
    rows.push(compared(`round trip ${label}`, value, 'ms', base, note))
    rows.push({
      name: `round trip ${label} added over raw ws`,
      value: value - base,
      unit: 'ms',
      note: 'redux-realtime minus raw ws',
    })
  }

  const echo = `${server.url}/?echo=1`
  // Warm-up (discarded), both: the package's first run would otherwise pay for its JIT.
  await sendRaw(echo, 2000, SEND_WINDOW, 'warm')
  await sendPackage(echo, 2000, 'warm-package')
  const rawSend = await repeat(SEND_RUNS, 15_000, (run) =>
    sendRaw(echo, SEND_MESSAGES, SEND_WINDOW, `raw${run}`),
  )
  const ourSend = await repeat(SEND_RUNS, 25_000, (run) =>
    sendPackage(echo, SEND_MESSAGES, `pkg${run}`),
  )
  rows.push(
    compared(
      `send: one sender, ${SEND_MESSAGES.toLocaleString('en-US')} messages until all acked`,
      median(ourSend),
      'msg/s',
      median(rawSend),
      `fake server (echo + ack per message, packed in batches when the client sends a batch), browser-like; baseline raw ws with at most ${SEND_WINDOW} unacked (the stated maxInFlight), JSON.parse of every frame; medians of ${ourSend.length} / ${rawSend.length} runs`,
    ),
  )
  return rows
}

async function compressionRows(): Promise<BenchRow[]> {
  try {
    // Not a static import: the file is another engineer's, and may not exist yet.
    const file = new URL('./compression.ts', import.meta.url).href
    const module = (await import(file)) as {
      compressionRows?: () => Promise<BenchRow[]>
    }
    if (typeof module.compressionRows !== 'function') throw new Error('no compressionRows export')
    return await module.compressionRows()
  } catch (error) {
    return [
      {
        name: 'compression: not built yet',
        value: 0,
        unit: '',
        note: `test/bench/compression.ts: ${(error as Error).message.split('\n')[0]}`,
      },
    ]
  }
}

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
  let ours: Record<Delivery, number> = { node: NaN, browser: NaN }
  rows.push(
    ...(await section('ingest', async () => {
      const result = await ingestRows(fake)
      ours = result.ours
      return result.rows
    })),
  )
  rows.push(...(await section('peer', () => peerRows(fake, ours))))
  rows.push(...(await section('round trip and send', () => latencyRows(fake))))
  rows.push(...(await section('renders', () => runChild('./renders.tsx', { BENCH_URL: fake.url }))))
  rows.push(
    ...(await section('heap', () =>
      runChild('./heap.ts', { BENCH_URL: fake.url }, ['--expose-gc']),
    )),
  )
  await fake.close()
  rows.push(...(await section('gzip sizes', sizeRows)))
  rows.push(...(await section('compression', compressionRows)))
  rows.push(...(await section('collab', collabRows)))
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
