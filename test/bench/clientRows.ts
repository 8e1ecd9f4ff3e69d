/**
 * The client rows of the bench against the fake server: ingest, peer, round trip and send.
 * The production rows run in a child process with `NODE_ENV=production` (production.ts), so
 * "production" means what an app's production build runs: nothing frozen, no dev checks.
 */
import type { BenchServer } from './benchServer'
import { ingestPackage, ingestPeer, ingestRaw, loadPeer, type Delivery } from './clients'
import { roundTripsPackage, roundTripsRaw, sendPackage, sendRaw } from './latency'
import { alternate, compared, median, percentile, repeat, type BenchRow } from './rows'
import { busyLoopsFromEnv, startBusyLoops } from './busy'

const RUNS = 7
const INGEST_FRAMES = 50_000
const DEV_FRAMES = 20_000
const DEV_RUNS = 3
const TRIPS = 1000
const WARM_TRIP_RUNS = 6
const SEND_MESSAGES = 20_000
const SEND_RUNS = 3
/** The raw sender's window: the fake server's stated `maxInFlight`. */
const SEND_WINDOW = 256
const DELIVERY_LABEL: Record<Delivery, string> = { node: 'node delivery', browser: 'browser-like' }

export async function ingestRows(
  server: Pick<BenchServer, 'url'>,
): Promise<{ rows: BenchRow[]; raw: Record<Delivery, number>; ours: Record<Delivery, number> }> {
  // Warm-up (discarded): JIT, and the server encodes the frames once for every later run.
  await ingestRaw(server.url, 'node', INGEST_FRAMES)
  await ingestPackage(server.url, 'node', false, INGEST_FRAMES)
  const rows: BenchRow[] = []
  const raw = { node: 0, browser: 0 }
  const ours = { node: 0, browser: 0 }
  for (const delivery of ['node', 'browser'] as const) {
    // Alternated, not one block after the other: both see the same load (see `alternate`).
    const [rawRuns, ourRuns] = await alternate(
      RUNS,
      60_000,
      () => ingestRaw(server.url, delivery, INGEST_FRAMES),
      () => ingestPackage(server.url, delivery, false, INGEST_FRAMES),
    )
    raw[delivery] = median(rawRuns)
    ours[delivery] = median(ourRuns)
    rows.push(
      compared(
        `ingest, production (RTK checks off), ${DELIVERY_LABEL[delivery]}`,
        ours[delivery],
        'frames/s',
        raw[delivery],
        `${INGEST_FRAMES.toLocaleString('en-US')} chat frames in 10 rooms; medians of ${ourRuns.length} / ${rawRuns.length} runs, alternated; baseline raw ws + JSON.parse`,
      ),
    )
  }
  return { rows, raw, ours }
}

export async function peerRows(
  server: Pick<BenchServer, 'url'>,
  ours: Record<Delivery, number>,
): Promise<BenchRow[]> {
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

export async function latencyRows(server: Pick<BenchServer, 'url'>): Promise<BenchRow[]> {
  const busy = busyLoopsFromEnv()
  const stopBusyLoops = startBusyLoops(busy)
  let trips: BenchRow[]
  try {
    trips = await roundTripRows(server, busy)
  } finally {
    stopBusyLoops()
  }
  return [...trips, ...(await sendRows(server))]
}

/** The round-trip rows, with `busy` busy-loop processes running (0 unless BENCH_BUSY says). */
async function roundTripRows(server: Pick<BenchServer, 'url'>, busy: number): Promise<BenchRow[]> {
  // Warm-up (discarded), both sides alike. A trip calls each function on the send and ack
  // paths once, so V8 takes thousands of trips to finish optimising them: with 100 trips of
  // warm-up, the first measured runs still had 200, 140, 120 optimisations per 1,000 trips
  // (compiled on a background thread that competes for the 2 cores: their p99 was 2–4 ms),
  // down to ~20 by the sixth. Measured after WARM_TRIP_RUNS runs: what a long-lived page sees.
  await alternate(
    WARM_TRIP_RUNS,
    30_000,
    () => roundTripsRaw(server.url, TRIPS),
    () => roundTripsPackage(server.url, TRIPS),
  )
  // Alternated (raw, ours, ours, raw, …) so both see the same load.
  const [raw, ours] = await alternate(
    RUNS,
    40_000,
    () => roundTripsRaw(server.url, TRIPS),
    () => roundTripsPackage(server.url, TRIPS),
  )
  const at = (runs: number[][], p: number) => median(runs.map((sorted) => percentile(sorted, p)))
  const loaded = busy > 0 ? ` (${busy} busy-loop processes)` : ''
  const note = `${TRIPS} sequential trips (chat → ack), browser-like, after ${WARM_TRIP_RUNS} × ${TRIPS} warm-up trips each; medians of ${ours.length} / ${raw.length} runs, alternated (stop after 40 s)${busy > 0 ? `; ${busy} busy-loop processes competing for the cores (BENCH_BUSY)` : ''}`
  const rows: BenchRow[] = []
  for (const [label, p] of [
    ['p50', 0.5],
    ['p99', 0.99],
  ] as const) {
    const value = at(ours, p)
    const base = at(raw, p)
    rows.push(compared(`round trip ${label}${loaded}`, value, 'ms', base, note))
    rows.push({
      name: `round trip ${label} added over raw ws${loaded}`,
      value: value - base,
      unit: 'ms',
      note: 'redux-realtime minus raw ws',
    })
  }
  if (busy > 0) {
    // Under contention a slow trip is one that waited for a core (3–5 ms on the 2-core machine,
    // raw or not), so p99 jumps once more than 1 % of trips wait: p99 alone hides how far from
    // that edge each side is, this share shows it.
    const slowShare = (runs: number[][]) =>
      median(runs.map((sorted) => (100 * sorted.filter((ms) => ms > 1).length) / sorted.length))
    rows.push(
      compared(
        `round trip, share of trips over 1 ms${loaded}`,
        slowShare(ours),
        '%',
        slowShare(raw),
        'medians over the runs above',
      ),
    )
  }
  return rows
}

/** One sender until every message is acked, against raw ws; never under BENCH_BUSY's loops. */
async function sendRows(server: Pick<BenchServer, 'url'>): Promise<BenchRow[]> {
  const rows: BenchRow[] = []
  const echo = `${server.url}/?echo=1`
  // Warm-up (discarded), both: the package's first run would otherwise pay for its JIT.
  await sendRaw(echo, 2000, SEND_WINDOW, 'warm')
  await sendPackage(echo, 2000, 'warm-package')
  const [rawSend, ourSend] = await alternate(
    SEND_RUNS,
    40_000,
    (run) => sendRaw(echo, SEND_MESSAGES, SEND_WINDOW, `raw${run}`),
    (run) => sendPackage(echo, SEND_MESSAGES, `pkg${run}`),
  )
  rows.push(
    compared(
      `send: one sender, ${SEND_MESSAGES.toLocaleString('en-US')} messages until all acked`,
      median(ourSend),
      'msg/s',
      median(rawSend),
      `fake server (echo + ack per message, packed in batches when the client sends a batch), browser-like; baseline raw ws with at most ${SEND_WINDOW} unacked (the stated maxInFlight), JSON.parse of every frame; medians of ${ourSend.length} / ${rawSend.length} runs, alternated`,
    ),
  )
  return rows
}

/**
 * RTK's default dev checks on: run where `NODE_ENV` is not "production" (RTK adds them only
 * then), against the raw browser-like figure of the production rows.
 */
export async function devIngestRows(
  server: Pick<BenchServer, 'url'>,
  rawBrowser: number,
): Promise<BenchRow[]> {
  const rows: BenchRow[] = []
  const devRuns = await repeat(DEV_RUNS, 30_000, () =>
    ingestPackage(server.url, 'browser', true, DEV_FRAMES),
  )
  rows.push(
    compared(
      'ingest, RTK dev checks on (default getDefaultMiddleware), browser-like',
      median(devRuns),
      'frames/s',
      rawBrowser,
      `${DEV_FRAMES.toLocaleString('en-US')} frames, median of ${devRuns.length} runs; baseline the raw browser-like figure above`,
    ),
  )
  return rows
}
