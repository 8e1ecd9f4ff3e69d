import { mkdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { UnknownAction } from '@reduxjs/toolkit'
import { afterAll, describe, expect, it } from 'vitest'
import { createRealtimeServer, type RealtimeServer } from '../../src/server'
import { createFrameRelay, type FrameRelay, type RelayDirectionStats } from '../support/frameRelay'
import { createTcpProxy, seededRandom, type TcpProxy } from '../support/tcpProxy'
import { TEST_SECRET } from '../support/tokens'
import { checkConvergence, dispatchedMessages, type SentMessage } from './convergence'
import { sleep, startNetworkFaults, type NetworkFaultPlan } from './networkFaults'
import { createSoakClient, type SoakClient } from './soakClient'

/** `SOAK_SEED=123 npm run test:soak` repeats a run's faults (timing still varies). */
const SEED = process.env.SOAK_SEED
  ? Number(process.env.SOAK_SEED)
  : Math.floor(Math.random() * 2 ** 31)
const USERS = ['alice', 'bob', 'carol'] as const
const ROOMS = ['soak-a', 'soak-b', 'soak-c'] as const
/** 3,334 each: 10,002 sent, and every client receives all of them. */
const PER_USER = 3334
const TOTAL = PER_USER * USERS.length
/** Sending is paced over this long (the server allows 200 frames/s per connection). */
const SEND_MS = 50_000
/** After the last send, the faults go on this long, then the link heals. */
const TAIL_MS = 3_000
/** Bound of the wait for convergence once the link is healthy. */
const SETTLE_MS = 90_000
/** Bound of the quiet-link wait for every client to be joined before the crash. */
const READY_MS = 20_000

const NETWORK: NetworkFaultPlan = {
  durationMs: SEND_MS + TAIL_MS,
  cutEveryMs: [200, 800],
  blackholes: 4,
  blackholeMs: [1000, 3000],
  slicing: [
    [0.1, 0.25],
    [0.6, 0.7],
  ],
  slicingWritesPerTurn: 4,
}

const RELAY_FAULTS = {
  toClient: { duplicate: 0.02, replay: 0.02, replayDepth: 50 },
  toServer: { duplicate: 0.02, replay: 0.02, replayDepth: 50 },
}

const CLIENT_CONFIG = {
  reconnectInterval: 20,
  maxReconnectDelay: 250,
  maxReconnectAttempts: Infinity,
  connectionTimeout: 1000,
  heartbeatInterval: 400,
  heartbeatTimeout: 600,
  messageQueueSize: 20_000,
  maxMessagesPerRoom: 50_000,
}

const logged: string[] = []
const serverLogger = {
  warn: (message: string) => void logged.push(`warn: ${message}`),
  error: (message: string) => void logged.push(`error: ${message}`),
}

function startServer(port = 0): Promise<RealtimeServer> {
  return createRealtimeServer({
    port,
    host: '127.0.0.1',
    jwt: { secret: TEST_SECRET },
    // Tight: each user sends ~67 msg/s plus joins and resends after every cut.
    rateLimit: { messages: 100, perMs: 1000 },
    historySize: 20_000,
    logger: serverLogger,
  })
}

/** Polls `condition` every `everyMs` until it holds or `timeoutMs` passes; says which. */
async function waitUntil(condition: () => boolean, timeoutMs: number, everyMs = 100) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (condition()) return true
    await sleep(everyMs)
  }
  return condition()
}

const joinedEverywhere = (client: SoakClient) => {
  const state = client.state()
  const rooms = client.selectors.selectRooms(state)
  return client.selectors.selectIsConnected(state) && ROOMS.every((r) => rooms.includes(r))
}

function hasEverything(client: SoakClient, sentByRoom: Map<string, SentMessage[]>): boolean {
  const state = client.state()
  if (client.selectors.selectPendingMessages(state).length > 0) return false
  for (const [room, sent] of sentByRoom) {
    const ids = new Set(client.selectors.selectMessagesByRoom(state, room).map((m) => m.id))
    if (!sent.every((m) => ids.has(m.id))) return false
  }
  return true
}

const tally = (items: Iterable<string | number>) => {
  const counts: Record<string, number> = {}
  for (const item of items) counts[item] = (counts[item] ?? 0) + 1
  return counts
}

const ofType = (client: SoakClient, type: string): UnknownAction[] =>
  client.dispatched.filter((a) => a.type === type)

function relayLine(name: string, stats: RelayDirectionStats): string {
  return `${name}: ${stats.messages} live, ${stats.duplicated} duplicated, ${stats.replayed} replayed ${JSON.stringify(stats.injectedByType)}`
}

let server: RealtimeServer | undefined
let relay: FrameRelay | undefined
let proxy: TcpProxy | undefined
const clients: SoakClient[] = []

afterAll(async () => {
  for (const client of clients) client.store.dispatch(client.actions.disconnect())
  await proxy?.close()
  await relay?.close()
  await server?.close()
})

describe('soak: nothing lost, nothing doubled, nothing stuck', () => {
  it(`sends ${TOTAL} messages through cuts, blackholes, slicing, duplicates, replays, a restart and a rate limit, and every client converges (seed ${SEED})`, async () => {
    const wallStart = Date.now()
    console.log(`soak seed ${SEED} (repeat with SOAK_SEED=${SEED})`)
    const random = seededRandom(SEED)
    server = await startServer()
    const port = server.port
    relay = await createFrameRelay({ target: server.url, seed: SEED + 1 })
    proxy = await createTcpProxy({ targetPort: relay.port })

    for (const [i, userId] of USERS.entries()) {
      // alice gets a browser's delivery: one message per event-loop task.
      const client = await createSoakClient(proxy.url, userId, {
        ...CLIENT_CONFIG,
        browserLike: i === 0,
      })
      clients.push(client)
      client.store.dispatch(client.actions.connect())
      for (const room of ROOMS) client.store.dispatch(client.actions.joinRoom(room))
    }
    expect(await waitUntil(() => clients.every(joinedEverywhere), READY_MS)).toBe(true)

    relay.setFaults(RELAY_FAULTS)
    const faults = startNetworkFaults(proxy, random, NETWORK)
    const notes: string[] = []
    let restarts = 0

    async function crashAndRestart(): Promise<void> {
      // A quiet link first: everything the old server accepted reaches every member before its
      // history is lost, so nothing the clients could not know about is missing afterwards.
      faults.pause()
      const ready = await waitUntil(() => clients.every(joinedEverywhere), READY_MS)
      if (!ready) {
        notes.push(
          `not every client was open and joined within ${READY_MS} ms of a quiet link before the crash: ${clients
            .filter((c) => !joinedEverywhere(c))
            .map((c) => `${c.userId} ${c.selectors.selectConnectionState(c.state())}`)
            .join(', ')}`,
        )
      }
      const old = server as RealtimeServer
      server = undefined
      // A crash, not a shutdown: every link dies at once with no close frame (1006), then the
      // process and its in-memory history are gone.
      proxy?.cutAll()
      relay?.cutAll()
      await old.close()
      await sleep(300 + Math.floor(random() * 500))
      server = await startServer(port)
      restarts += 1
      faults.resume()
    }

    // Send: each user's i-th message goes to room i % 3, paced evenly over SEND_MS.
    const sentByRoom = new Map<string, SentMessage[]>(ROOMS.map((room) => [room, []]))
    const sentBy: Record<string, number> = {}
    let sent = 0
    let crash: Promise<void> | undefined
    const sendStart = Date.now()
    while (sent < TOTAL && Date.now() - sendStart < SEND_MS * 2) {
      const due = Math.min(TOTAL, Math.ceil(((Date.now() - sendStart) / SEND_MS) * TOTAL))
      for (; sent < due; sent++) {
        const client = clients[sent % USERS.length] as SoakClient
        const index = Math.floor(sent / USERS.length)
        const room = ROOMS[index % ROOMS.length] as string
        const action = client.store.dispatch(
          client.actions.sendChatMessage({ room, content: `${client.userId} #${index}` }),
        )
        sentByRoom.get(room)?.push({ id: action.payload.id, author: client.userId })
        sentBy[client.userId] = (sentBy[client.userId] ?? 0) + 1
      }
      if (!crash && sent >= TOTAL / 2) crash = crashAndRestart()
      await sleep(20)
    }
    const sendMs = Date.now() - sendStart
    await crash
    await sleep(Math.max(0, sendStart + NETWORK.durationMs - Date.now()))
    await faults.stop()

    // The link is healthy now (the relay still duplicates and replays): wait for convergence.
    const settleStart = Date.now()
    const converged = await waitUntil(
      () => clients.every((c) => hasEverything(c, sentByRoom)),
      SETTLE_MS,
      250,
    )
    const settleMs = Date.now() - settleStart
    // Late stale copies still in flight get their chance to do harm before the checks.
    await sleep(1000)

    const violations = checkConvergence(clients, sentByRoom)
    const relayStats = relay.stats()
    const proxyStats = proxy.stats()
    const lines = [
      `soak seed ${SEED}`,
      `messages sent: ${sent} (${USERS.map((u) => `${u} ${sentBy[u] ?? 0}`).join(', ')}) over ${ROOMS.length} rooms in ${sendMs} ms`,
      ...clients.map((c) => {
        const state = c.state()
        const inState = ROOMS.reduce(
          (n, r) => n + c.selectors.selectMessagesByRoom(state, r).length,
          0,
        )
        const handed = [...dispatchedMessages(c).values()].reduce((n, l) => n + l.length, 0)
        const closes = tally(
          ofType(c, 'realtime/connection/closed').map((a) => (a.payload as { code: number }).code),
        )
        const errors = tally(
          ofType(c, 'realtime/connection/errorsReceived').flatMap((a) =>
            (a.payload as { errors: Array<{ code: string }> }).errors.map((e) => e.code),
          ),
        )
        const metrics = c.selectors.selectPerformanceMetrics(state)
        return `${c.userId}${c.browserLike ? ' (browser-like delivery)' : ''}: ${inState} messages in state, ${handed} ids in ${ofType(c, 'realtime/chat/messagesReceived').length} messagesReceived actions, ${c.selectors.selectPendingMessages(state).length} pending, state ${c.selectors.selectConnectionState(state)}, ${metrics.reconnectionCount} reconnections, closes ${JSON.stringify(closes)}, errors ${JSON.stringify(errors)}`
      }),
      `network: ${faults.counts.cuts} cuts, ${faults.counts.blackholes} blackholes (${faults.counts.blackholeMs} ms in all), ${faults.counts.slicingWindows} slicing windows (${proxyStats.slicedWrites} writes of 1-16 bytes, ${proxyStats.slicedBytes} bytes), ${proxyStats.accepted} TCP connections`,
      `relay: ${relayStats.connections} connections, ${relayStats.refused} refused while the server was down`,
      relayLine('relay server→client', relayStats.toClient),
      relayLine('relay client→server', relayStats.toServer),
      `server restarts: ${restarts}; server log lines: ${logged.length}`,
      `converged: ${converged} after ${settleMs} ms of settling; wall time ${Date.now() - wallStart} ms`,
      ...notes.map((n) => `note: ${n}`),
      `violations: ${violations.length}`,
      ...violations.map(
        (v) =>
          `  ✗ ${v.invariant} — ${v.client}${v.room ? ` in ${v.room}` : ''}: ${v.count}\n      ${v.examples.join('\n      ')}`,
      ),
    ]
    if (violations.length > 0) {
      // The full action logs, one action per line (`#n` in the examples is the line number - 1).
      const dir = join(tmpdir(), `redux-realtime-soak-${SEED}`)
      mkdirSync(dir, { recursive: true })
      for (const c of clients) {
        const text = c.dispatched.map((a) => JSON.stringify(a)).join('\n')
        writeFileSync(join(dir, `${c.userId}.actions.jsonl`), `${text}\n`)
      }
      lines.push(`action logs: ${dir}/<user>.actions.jsonl`)
    }
    console.log(lines.join('\n'))

    expect(sent).toBe(TOTAL)
    expect(restarts).toBe(1)
    expect(notes).toEqual([])
    expect(violations).toEqual([])
    expect(converged).toBe(true)
  })
})
