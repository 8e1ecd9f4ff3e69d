/**
 * Collaborative editing (issue 11) against the reference server (its own process, documents in
 * the default memory store, rate limit off): CLIENTS stores of the package with
 * `createCollab()`, browser-like delivery, RTK checks off, each typing EDITS_PER_SECOND edits/s
 * (inserts of 1-4 characters at a random place, through `editText`) into one document for
 * DURATION_MS. All clients are in this process, so one clock times an edit from its dispatch
 * to the moment each peer's `Y.Doc` holds it (its author's clock in the peer's state vector).
 *
 * Wire bytes per edit: every `doc_update` frame the clients sent (local updates waiting for the
 * flow control are merged into one frame), as JSON text with the update in base64, which the
 * design picked, against a binary WebSocket frame of the same Yjs update with a 1-byte type
 * tag; both with the WebSocket header of a masked client frame.
 */
import { configureStore } from '@reduxjs/toolkit'
import * as Y from 'yjs'
import { createRealtime } from '../../src'
import { createCollab } from '../../src/collab'
import { decodeBase64, encodeFrame, type Frame } from '../../src/protocol'
import { utf8Length } from '../../src/protocol/validate'
import { signDevToken } from '../../src/server'
import { BENCH_SECRET, startBenchServer } from './benchServer'
import { BrowserLikeWebSocket } from './clients'
import { percentile, sleep, within, type BenchRow } from './rows'
import { collabSizeRows } from './sizes'

const CLIENTS = 3
const EDITS_PER_SECOND = 100
const DURATION_MS = 5000
const DOC = 'bench-collab'
const WAIT_MS = 30_000
const QUIET = { debug() {}, warn() {}, error() {} }

/** The header of a masked (client → server) WebSocket frame carrying `length` bytes. */
const headerBytes = (length: number) => 2 + 4 + (length < 126 ? 0 : length < 65536 ? 2 : 8)

interface Sent {
  /** The author's clock once this edit is in (Yjs counts one per inserted character). */
  clock: number
  at: number
}

interface Wire {
  frames: number
  json: number
  /** Of `json`: the base64 of the updates. */
  base64: number
  binary: number
}

async function collabClient(url: string, user: string, wire: Wire) {
  const realtime = createRealtime({
    url,
    WebSocket: BrowserLikeWebSocket,
    authToken: await signDevToken(BENCH_SECRET, user),
    networkEvents: null,
    autoReconnect: false,
    logger: QUIET,
    plugins: [createCollab({ textThrottleMs: 100 })],
  })
  const store = configureStore({
    reducer: { [realtime.reducerPath]: realtime.reducer },
    middleware: (getDefault) =>
      getDefault({ serializableCheck: false, immutableCheck: false }).prepend(realtime.middleware),
    devTools: false,
  })
  const count = (frame: Frame) => {
    if (frame.type === 'batch') return frame.data.frames.forEach(count)
    if (frame.type !== 'doc_update') return
    const json = utf8Length(encodeFrame(frame))
    const update = decodeBase64(frame.data.update)?.length ?? 0
    wire.frames += 1
    wire.json += headerBytes(json) + json
    wire.base64 += frame.data.update.length
    wire.binary += headerBytes(1 + update) + 1 + update
  }
  realtime.inspector.subscribe((entry) => {
    if (entry.direction === 'out' && 'frame' in entry) count(entry.frame)
  })
  await store.dispatch(realtime.actions.connect()).unwrap()
  store.dispatch(realtime.actions.openDocument(DOC))
  const synced = new Promise<void>((resolve) => {
    const check = () => {
      if (realtime.selectors.selectDocument(store.getState(), DOC)?.status !== 'synced') return
      unsubscribe()
      resolve()
    }
    const unsubscribe = store.subscribe(check)
    check()
  })
  await within(synced, WAIT_MS, `${user} syncing ${DOC}`)
  const ydoc = realtime.documents.get(DOC)
  if (!ydoc) throw new Error(`bench: ${DOC} is not open for ${user}`)
  const sent: Sent[] = []
  return {
    user,
    ydoc,
    sent,
    edit(random: () => number) {
      const length = ydoc.getText('content').length
      const insert = 'abcd'.slice(0, 1 + Math.floor(random() * 4))
      store.dispatch(
        realtime.actions.editText({
          docId: DOC,
          index: Math.floor(random() * (length + 1)),
          deleteCount: 0,
          insert,
        }),
      )
      sent.push({ clock: Y.getState(ydoc.store, ydoc.clientID), at: performance.now() })
    },
    unsynced: () => realtime.selectors.selectDocument(store.getState(), DOC)?.unsyncedChanges,
    close: () => store.dispatch(realtime.actions.disconnect()),
  }
}

type Client = Awaited<ReturnType<typeof collabClient>>

/** mulberry32: the same edits every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Each peer's latency for each author's edits: when its doc first holds the author's clock. */
function watchPeers(clients: readonly Client[], latencies: number[]): () => boolean {
  const seen = new Map<string, number>()
  const key = (peer: Client, author: Client) => `${peer.user}←${author.user}`
  const advance = (peer: Client) => {
    const now = performance.now()
    for (const author of clients) {
      if (author === peer) continue
      const state = Y.getState(peer.ydoc.store, author.ydoc.clientID)
      let next = seen.get(key(peer, author)) ?? 0
      while (next < author.sent.length && (author.sent[next] as Sent).clock <= state) {
        latencies.push(now - (author.sent[next] as Sent).at)
        next++
      }
      seen.set(key(peer, author), next)
    }
  }
  for (const peer of clients) peer.ydoc.on('update', () => advance(peer))
  return () =>
    clients.every((peer) =>
      clients.every(
        (author) => author === peer || seen.get(key(peer, author)) === author.sent.length,
      ),
    )
}

async function runCollab(url: string) {
  const wire: Wire = { frames: 0, json: 0, base64: 0, binary: 0 }
  const clients: Client[] = []
  for (let i = 0; i < CLIENTS; i++) clients.push(await collabClient(url, `writer${i}`, wire))
  const latencies: number[] = []
  const allSeen = watchPeers(clients, latencies)
  const randoms = clients.map((_, i) => seeded(11 + i))
  const started = performance.now()
  const done = clients.map(() => 0)
  const total = Math.round((EDITS_PER_SECOND * DURATION_MS) / 1000)
  // Paced per client: as many edits as are due since the start, so timer drift keeps the rate.
  while (done.some((n) => n < total)) {
    const due = Math.min(
      total,
      Math.ceil(((performance.now() - started) * EDITS_PER_SECOND) / 1000),
    )
    clients.forEach((client, i) => {
      while ((done[i] as number) < due) {
        client.edit(randoms[i] as () => number)
        done[i] = (done[i] as number) + 1
      }
    })
    await sleep(5)
  }
  const typedFor = performance.now() - started
  const converged = (async () => {
    // Bounded by `within`: every peer holds every edit, and every edit was acked.
    while (!allSeen() || clients.some((c) => c.unsynced() !== 0)) await sleep(20)
  })()
  await within(converged, WAIT_MS, 'every peer seeing every edit')
  const texts = new Set(clients.map((c) => c.ydoc.getText('content').toJSON()))
  for (const client of clients) client.close()
  const edits = clients.reduce((sum, c) => sum + c.sent.length, 0)
  return {
    latencies: latencies.sort((a, b) => a - b),
    wire,
    edits,
    rate: (edits / typedFor) * 1000,
    identical: texts.size === 1,
    length: clients[0]?.ydoc.getText('content').length ?? 0,
  }
}

export async function collabRows(): Promise<BenchRow[]> {
  const server = await startBenchServer('reference')
  let result: Awaited<ReturnType<typeof runCollab>>
  try {
    result = await runCollab(server.url)
  } finally {
    await server.close()
  }
  const { latencies, wire, edits } = result
  const setup = `${CLIENTS} clients × ${EDITS_PER_SECOND} edits/s for ${DURATION_MS / 1000} s (${edits} edits, ${result.rate.toFixed(0)}/s in all), reference server, browser-like, RTK checks off`
  const latencyNote = `${latencies.length} (peer, edit) pairs; from editText to the peer's Y.Doc holding it; ${setup}; ${result.identical ? `all ${CLIENTS} texts identical (${result.length} chars)` : 'TEXTS DIFFER'}`
  const bytesNote = `${wire.frames} doc_update frames for ${edits} edits (${(edits / wire.frames).toFixed(2)} edits per frame, merged while waiting), WebSocket header included`
  const jsonPerEdit = wire.json / edits
  const binaryPerEdit = wire.binary / edits
  return [
    {
      name: 'collab: edit → peer sees it, p50',
      value: percentile(latencies, 0.5),
      unit: 'ms',
      note: latencyNote,
    },
    {
      name: 'collab: edit → peer sees it, p99',
      value: percentile(latencies, 0.99),
      unit: 'ms',
      note: latencyNote,
    },
    {
      name: 'collab: wire bytes per edit sent, JSON frame with base64 update (as sent)',
      value: jsonPerEdit,
      unit: 'B',
      baseline: binaryPerEdit,
      ratio: jsonPerEdit / binaryPerEdit,
      note: `${bytesNote}; of it ${(wire.base64 / edits).toFixed(1)} B the base64 update (4/3 of the bytes), the rest the JSON envelope (id for the ack, type, timestamp, doc); baseline the binary frame below`,
    },
    {
      name: 'collab: wire bytes per edit sent, binary frame of the same update (not used)',
      value: binaryPerEdit,
      unit: 'B',
      note: `raw Yjs update + 1-byte type tag; a multiplexed binary protocol would also carry the doc id (+${1 + DOC.length} B here)`,
    },
    ...(await collabSizeRows()),
  ]
}
