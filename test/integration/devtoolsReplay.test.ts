import type { UnknownAction } from '@reduxjs/toolkit'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import * as commands from '../../slices/commands'
import { createRealtimeServer, type RealtimeServer } from '../../src/server'
import { createFrameRelay, type FrameRelay } from '../support/frameRelay'
import { createTestClient, type TestClient } from '../support/realtimeClient'
import { sleep } from '../support/realtimeWorld'
import { TEST_SECRET } from '../support/tokens'

/**
 * Redux DevTools can re-dispatch any past action (Dispatch, an imported log). A past-tense
 * event from outside may only reduce state: no frame, no timer, no transport change. Each
 * client talks to the real server through its own frame relay (no faults), so the frames the
 * server received from it are counted on the wire as well as through the frame inspector.
 */

const ROOM = 'replay'
const HEARTBEAT_MS = 200
/** Long enough for several heartbeat pings: a timer started by a replay would show here. */
const WINDOW_MS = 5 * HEARTBEAT_MS
const CONFIG = {
  heartbeatInterval: HEARTBEAT_MS,
  heartbeatTimeout: 2000,
  reconnectInterval: 20,
  maxReconnectDelay: 100,
}

/** The command creators' types: everything else under realtime/ is an event. */
const COMMAND_TYPES = new Set<string>(
  Object.values(commands)
    .filter(
      (value): value is typeof commands.connect => typeof value === 'function' && 'type' in value,
    )
    .map((creator) => creator.type),
)
const isEvent = (action: UnknownAction) =>
  action.type.startsWith('realtime/') && !COMMAND_TYPES.has(action.type)

/** As an imported DevTools log has them: fresh plain objects. */
const asImported = (action: UnknownAction): UnknownAction =>
  JSON.parse(JSON.stringify(action)) as UnknownAction

interface Peer {
  client: TestClient
  relay: FrameRelay
  /** Frame types the middleware sent (inspector) and the server received (relay), in order. */
  out: string[]
  atServer: string[]
}

let server: RealtimeServer
const peers: Peer[] = []

beforeEach(async () => {
  server = await createRealtimeServer({
    port: 0,
    host: '127.0.0.1',
    jwt: { secret: TEST_SECRET },
    rateLimit: false,
  })
})

afterEach(async () => {
  for (const { client, relay } of peers.splice(0)) {
    client.dispose()
    await relay.close()
  }
  await server.close()
})

async function peer(userId: string): Promise<Peer> {
  const relay = await createFrameRelay({ target: server.url, seed: 1 })
  const client = await createTestClient(relay.url, userId, CONFIG)
  const entry: Peer = { client, relay, out: [], atServer: [] }
  client.realtime.inspector.subscribe((frame) => {
    if (frame.direction === 'out' && 'frame' in frame) entry.out.push(frame.frame.type)
  })
  relay.onMessage(({ direction, text, injected }) => {
    if (direction === 'toServer' && !injected) entry.atServer.push(JSON.parse(text).type)
  })
  peers.push(entry)
  client.store.dispatch(client.actions.connect())
  client.store.dispatch(client.actions.joinRoom(ROOM))
  await client.waitForRoom(ROOM)
  return entry
}

const confirmed = (client: TestClient) => client.messages(ROOM).filter((m) => m.seq !== undefined)

async function send(from: TestClient, content: string): Promise<string> {
  const action = from.store.dispatch(from.actions.sendChatMessage({ room: ROOM, content }))
  await from.waitFor(
    (s) =>
      from.selectors
        .selectMessagesByRoom(s, ROOM)
        .some((m) => m.id === action.payload.id && m.status === 'sent') &&
      from.selectors.selectPendingMessages(s).length === 0,
    5000,
    `ack of "${content}"`,
  )
  return action.payload.id
}

/** How many times `id` reached reducers in `messagesReceived` dispatched by the middleware. */
function timesDispatched(client: TestClient, id: string, replayed: ReadonlySet<object>): number {
  return client.dispatched
    .filter((a) => a.type === 'realtime/chat/messagesReceived' && !replayed.has(a))
    .flatMap((a) => (a.payload as { messages: Array<{ id: string }> }).messages)
    .filter((m) => m.id === id).length
}

/** What one peer did during `run`: frames sent and received by the server, and its own actions. */
async function observe(p: Peer, run: () => Promise<void> | void, replayed: ReadonlySet<object>) {
  const outFrom = p.out.length
  const serverFrom = p.atServer.length
  const actionsFrom = p.client.dispatched.length
  const connections = p.relay.stats().connections
  await run()
  await sleep(WINDOW_MS)
  const own = p.client.dispatched.slice(actionsFrom).filter((a) => !replayed.has(a))
  return {
    out: p.out.slice(outFrom),
    atServer: p.atServer.slice(serverFrom),
    ownActions: [...new Set(own.map((a) => a.type))],
    newConnections: p.relay.stats().connections - connections,
    stillOpen: p.relay.connections().at(-1)?.open === true,
  }
}

const notPing = (types: string[]) => types.filter((t) => t !== 'ping')
const pings = (types: string[]) => types.filter((t) => t === 'ping').length

/** A session worth replaying: sends, receives, a cut, the reconnect and the rejoin. */
async function recordSession() {
  const alice = await peer('alice')
  const bob = await peer('bob')
  for (let i = 0; i < 3; i++) await send(alice.client, `alice ${i}`)
  for (let i = 0; i < 2; i++) await send(bob.client, `bob ${i}`)
  await alice.client.waitFor(
    (s) => alice.client.selectors.selectMessagesByRoom(s, ROOM).length === 5,
  )

  alice.relay.cutAll()
  await alice.client.waitFor(
    (s) =>
      alice.client.dispatched.some((a) => a.type === 'realtime/connection/closed') &&
      alice.client.selectors.selectIsConnected(s) &&
      alice.client.selectors.selectRooms(s).includes(ROOM),
    10_000,
    'reconnect and rejoin after the cut',
  )
  await send(alice.client, 'alice after the cut')
  await bob.client.waitFor((s) => bob.client.selectors.selectMessagesByRoom(s, ROOM).length === 6)

  const log = alice.client.dispatched.filter(isEvent).map(asImported)
  const types = new Set(log.map((a) => a.type))
  for (const type of [
    'realtime/connection/connecting',
    'realtime/connection/socketOpened',
    'realtime/connection/opened',
    'realtime/connection/closed',
    'realtime/rooms/joined',
    'realtime/outbox/enqueued',
    'realtime/outbox/acked',
    'realtime/chat/messagesReceived',
  ]) {
    expect(types, `the recorded log has ${type}`).toContain(type)
  }
  return { alice, bob, log }
}

describe('replaying a recorded DevTools log into live stores', () => {
  it('sends no frame, starts no timer and changes no connection, and the connection keeps working', async () => {
    const { alice, bob, log } = await recordSession()
    const replayed = new Set<object>()
    const replayInto = (p: Peer) => () => {
      for (const action of log) {
        const copy = asImported(action)
        replayed.add(copy)
        p.client.store.dispatch(copy)
      }
    }

    for (const target of [alice, bob]) {
      const control = await observe(target, () => {}, replayed)
      const replay = await observe(target, replayInto(target), replayed)
      const who = `${target.client.userId} replaying ${log.length} events`
      expect(notPing(control.out), 'control window').toEqual([])
      expect(notPing(replay.out), `${who}: frames sent`).toEqual([])
      expect(notPing(replay.atServer), `${who}: frames the server received`).toEqual([])
      // Heartbeat pings go on as before, no more: a replay started no second timer.
      expect(pings(replay.out), `${who}: pings vs control`).toBeLessThanOrEqual(
        pings(control.out) + 1,
      )
      expect(
        replay.ownActions.filter((t) => !control.ownActions.includes(t)),
        `${who}: actions of its own`,
      ).toEqual([])
      expect(replay.newConnections, `${who}: new connections`).toBe(0)
      expect(replay.stillOpen, `${who}: socket still open`).toBe(true)
    }

    // Both connections still work: each new message is acked and reaches the other once.
    const fromAlice = await send(alice.client, 'after the replay (alice)')
    const fromBob = await send(bob.client, 'after the replay (bob)')
    await bob.client.waitFor((s) =>
      bob.client.selectors.selectMessagesByRoom(s, ROOM).some((m) => m.id === fromAlice),
    )
    await alice.client.waitFor((s) =>
      alice.client.selectors.selectMessagesByRoom(s, ROOM).some((m) => m.id === fromBob),
    )
    await sleep(WINDOW_MS)
    for (const [client, id] of [
      [alice.client, fromAlice],
      [alice.client, fromBob],
      [bob.client, fromAlice],
      [bob.client, fromBob],
    ] as const) {
      expect(
        confirmed(client).filter((m) => m.id === id),
        `${id} in ${client.userId}'s state`,
      ).toHaveLength(1)
      expect(timesDispatched(client, id, replayed), `${id} dispatched to ${client.userId}`).toBe(1)
    }
    expect(alice.client.messages(ROOM).find((m) => m.id === fromAlice)?.status).toBe('sent')
    expect(bob.client.messages(ROOM).find((m) => m.id === fromBob)?.status).toBe('sent')
  })

  it('a re-dispatched socketOpened sends no second auth', async () => {
    const { alice, log } = await recordSession()
    const socketOpened = log.find((a) => a.type === 'realtime/connection/socketOpened')
    expect(socketOpened).toBeDefined()
    const replayed = new Set<object>()
    const control = await observe(alice, () => {}, replayed)
    const replay = await observe(
      alice,
      () => {
        const copy = asImported(socketOpened as UnknownAction)
        replayed.add(copy)
        alice.client.store.dispatch(copy)
      },
      replayed,
    )
    expect(replay.out.filter((t) => t === 'auth')).toEqual([])
    expect(replay.atServer.filter((t) => t === 'auth')).toEqual([])
    expect(notPing(replay.out)).toEqual(notPing(control.out))
    expect(replay.newConnections).toBe(0)
  })

  it('a re-dispatched closed on a live socket does not stop messages: one sent right after is acked and delivered', async () => {
    const { alice, bob, log } = await recordSession()
    const closed = log.find((a) => a.type === 'realtime/connection/closed')
    expect(closed).toMatchObject({ payload: { willReconnect: true } })
    const connections = alice.relay.stats().connections
    alice.client.store.dispatch(asImported(closed as UnknownAction))

    const id = await send(alice.client, 'right after a replayed close')
    await bob.client.waitFor((s) =>
      bob.client.selectors.selectMessagesByRoom(s, ROOM).some((m) => m.id === id),
    )
    expect(alice.relay.stats().connections).toBe(connections)
    expect(alice.relay.connections().at(-1)?.open).toBe(true)
  })
})
