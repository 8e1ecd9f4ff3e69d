/**
 * Abuse benchmark (issue 8): a server with default limits in its own process, a control client
 * doing sequential round trips (chat → its own ack) at 10 per second (the default rate limit's
 * refill), before and while four abusers (their own process) flood, stop reading, churn
 * connections and send oversize frames. Prints p50/p99 before/during and the server's heap.
 * A benchmark, not a test: nothing here asserts timing. Loopback only, about 45 s.
 *
 * `npx tsx test/bench/abuse.ts` runs it alone; `npm run bench` adds its rows to the table.
 */
import { fork } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { signDevToken } from '../../src/server'
import { connectRaw } from '../support/rawClient'
import type { RawClient } from '../support/rawClient'
import type { ClientsReply, StartMessage, Summary } from './abuseClients'
import { BENCH_SECRET } from './abuseServer'
import type { ServerReply } from './abuseServer'

const BEFORE_TRIPS = 100
const DURING_TRIPS = 200
const TRIP_INTERVAL_MS = 100
const FILL_USERS = 10
const MAX_PAYLOAD = 64 * 1024
const CONNECTION_CAP = 20

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url))

function spawn(file: string): ChildProcess {
  return fork(here(file), [], { execArgv: ['--expose-gc', '--import', 'tsx'], stdio: 'inherit' })
}

function reply<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (message: { type: string }) => {
      if (message.type !== type) return
      child.off('message', onMessage)
      resolve(message as T)
    }
    child.on('message', onMessage)
  })
}

async function heap(server: ChildProcess) {
  const answer = reply<Extract<ServerReply, { type: 'heap' }>>(server, 'heap')
  server.send('heap')
  return answer
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? NaN
}

/** `count` round trips, one every TRIP_INTERVAL_MS: chat → its ack. Returns latencies in ms. */
async function roundTrips(control: RawClient, count: number): Promise<number[]> {
  const latencies: number[] = []
  for (let i = 0; i < count; i++) {
    const started = performance.now()
    const sent = control.sendFrame('chat_message', { room: 'control', data: { content: `${i}` } })
    await control.nextOfType('ack', (frame) => frame.data.refId === sent.id, 10_000)
    latencies.push(performance.now() - started)
    await sleep(Math.max(0, TRIP_INTERVAL_MS - (performance.now() - started)))
  }
  return latencies.sort((a, b) => a - b)
}

/**
 * Fills the busy room's history to its default 1000 frames of 16 KB, so heap before and after
 * both hold it. One filler at a time: ten members each sent everyone's burst would be slow
 * consumers themselves.
 */
async function fillBusyRoom(url: string): Promise<void> {
  const content = 'f'.repeat(16 * 1024)
  for (let u = 0; u < FILL_USERS; u++) {
    const client = await connectRaw(url)
    await client.authenticate(await signDevToken(BENCH_SECRET, `filler${u}`))
    client.sendFrame('join', { room: 'busy', data: {} })
    await client.nextOfType('joined', undefined, 30_000)
    let last = client.sendFrame('chat_message', { room: 'busy', data: { content } })
    for (let i = 1; i < 99; i++)
      last = client.sendFrame('chat_message', { room: 'busy', data: { content } })
    await client.nextOfType('ack', (frame) => frame.data.refId === last.id, 30_000)
    client.socket.terminate()
  }
}

export interface AbuseResult {
  before: number[]
  during: number[]
  heapBefore: number
  heapPeak: number
  heapAbused: number
  heapAfter: number
  gc: boolean
  stats: Record<string, Summary>
  freshSessions: number
  slowDrops: number
}

export async function runAbuseBench(): Promise<AbuseResult> {
  const server = spawn('./abuseServer.ts')
  const { url } = await reply<Extract<ServerReply, { type: 'ready' }>>(server, 'ready')
  await fillBusyRoom(url)
  const control = await connectRaw(url)
  await control.authenticate(await signDevToken(BENCH_SECRET, 'control'))
  control.sendFrame('join', { room: 'control', data: {} })
  await control.nextOfType('joined')

  const heapBefore = await heap(server)
  const before = await roundTrips(control, BEFORE_TRIPS)

  const clients = spawn('./abuseClients.ts')
  const started = reply(clients, 'started')
  clients.send({
    type: 'start',
    url,
    maxPayload: MAX_PAYLOAD,
    cap: CONNECTION_CAP,
  } satisfies StartMessage)
  await started
  let heapPeak = 0
  let sampling = true
  const sampler = (async () => {
    while (sampling) {
      const sample = reply<Extract<ServerReply, { type: 'heap' }>>(server, 'heap')
      server.send('heapNoGc')
      heapPeak = Math.max(heapPeak, (await sample).heapUsed)
      await sleep(500)
    }
  })()
  const during = await roundTrips(control, DURING_TRIPS)
  sampling = false
  await sampler
  // Abusers still at work: what their connections hold.
  const heapAbused = await heap(server)

  const statsReply = reply<Extract<ClientsReply, { type: 'stats' }>>(clients, 'stats')
  clients.send('stop')
  const { stats, freshSessions } = await statsReply
  await sleep(3000) // let the server see every abuser's socket close
  const heapAfter = await heap(server)
  control.socket.close()
  server.send('close')
  await new Promise((resolve) => server.once('exit', resolve))
  return {
    before,
    during,
    heapBefore: heapBefore.heapUsed,
    heapPeak,
    heapAbused: heapAbused.heapUsed,
    heapAfter: heapAfter.heapUsed,
    gc: heapAfter.gc,
    stats,
    freshSessions,
    slowDrops: heapAfter.warnings['slow consumer dropped'] ?? 0,
  }
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`
const ms = (value: number) => `${value.toFixed(1)} ms`

/** The benchmark table's rows for one run. */
export function abuseRows(result: AbuseResult): Array<[string, string]> {
  const { before, during, stats } = result
  const closes = (name: string) =>
    Object.entries(stats[name]?.closes ?? {})
      .map(([code, n]) => `${n}× ${code}`)
      .join(', ')
  const gcNote = result.gc ? 'after gc' : 'no --expose-gc: without a gc'
  return [
    [
      `abuse: control round trip (chat → ack) before, ${before.length} trips`,
      `p50 ${ms(percentile(before, 0.5))}, p99 ${ms(percentile(before, 0.99))}`,
    ],
    [
      `abuse: control round trip during the abuse, ${during.length} trips`,
      `p50 ${ms(percentile(during, 0.5))}, p99 ${ms(percentile(during, 0.99))}`,
    ],
    [
      `abuse: server heap before / at the end of the abuse / after the abusers left (${gcNote})`,
      `${mb(result.heapBefore)} / ${mb(result.heapAbused)} / ${mb(result.heapAfter)}`,
    ],
    [
      'abuse: server heap, highest sample during the abuse (every 500 ms, no gc: garbage included)',
      mb(result.heapPeak),
    ],
    [
      'abuse: flooder (every frame type, 500 per turn, reconnecting)',
      `${stats.flooder?.connections} connections, ${stats.flooder?.framesSent} frames sent, ${stats.flooder?.messagesReceived} answered; closes ${closes('flooder')}`,
    ],
    [
      'abuse: slow reader (stops reading in a room of 5 writers × 16 KB × 10/s)',
      `${result.slowDrops} drops as a slow consumer; closes ${closes('slow reader')}`,
    ],
    [
      `abuse: churner (holds ${CONNECTION_CAP} sessions, asks for more; fresh users 4 at a time)`,
      `${stats.churner?.connections} connections, ${result.freshSessions} fresh sessions; closes ${closes('churner')}`,
    ],
    [
      'abuse: oversize sender (16 KB token, frames above maxPayload and above 2 × it)',
      `${stats['oversize sender']?.connections} connections; closes ${closes('oversize sender')}`,
    ],
  ]
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void runAbuseBench().then((result) => {
    console.log('| benchmark | result |\n|---|---|')
    for (const [label, value] of abuseRows(result)) console.log(`| ${label} | ${value} |`)
  })
}
