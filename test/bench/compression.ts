/**
 * permessage-deflate on the reference server, on against off, in one run: small-frame
 * throughput server → client, the wire size of a 64 KiB JSON payload, and the server's memory
 * with 500 connections. `npx tsx test/bench/compression.ts` prints the rows.
 */
import { fork } from 'node:child_process'
import type { Socket } from 'node:net'
import { fileURLToPath } from 'node:url'
import { WebSocket } from 'ws'
import { createRealtimeServer } from '../../src/server'
import type { CompressionOptions, RealtimeServer } from '../../src/server'
import { connectRaw } from '../support/rawClient'
import type { RawClient } from '../support/rawClient'
import { seededRandom } from '../support/tcpProxy'
import { TEST_SECRET, tokenFor } from '../support/tokens'
import type { BenchRow } from './rows'

const RUNS = 5
const SMALL_FRAMES = 20_000
const PAYLOADS = 5
const CONNECTIONS = 500

const quiet = { warn: () => undefined, error: () => undefined }

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] as number
}

const tcpOf = (socket: WebSocket) => (socket as unknown as { _socket: Socket })._socket

type Compression = false | CompressionOptions

function startServer(compression: Compression): Promise<RealtimeServer> {
  return createRealtimeServer({
    port: 0,
    jwt: { secret: TEST_SECRET },
    compression,
    rateLimit: false,
    maxPayload: 256 * 1024,
    maxConnectionsPerUser: 1000,
    heartbeatIntervalMs: 0,
    logger: quiet,
  })
}

async function joined(url: string, userId: string, room: string): Promise<RawClient> {
  const client = await connectRaw(url)
  await client.authenticate(await tokenFor(userId))
  client.sendFrame('join', { room, data: {} })
  await client.nextOfType('joined', (frame) => frame.room === room, 30_000)
  return client
}

/** A ~150-byte `system_alert`, the size of a short chat frame. */
const ALERT = {
  message: 'Deploy 4821 finished on eu-west; nothing to do',
  severity: 'info' as const,
}

/** Frames/s from `server.systemAlert` to one `ws` client that counts what arrives. */
async function smallFrameThroughput(
  compression: Compression,
): Promise<{ rate: number; bytes: number }> {
  const server = await startServer(compression)
  const client = await connectRaw(server.url)
  await client.authenticate(await tokenFor('reader'))
  let count = 0
  let bytes = 0
  let done: () => void = () => undefined
  const all = new Promise<void>((resolve) => (done = resolve))
  client.socket.on('message', (data: Buffer) => {
    bytes = data.length
    if (++count === SMALL_FRAMES) done()
  })
  const start = performance.now()
  // Chunks with a turn between them, so the client reads while the server writes.
  for (let sent = 0; sent < SMALL_FRAMES; sent += 1000) {
    for (let i = 0; i < 1000; i++) server.systemAlert(ALERT)
    await new Promise((resolve) => setImmediate(resolve))
  }
  await all
  const rate = SMALL_FRAMES / ((performance.now() - start) / 1000)
  client.close()
  await server.close()
  return { rate, bytes }
}

/** About 64 KiB of JSON records as an app would publish them (seeded, so both runs match). */
export function jsonPayload(seed: number): Array<Record<string, string | number | boolean>> {
  const random = seededRandom(seed)
  const records: Array<Record<string, string | number | boolean>> = []
  const words = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel']
  while (JSON.stringify(records).length < 64 * 1024 - 200) {
    const n = records.length
    records.push({
      id: `card-${seed}-${n}`,
      title: `${words[Math.floor(random() * 8)]} ${words[Math.floor(random() * 8)]} ${n}`,
      owner: `user${Math.floor(random() * 500)}`,
      column: ['todo', 'doing', 'review', 'done'][Math.floor(random() * 4)] as string,
      points: Math.floor(random() * 13),
      score: Math.round(random() * 1e6) / 1e3,
      archived: random() < 0.1,
      updatedAt: 1_760_000_000_000 + Math.floor(random() * 1e9),
    })
  }
  return records
}

/** Bytes a member's TCP socket read for each 64 KiB app message, and the message's own size. */
async function wireBytes(compression: Compression): Promise<{ wire: number; text: number }> {
  const server = await startServer(compression)
  const writer = await joined(server.url, 'writer', 'board')
  const reader = await joined(server.url, 'reader', 'board')
  const wire: number[] = []
  const text: number[] = []
  for (let i = 0; i < PAYLOADS; i++) {
    const before = tcpOf(reader.socket).bytesRead
    let size = 0
    const sized = (data: Buffer) => void (size = data.length)
    reader.socket.on('message', sized)
    const sent = writer.sendFrame('app_message', {
      room: 'board',
      data: { type: 'cards_loaded', data: jsonPayload(i) },
    })
    await reader.nextOfType('app_message', (frame) => frame.id === sent.id, 10_000)
    reader.socket.off('message', sized)
    wire.push(tcpOf(reader.socket).bytesRead - before)
    text.push(size)
  }
  writer.close()
  reader.close()
  await server.close()
  return { wire: median(wire), text: median(text) }
}

interface ServerMemory {
  idle: NodeJS.MemoryUsage
  loaded: NodeJS.MemoryUsage
  gc: boolean
}

/**
 * The server (its own process) with CONNECTIONS authenticated clients in one room, after each
 * was sent two frames above the threshold (so every connection has its deflate stream).
 */
async function serverMemory(compression: Compression): Promise<ServerMemory> {
  const child = fork(fileURLToPath(new URL('./compressionServer.ts', import.meta.url)), [], {
    execArgv: ['--expose-gc', '--import', 'tsx'],
    env: { ...process.env, COMPRESSION: JSON.stringify(compression) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const replies: unknown[] = []
  let wake: () => void = () => undefined
  child.on('message', (message) => {
    replies.push(message)
    wake()
  })
  const reply = async <T>(): Promise<T> => {
    while (replies.length === 0) await new Promise<void>((resolve) => (wake = resolve))
    return replies.shift() as T
  }
  const measure = async () => {
    child.send('measure')
    return reply<{ memory: NodeJS.MemoryUsage; gc: boolean }>()
  }
  try {
    const { port } = await reply<{ port: number }>()
    const url = `ws://127.0.0.1:${port}`
    const idle = await measure()
    const clients: RawClient[] = []
    for (let i = 0; i < CONNECTIONS; i += 50) {
      const batch = Array.from({ length: Math.min(50, CONNECTIONS - i) }, (_, j) =>
        joined(url, `user${i + j}`, 'lobby'),
      )
      clients.push(...(await Promise.all(batch)))
    }
    const writer = clients[0] as RawClient
    for (let round = 0; round < 2; round++) {
      const sent = writer.sendFrame('app_message', {
        room: 'lobby',
        data: { type: 'cards_loaded', data: jsonPayload(round).slice(0, 40) },
      })
      await Promise.all(
        clients.map((client) =>
          client.nextOfType('app_message', (frame) => frame.id === sent.id, 30_000),
        ),
      )
    }
    const loaded = await measure()
    for (const client of clients) client.close()
    return { idle: idle.memory, loaded: loaded.memory, gc: loaded.gc }
  } finally {
    child.disconnect()
    await new Promise((resolve) => child.once('exit', resolve))
  }
}

const MiB = 1024 * 1024
const mib = (bytes: number) => Math.round((bytes / MiB) * 10) / 10

/**
 * The compression rows: each `compression on` figure with `compression off` as its baseline and
 * ratio = on / off.
 */
export async function compressionRows(compression: CompressionOptions = {}): Promise<BenchRow[]> {
  const on: number[] = []
  const off: number[] = []
  let smallBytes = 0
  for (let run = 0; run < RUNS; run++) {
    // Alternated, so drift on a shared machine hits both alike.
    const first = run % 2 === 0
    const a = await smallFrameThroughput(first && compression)
    const b = await smallFrameThroughput(!first && compression)
    ;(first ? on : off).push(a.rate)
    ;(first ? off : on).push(b.rate)
    smallBytes = a.bytes
  }
  const wireOn = await wireBytes(compression)
  const wireOff = await wireBytes(false)
  const memoryOn = await serverMemory(compression)
  const memoryOff = await serverMemory(false)
  const rows: BenchRow[] = []
  const throughputOn = median(on)
  const throughputOff = median(off)
  rows.push({
    name: `compression on: small frames server → client (${smallBytes} B, below the threshold)`,
    value: Math.round(throughputOn),
    unit: 'frames/s',
    baseline: Math.round(throughputOff),
    ratio: throughputOn / throughputOff,
    note: `baseline: compression off; medians of ${RUNS}; target ratio ≥ 0.9`,
  })
  rows.push({
    name: `compression on: 64 KiB JSON app message on the wire (${wireOn.text} B of JSON)`,
    value: wireOn.wire,
    unit: 'bytes',
    baseline: wireOff.wire,
    ratio: wireOn.wire / wireOff.wire,
    note: `${(wireOff.wire / wireOn.wire).toFixed(1)}× smaller; target ≥ 4×`,
  })
  const gcNote = memoryOn.gc ? 'after global.gc()' : 'no --expose-gc: heap not collected first'
  for (const [label, key] of [
    ['heap used', 'heapUsed'],
    ['rss', 'rss'],
  ] as const) {
    const grownOn = memoryOn.loaded[key] - memoryOn.idle[key]
    const grownOff = memoryOff.loaded[key] - memoryOff.idle[key]
    rows.push({
      name: `compression on: server ${label} with ${CONNECTIONS} connections`,
      value: mib(memoryOn.loaded[key]),
      unit: 'MiB',
      baseline: mib(memoryOff.loaded[key]),
      ratio: memoryOn.loaded[key] / memoryOff.loaded[key],
      note: `grew ${mib(grownOn)} MiB on, ${mib(grownOff)} MiB off from an idle server; ${gcNote}; server in its own process`,
    })
  }
  return rows
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // e.g. COMPRESSION='{"windowBits":12}' to measure other settings than the defaults.
  const rows = await compressionRows(
    JSON.parse(process.env.COMPRESSION ?? '{}') as CompressionOptions,
  )
  console.log('| row | value | baseline (off) | ratio | note |')
  console.log('|---|---|---|---|---|')
  for (const row of rows)
    console.log(
      `| ${row.name} | ${row.value.toLocaleString('en-US')} ${row.unit} | ${row.baseline?.toLocaleString('en-US') ?? ''} | ${row.ratio?.toFixed(3) ?? ''} | ${row.note ?? ''} |`,
    )
}
