/**
 * The benchmark's servers, each in its own process (forked by `startBenchServer`) so the client
 * being measured has the main process's event loop to itself. Loopback, port 0.
 *
 * `fake`: a `ws` server speaking just enough of the protocol. `auth` → `auth_ok`, each `join` →
 * `joined` (epoch `BENCH_EPOCH`, nothing to replay), `ping` → `pong`, each `chat_message` → its
 * `ack` (its room and seq, counted per room, as the reference server acks; with `echo=1` in the
 * query, also the message itself with that seq, as the reference server sends it to every
 * member, its author included, before the ack). As the
 * reference server does, the acks and echoes it owes a client `batch` go out packed into `batch`
 * frames at its end (`packAnswers`), before any other answer; frames sent one by one are
 * answered frame by frame. What it streams is chosen per connection by the URL's query:
 * `?rooms=r0,r1&frames=100000,900000&rate=10000` — every chat message the client sends starts
 * the next phase: `frames[k]` ~150-byte `chat_message` frames, round-robin over `rooms`, each
 * with the next `seq` of its room (so every connection sees the same frames), as fast as the
 * socket takes them or paced at `rate` frames/s. Phases of at most CACHE_LIMIT frames are
 * encoded once and reused by every connection; larger ones are encoded as they are written.
 *
 * `reference`: `createRealtimeServer` from `src/server` with the rate limit off.
 *
 * IPC: → `{ type: 'ready', url }`; `'close'` → closes and exits.
 */
import { fork } from 'node:child_process'
import type { Socket } from 'node:net'
import { fileURLToPath } from 'node:url'
import { WebSocketServer, type WebSocket } from 'ws'
import { encodeFrame, makeFrame } from '../../src/protocol'
import type { Frame } from '../../src/protocol'
import { packAnswers, type EncodedText } from '../../src/server/answerBatches'

export const BENCH_EPOCH = 'bench-epoch'
export const BENCH_SECRET = 'bench-secret'
/** The room every client joins to send its "go" (and round-trip) messages; never streamed. */
export const CONTROL_ROOM = 'control'
export const STREAM_ROOMS = Array.from({ length: 10 }, (_, i) => `r${i}`)

const CACHE_LIMIT = 200_000
/** Frames written per write when not paced. */
const CHUNK = 2000
/** Frames framed at a time for phases above CACHE_LIMIT (at least CHUNK, and 10 ms of any rate). */
const BIG_CHUNK = 20_000
const CONTENT = 'x'.repeat(52)

export type ServerKind = 'fake' | 'reference'

export interface BenchServer {
  url: string
  close(): Promise<void>
}

/** One stream frame: ~150 bytes once encoded. */
export function streamFrame(room: string, seq: number): string {
  return encodeFrame(
    makeFrame('chat_message', {
      id: `m-${room}-${seq}`,
      timestamp: 1_800_000_000_000 + seq,
      userId: 'streamer',
      room,
      seq,
      data: { content: CONTENT },
    }),
  )
}

/** Frames `first`..`first + count - 1` of the round-robin over `rooms` (0-based). */
function encodePhase(rooms: readonly string[], first: number, count: number): string[] {
  const out: string[] = new Array<string>(count)
  for (let i = 0; i < count; i++) {
    const n = first + i
    out[i] = streamFrame(rooms[n % rooms.length] as string, Math.floor(n / rooms.length) + 1)
  }
  return out
}

/** Text frames with their WebSocket framing (server to client: unmasked), back to back. */
interface Framed {
  bytes: Buffer
  /** Where frame i starts; `offsets[count]` is the end. */
  offsets: number[]
}

function frameAll(texts: readonly string[]): Framed {
  const parts: Buffer[] = []
  const offsets: number[] = [0]
  let at = 0
  for (const text of texts) {
    const payload = Buffer.from(text, 'utf8')
    const length = payload.length
    const header =
      length < 126
        ? Buffer.from([0x81, length])
        : length < 65536
          ? Buffer.from([0x81, 126, length >> 8, length & 0xff])
          : fail('bench frames stay below 64 KiB')
    parts.push(header, payload)
    at += header.length + length
    offsets.push(at)
  }
  return { bytes: Buffer.concat(parts), offsets }
}

function fail(message: string): never {
  throw new Error(message)
}

const phaseCache = new Map<string, Framed>()

function phaseFrames(rooms: readonly string[], first: number, count: number): Framed {
  const key = `${rooms.join(',')}|${first}|${count}`
  const cached = phaseCache.get(key)
  if (cached) return cached
  const framed = frameAll(encodePhase(rooms, first, count))
  if (count <= CACHE_LIMIT) phaseCache.set(key, framed)
  return framed
}

interface StreamPlan {
  rooms: string[]
  phases: number[]
  rate: number | null
  /** Send every chat message back to its sender with its seq, as a room member sees it. */
  echo: boolean
}

function planOf(url: string | undefined): StreamPlan {
  const query = new URL(url ?? '/', 'http://bench').searchParams
  const list = (name: string) => (query.get(name) ?? '').split(',').filter(Boolean)
  const rate = Number(query.get('rate'))
  return {
    rooms: list('rooms').length > 0 ? list('rooms') : STREAM_ROOMS,
    phases: list('frames').map(Number),
    rate: Number.isFinite(rate) && rate > 0 ? rate : null,
    echo: query.get('echo') === '1',
  }
}

/**
 * The TCP socket under a `ws` connection. The stream frames are framed once and written to it
 * directly, so the writer costs one `write` per chunk instead of one `send` per frame and the
 * client, not this server, is what a run measures. ws writes its own frames (answers) whole and
 * at once (no permessage-deflate here), so the two never interleave inside a frame.
 */
function tcpOf(socket: WebSocket): Socket {
  return (socket as unknown as { _socket: Socket })._socket
}

/** Writes `count` frames starting at frame number `first`, waiting for the socket to drain. */
function stream(socket: WebSocket, plan: StreamPlan, first: number, count: number): void {
  const tcp = tcpOf(socket)
  let written = 0
  // Phases up to CACHE_LIMIT are framed once; larger ones BIG_CHUNK frames at a time.
  let framed: Framed | null = count <= CACHE_LIMIT ? phaseFrames(plan.rooms, first, count) : null
  let framedFrom = 0
  const startedAt = performance.now()
  const tick = () => {
    if (socket.readyState !== socket.OPEN) return
    // Paced: as many as are due since the start, so timer drift does not lower the rate.
    const due =
      plan.rate === null
        ? written + CHUNK
        : Math.max(written, Math.ceil(((performance.now() - startedAt) * plan.rate) / 1000))
    const end = Math.min(count, due)
    if (!framed || end - framedFrom > framed.offsets.length - 1) {
      framedFrom = written
      framed = frameAll(
        encodePhase(plan.rooms, first + written, Math.min(BIG_CHUNK, count - written)),
      )
    }
    const from = framed.offsets[written - framedFrom] as number
    const to = framed.offsets[end - framedFrom] as number
    const drained = tcp.write(framed.bytes.subarray(from, to))
    written = end
    if (written >= count) return
    if (plan.rate !== null) setTimeout(tick, 10)
    else if (drained) setImmediate(tick)
    else tcp.once('drain', tick)
  }
  tick()
}

function startFake(): Promise<string> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  wss.on('connection', (socket, request) => {
    const plan = planOf(request.url)
    const seqs = new Map<string, number>()
    let phase = 0
    let streamed = 0
    /** While a client batch is handled: the acks and echoes it is owed so far. */
    let packing = false
    let owed: EncodedText[] = []
    let clientLimit = 1024 * 1024
    const flushOwed = (): void => {
      const texts = packAnswers(owed, clientLimit)
      owed = []
      for (const text of texts) socket.send(text)
    }
    /** Acks and echoes of a batch wait for its end; anything else goes now, after them. */
    const answer = (frame: Frame): void => {
      const text = encodeFrame(frame)
      if (packing && (frame.type === 'ack' || frame.type === 'chat_message')) {
        owed.push({ text, bytes: Buffer.byteLength(text) })
      } else {
        flushOwed()
        socket.send(text)
      }
    }
    type ClientFrame = {
      id?: unknown
      type?: unknown
      room?: unknown
      timestamp?: unknown
      data?: { content?: unknown; frames?: unknown }
    }
    socket.on('message', (data, isBinary) => {
      if (isBinary) return
      let frame: ClientFrame
      try {
        frame = JSON.parse((data as Buffer).toString('utf8')) as ClientFrame
      } catch {
        return // Not JSON: the bench clients never send that.
      }
      if (frame.type === 'batch' && Array.isArray(frame.data?.frames)) {
        const frames = frame.data.frames as ClientFrame[]
        packing = frames.length > 1
        for (const inner of frames) handle(inner)
        packing = false
        flushOwed()
      } else handle(frame)
    })
    function handle(frame: ClientFrame): void {
      const id = typeof frame.id === 'string' ? frame.id : 'unknown'
      const room = typeof frame.room === 'string' ? frame.room : undefined
      if (frame.type === 'auth') {
        const stated = (frame.data as { maxFrameBytes?: unknown } | undefined)?.maxFrameBytes
        if (typeof stated === 'number') clientLimit = Math.min(clientLimit, stated)
        answer(
          makeFrame('auth_ok', {
            data: {
              userId: 'bench',
              sessionId: 'bench-session',
              epoch: BENCH_EPOCH,
              maxFrameBytes: 1024 * 1024,
              maxInFlight: 256,
            },
          }),
        )
      } else if (frame.type === 'join' && room !== undefined) {
        answer(
          makeFrame('joined', {
            room,
            data: {
              refId: id,
              epoch: BENCH_EPOCH,
              fromSeq: 0,
              headSeq: 0,
              resumed: false,
              gap: false,
            },
          }),
        )
      } else if (frame.type === 'ping') {
        const echo = typeof frame.timestamp === 'number' ? frame.timestamp : 0
        answer(makeFrame('pong', { data: { echo } }))
      } else if (frame.type === 'chat_message' && room !== undefined) {
        const seq = (seqs.get(room) ?? 0) + 1
        seqs.set(room, seq)
        if (plan.echo) {
          const content = typeof frame.data?.content === 'string' ? frame.data.content : ''
          answer(makeFrame('chat_message', { id, userId: 'bench', room, seq, data: { content } }))
        }
        answer(makeFrame('ack', { room, data: { refId: id, seq } }))
        const count = plan.phases[phase++]
        if (count !== undefined) {
          // The answers owed so far go before the stream.
          flushOwed()
          stream(socket, plan, streamed, count)
          streamed += count
        }
      }
    }
  })
  return new Promise((resolve) =>
    wss.once('listening', () => {
      const address = wss.address()
      resolve(`ws://127.0.0.1:${typeof address === 'object' && address ? address.port : address}`)
    }),
  )
}

async function startReference(): Promise<{ url: string; close: () => Promise<void> }> {
  const { createRealtimeServer } = await import('../../src/server')
  const server = await createRealtimeServer({
    port: 0,
    host: '127.0.0.1',
    jwt: { secret: BENCH_SECRET },
    rateLimit: false,
    logger: { warn() {}, error() {} },
  })
  return { url: server.url, close: () => server.close() }
}

/** Forks a server of `kind` in its own process (node flags: `--import tsx`). */
export function startBenchServer(kind: ServerKind): Promise<BenchServer> {
  const child = fork(fileURLToPath(import.meta.url), [kind], {
    execArgv: ['--import', 'tsx'],
    stdio: 'inherit',
  })
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', (code) => reject(new Error(`bench ${kind} server exited with ${code}`)))
    child.on('message', (message: { type?: string; url?: string }) => {
      if (message.type !== 'ready' || message.url === undefined) return
      resolve({
        url: message.url,
        close: () =>
          new Promise<void>((done) => {
            child.removeAllListeners('exit')
            child.once('exit', () => done())
            child.send('close')
          }),
      })
    })
  })
}

async function main(kind: ServerKind): Promise<void> {
  const server =
    kind === 'reference'
      ? await startReference()
      : { url: await startFake(), close: async () => {} }
  process.on('message', (message) => {
    if (message === 'close') void server.close().then(() => process.exit(0))
  })
  // The bench process ended without closing this server (it failed): do not outlive it.
  process.on('disconnect', () => process.exit(0))
  process.send?.({ type: 'ready', url: server.url })
}

const kind = process.argv[2]
if (process.send && (kind === 'fake' || kind === 'reference')) void main(kind)
