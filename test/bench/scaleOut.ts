/**
 * Scale-out rows (issue 12): what the Redis hop costs and what a second process changes, on
 * the reference server with the same load in three deployments:
 * - in memory, one process (`benchServer.ts` 'reference'): the embedded default, for reference;
 * - on Redis, one process, and on Redis, two processes (`test/support/redisProcess.ts`, forked,
 *   one `redis-server` started here with persistence off, as the tests start it).
 *
 * Load: `MEMBERS` members of one room spread round-robin over the processes (all of them raw
 * `ws` clients in this process, so every timestamp is from one clock), two of them senders on
 * different processes when there are two. The three run side by side (idle when not measured),
 * warmed up by one unmeasured throughput phase, then measured in turns, `ROUNDS` rounds of:
 * throughput — each sender sends `THROUGHPUT_COUNT` messages keeping at most `WINDOW`
 * unacknowledged; deliveries/s = messages × members ÷ the time from the first send to the last
 * member's receipt (the row: the median round); latency — each sender paces `LATENCY_COUNT`
 * messages at `LATENCY_RATE`/s (well below what any deployment takes, so the figure is the hop,
 * not a queue); each member's receipt − its send is one sample (the rows: p50/p99 of every
 * round's samples). Loopback, every wait bounded. The bench process, redis-server and the
 * server processes share this machine's cores: compare rows of one run.
 */
import { existsSync } from 'node:fs'
import { WebSocket } from 'ws'
import { createId, encodeFrame, makeFrame } from '../../src/protocol'
import { signDevToken } from '../../src/server'
import { startServerProcess } from '../support/redisProcess'
import { REDIS_SERVER_BINARY, startRedisServer } from '../support/redisServer'
import { TEST_SECRET } from '../support/tokens'
import { BENCH_SECRET, startBenchServer } from './benchServer'
import { compared, median, percentile, sleep, within, type BenchRow } from './rows'

const ROOM = 'scale'
const MEMBERS = 10
const SENDERS = 2
/** Rounds of one throughput and one latency phase per deployment, taken in turns. */
const ROUNDS = 3
const THROUGHPUT_COUNT = 1000
const WINDOW = 32
const LATENCY_COUNT = 150
/** Messages/s each sender paces in the latency phase. */
const LATENCY_RATE = 150
const WAIT_MS = 60_000

interface Deployment {
  name: string
  urls: string[]
  secret: string
  close(): Promise<void>
}

export interface ScaleOutResult {
  name: string
  /** The median of the rounds. */
  deliveriesPerSecond: number
  /** Each round's deliveries/s, ascending. */
  rounds: number[]
  /** Delivery latencies in ms, sorted ascending. */
  latencies: number[]
}

interface Member {
  /** Sends one chat message to ROOM. */
  chat(content: string): string
  close(): void
}

interface Listeners {
  chat(content: string, at: number): void
  ack(refId: string): void
}

interface WireFrame {
  type?: string
  room?: string
  data?: { content?: unknown; refId?: unknown; frames?: WireFrame[]; message?: unknown }
}

/** A raw `ws` member of ROOM: authenticated, joined, handing every chat and ack to `listeners`. */
async function connectMember(url: string, token: string, listeners: Listeners): Promise<Member> {
  const socket = new WebSocket(url)
  await within(
    new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve())
      socket.once('error', reject)
    }),
    WAIT_MS,
    `connecting to ${url}`,
  )
  let joined: () => void = () => {}
  let failed: (error: Error) => void = () => {}
  const handle = (frame: WireFrame, at: number) => {
    if (frame.type === 'chat_message' && frame.room === ROOM) {
      if (typeof frame.data?.content === 'string') listeners.chat(frame.data.content, at)
    } else if (frame.type === 'ack') {
      if (typeof frame.data?.refId === 'string') listeners.ack(frame.data.refId)
    } else if (frame.type === 'joined') joined()
    else if (frame.type === 'error')
      failed(new Error(`server error: ${String(frame.data?.message)}`))
  }
  socket.on('message', (data) => {
    const at = performance.now()
    const frame = JSON.parse((data as Buffer).toString('utf8')) as WireFrame
    if (frame.type === 'batch') for (const inner of frame.data?.frames ?? []) handle(inner, at)
    else handle(frame, at)
  })
  await within(
    new Promise<void>((resolve, reject) => {
      joined = resolve
      failed = reject
      socket.send(encodeFrame(makeFrame('auth', { data: { token } })))
      socket.send(encodeFrame(makeFrame('join', { room: ROOM, data: {} })))
    }),
    WAIT_MS,
    `joining ${ROOM} on ${url}`,
  )
  return {
    chat(content) {
      const frame = makeFrame('chat_message', { room: ROOM, data: { content } })
      socket.send(encodeFrame(frame))
      return frame.id
    },
    close: () => socket.close(),
  }
}

/** A deployment with its members connected, measured a phase at a time. */
interface Loaded {
  name: string
  /** Deliveries/s of one windowed throughput phase. */
  throughput(tag: string): Promise<number>
  /** Delivery latencies (ms) of one paced phase of `count` messages per sender. */
  latency(tag: string, count: number): Promise<number[]>
  close(): void
}

/** Connects the members to `deployment` and warms it up (a windowed phase, not measured). */
async function load(deployment: Deployment): Promise<Loaded> {
  const sentAt = new Map<string, number>()
  let latencies: number[] = []
  const counts = new Map<string, number>()
  const waiting = new Map<string, { target: number; done: (at: number) => void }>()
  const acked = new Map<number, (refId: string) => void>()
  const onChat = (content: string, at: number) => {
    const tag = content.slice(0, content.indexOf('|'))
    const count = (counts.get(tag) ?? 0) + 1
    counts.set(tag, count)
    const sent = sentAt.get(content)
    if (sent !== undefined) latencies.push(at - sent)
    const wait = waiting.get(tag)
    if (wait && count === wait.target) wait.done(at)
  }
  /** Resolves with the time the last of `messages` messages tagged `tag` reached a member. */
  const allReceived = (tag: string, messages: number) =>
    within(
      new Promise<number>((done) => waiting.set(tag, { target: messages * MEMBERS, done })),
      WAIT_MS,
      `${deployment.name}: ${messages} messages ${tag} to ${MEMBERS} members`,
    )

  const members: Member[] = []
  for (let i = 0; i < MEMBERS; i++) {
    const url = deployment.urls[i % deployment.urls.length] as string
    const token = await signDevToken(deployment.secret, `member${i}`)
    members.push(
      await connectMember(url, token, { chat: onChat, ack: (refId) => acked.get(i)?.(refId) }),
    )
  }
  const senders = members.slice(0, SENDERS)

  /** One sender's `count` messages tagged `tag`, at most WINDOW unacknowledged. */
  const windowed = (index: number, tag: string, count: number) =>
    new Promise<void>((resolve) => {
      const sender = senders[index] as Member
      const pending = new Set<string>()
      let sent = 0
      let done = 0
      const sendOne = () => pending.add(sender.chat(`${tag}|${index}.${sent++}`))
      acked.set(index, (refId) => {
        if (!pending.delete(refId)) return
        if (++done === count) return resolve()
        if (sent < count) sendOne()
      })
      while (sent < Math.min(WINDOW, count)) sendOne()
    })

  const throughput = async (tag: string) => {
    const received = allReceived(tag, SENDERS * THROUGHPUT_COUNT)
    const started = performance.now()
    await Promise.all(senders.map((_, index) => windowed(index, tag, THROUGHPUT_COUNT)))
    const last = await received
    return (SENDERS * THROUGHPUT_COUNT * MEMBERS) / ((last - started) / 1000)
  }

  await throughput('warm')
  return {
    name: deployment.name,
    throughput,
    async latency(tag, count) {
      latencies = []
      const received = allReceived(tag, SENDERS * count)
      // Paced: every 5 ms each sender sends what is due by then.
      const from = performance.now()
      let due = 0
      while (due < count) {
        const next = Math.min(
          count,
          Math.floor(((performance.now() - from) / 1000) * LATENCY_RATE) + 1,
        )
        for (; due < next; due++)
          senders.forEach((sender, index) => {
            const content = `${tag}|${index}.${due}`
            sentAt.set(content, performance.now())
            sender.chat(content)
          })
        await sleep(5)
      }
      await received
      sentAt.clear()
      return latencies
    },
    close() {
      acked.clear()
      for (const member of members) member.close()
    },
  }
}

async function inMemory(): Promise<Deployment> {
  const server = await startBenchServer('reference')
  return {
    name: 'in memory, 1 process',
    urls: [server.url],
    secret: BENCH_SECRET,
    close: () => server.close(),
  }
}

async function onRedis(redisUrl: string, processes: number): Promise<Deployment> {
  const prefix = `bench${createId(6)}:`
  const started = await Promise.all(
    Array.from({ length: processes }, () => startServerProcess(redisUrl, prefix)),
  )
  return {
    name: `Redis, ${processes} process${processes === 1 ? '' : 'es'}`,
    urls: started.map((server) => server.url),
    secret: TEST_SECRET,
    close: async () => {
      await Promise.all(started.map((server) => server.close()))
    },
  }
}

/**
 * Starts the three deployments side by side and measures them in turns, `ROUNDS` times (so a
 * machine that gets busier part way through weighs on each alike); `undefined` without
 * redis-server.
 */
export async function runScaleOutBench(): Promise<ScaleOutResult[] | undefined> {
  if (!existsSync(REDIS_SERVER_BINARY)) return undefined
  const redis = await startRedisServer()
  const deployments: Deployment[] = []
  const loaded: Loaded[] = []
  try {
    deployments.push(await inMemory())
    deployments.push(await onRedis(redis.url, 1))
    deployments.push(await onRedis(redis.url, 2))
    for (const deployment of deployments) loaded.push(await load(deployment))
    const results = loaded.map((deployment) => ({
      name: deployment.name,
      rounds: [] as number[],
      latencies: [] as number[],
    }))
    for (let round = 0; round < ROUNDS; round++)
      for (const [index, deployment] of loaded.entries()) {
        const result = results[index] as (typeof results)[number]
        result.rounds.push(await deployment.throughput(`t${round}`))
        result.latencies.push(...(await deployment.latency(`l${round}`, LATENCY_COUNT)))
      }
    return results.map(({ name, rounds, latencies }) => ({
      name,
      deliveriesPerSecond: median(rounds),
      rounds: [...rounds].sort((a, b) => a - b),
      latencies: latencies.sort((a, b) => a - b),
    }))
  } finally {
    for (const deployment of loaded) deployment.close()
    await Promise.all(deployments.map((deployment) => deployment.close()))
    await redis.stop()
  }
}

const LOAD = `${MEMBERS} members, ${SENDERS} senders`

/** The rows: each Redis deployment against the one before it (memory → Redis 1 → Redis 2). */
export function scaleOutRows(results: readonly ScaleOutResult[] | undefined): BenchRow[] {
  if (!results) {
    const note = `skipped: ${REDIS_SERVER_BINARY} is not installed (apt-get install -y redis-server)`
    process.stderr.write(`\nbench: scale-out ${note}\n`)
    return ['deliveries/s', 'delivery latency p50', 'delivery latency p99'].map((what) => ({
      name: `scale-out: ${what}, Redis`,
      value: 0,
      unit: what === 'deliveries/s' ? 'deliveries/s' : 'ms',
      note,
    }))
  }
  const rows: BenchRow[] = []
  results.forEach((result, index) => {
    const before = results[index - 1]
    const against = before ? ` vs ${before.name}` : ''
    const row = (what: string, value: number, unit: string, baseline?: number, note?: string) =>
      baseline === undefined
        ? { name: `scale-out: ${what}, ${result.name}`, value, unit, ...(note ? { note } : {}) }
        : compared(`scale-out: ${what}, ${result.name}${against}`, value, unit, baseline, note)
    const p = (sorted: readonly number[], q: number) => percentile(sorted, q)
    rows.push(
      row(
        `deliveries/s (${LOAD}, ${WINDOW} unacked each)`,
        result.deliveriesPerSecond,
        'deliveries/s',
        before?.deliveriesPerSecond,
        `median of ${result.rounds.length} rounds of ${SENDERS * THROUGHPUT_COUNT} messages × ${MEMBERS} members (${result.rounds.map((round) => Math.round(round).toLocaleString('en-US')).join(' / ')})`,
      ),
      row(
        `delivery latency p50 (${LOAD} at ${LATENCY_RATE} msg/s each)`,
        p(result.latencies, 0.5),
        'ms',
        before ? p(before.latencies, 0.5) : undefined,
        `${result.latencies.length} deliveries`,
      ),
      row(
        `delivery latency p99 (${LOAD} at ${LATENCY_RATE} msg/s each)`,
        p(result.latencies, 0.99),
        'ms',
        before ? p(before.latencies, 0.99) : undefined,
        `${result.latencies.length} deliveries`,
      ),
    )
  })
  return rows
}
