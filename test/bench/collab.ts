/**
 * Collaborative editing rows (issue 11): 3 clients each typing 100 edits/s into one document on
 * the reference server (in this process, loopback) — how long until the other two see an edit
 * (p50/p99 over every edit × peer), and the bytes on the wire per edit, as sent (base64 in a
 * JSON `doc_update` frame) and as a raw Yjs update with a 1-byte tag would be; gzip sizes of
 * the `collab` entry with yjs external and bundled.
 *
 * Run alone: `npx tsx test/bench/collab.ts` (prints the rows).
 */
import { gzipSync } from 'node:zlib'
import { fileURLToPath } from 'node:url'
import type * as Y from 'yjs'
import { decodeBase64 } from '../../src/protocol/docFrames'
import { encodeFrame } from '../../src/protocol/codec'
import { createRealtimeServer, type RealtimeServerOptions } from '../../src/server'
import { createCollabPeer, type CollabPeer } from '../support/collabPeer'
import { TEST_SECRET } from '../support/tokens'
import { percentile, sleep, type BenchRow } from './rows'

const CLIENTS = 3
const EDITS_PER_SECOND = 100
const SECONDS = 3
const DOC = 'bench-doc'
const MARK = /\u27e8(\d+)\.(\d+)\u27e9/g

interface Typing {
  converged: boolean
  latencies: number[]
  edits: number
  frames: number
  jsonBytes: number
  rawBytes: number
  missing: number
}

async function typeTogether(options: Partial<RealtimeServerOptions>): Promise<Typing> {
  const server = await createRealtimeServer({
    port: 0,
    host: '127.0.0.1',
    jwt: { secret: TEST_SECRET },
    logger: { warn: () => {}, error: () => {} },
    ...options,
  })
  const peers: CollabPeer[] = []
  /** When each edit (`client.n`) was dispatched, and when each other peer saw it. */
  const sentAt = new Map<string, number>()
  const latencies: number[] = []
  const seen = new Map<string, number>()
  let frames = 0
  let jsonBytes = 0
  let rawBytes = 0
  try {
    for (let c = 0; c < CLIENTS; c++) {
      const peer = await createCollabPeer(server.url, `typist-${c}`, {}, { textThrottleMs: 100 })
      peers.push(peer)
      peer.realtime.inspector.subscribe((record) => {
        if (record.direction !== 'out' || !('frame' in record)) return
        const { frame } = record
        if (frame.type !== 'doc_update' && !(frame.type === 'doc_sync' && frame.data.step === 2))
          return
        frames++
        jsonBytes += Buffer.byteLength(encodeFrame(frame))
        rawBytes += (decodeBase64(frame.data.update)?.length ?? 0) + 1
      })
      peer.store.dispatch(peer.actions.connect())
      peer.store.dispatch(peer.actions.openDocument(DOC))
      await peer.waitForStatus(DOC, 'synced', 10_000)
    }
    for (const [c, peer] of peers.entries()) {
      const text = peer.realtime.documents.get(DOC)?.getText('content') as Y.Text
      text.observe((event) => {
        if (event.transaction.local) return
        const now = performance.now()
        for (const op of event.delta) {
          if (typeof op.insert !== 'string') continue
          for (const match of op.insert.matchAll(MARK)) {
            const key = `${match[1]}.${match[2]}`
            const at = sentAt.get(key)
            if (at === undefined || seen.has(`${key}>${c}`)) continue
            seen.set(`${key}>${c}`, now)
            latencies.push(now - at)
          }
        }
      })
    }
    const total = EDITS_PER_SECOND * SECONDS
    const started = performance.now()
    for (let n = 0; n < total; n++) {
      // Every 10 ms each client inserts a marker at the start or the end (never inside another
      // marker, which would hide both from the parser when they arrive in one change).
      for (const [c, peer] of peers.entries()) {
        const length = peer.liveText(DOC)?.length ?? 0
        const key = `${c}.${n}`
        sentAt.set(key, performance.now())
        peer.store.dispatch(
          peer.actions.editText({
            docId: DOC,
            index: Math.random() < 0.5 ? 0 : length,
            deleteCount: 0,
            insert: `\u27e8${key}\u27e9`,
          }),
        )
      }
      const next = started + ((n + 1) * 1000) / EDITS_PER_SECOND
      await sleep(Math.max(0, next - performance.now()))
    }
    // Until every edit reached both other peers (bounded).
    for (let waited = 0; waited < 20_000 && seen.size < total * CLIENTS * (CLIENTS - 1);) {
      await sleep(50)
      waited += 50
    }
    const texts = new Set(peers.map((peer) => peer.liveText(DOC)))
    return {
      converged: texts.size === 1,
      latencies: latencies.sort((a, b) => a - b),
      edits: total * CLIENTS,
      frames,
      jsonBytes,
      rawBytes,
      missing: total * CLIENTS * (CLIENTS - 1) - seen.size,
    }
  } finally {
    for (const peer of peers) peer.dispose()
    await server.close()
  }
}

const root = fileURLToPath(new URL('../..', import.meta.url))
const PEERS = ['@reduxjs/toolkit', 'react', 'react-dom', 'react-redux', 'jose', 'ws']

async function gzipKiB(contents: string, external: readonly string[]): Promise<number> {
  const { build } = await import('esbuild')
  const result = await build({
    stdin: { contents, resolveDir: root, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    external: [...PEERS, ...external],
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  })
  return gzipSync(result.outputFiles[0]?.contents ?? new Uint8Array(), { level: 9 }).length / 1024
}

export async function collabRows(): Promise<BenchRow[]> {
  const rows: BenchRow[] = []
  for (const [label, options] of [
    ['no rate limit', { rateLimit: false }],
    ["the server's default rate limit (100 frames / 10 s)", {}],
  ] as const) {
    const run = await typeTogether(options)
    const note = `${CLIENTS} clients × ${EDITS_PER_SECOND} edits/s for ${SECONDS} s, ${label}; ${run.latencies.length} edit × peer deliveries${run.missing > 0 ? `, ${run.missing} not seen within 20 s` : ''}${run.converged ? '' : ', TEXTS DIFFER'}; ${run.frames} update frames for ${run.edits} edits`
    rows.push(
      {
        name: `collab: edit seen by a peer, p50 (${label})`,
        value: percentile(run.latencies, 0.5),
        unit: 'ms',
        note,
      },
      {
        name: `collab: edit seen by a peer, p99 (${label})`,
        value: percentile(run.latencies, 0.99),
        unit: 'ms',
        note,
      },
      {
        name: `collab: wire bytes per edit, base64 JSON frame vs raw Yjs + 1-byte tag (${label})`,
        value: run.jsonBytes / run.edits,
        unit: 'B',
        baseline: run.rawBytes / run.edits,
        ratio: run.jsonBytes / run.rawBytes,
        note: 'client → server doc_update frames (merged while paced); baseline the same updates as binary frames',
      },
    )
  }
  const entry = `export { createCollab, useCollaborativeText } from './src/collab'`
  const without = await gzipKiB(entry, ['yjs', 'y-protocols', 'y-protocols/awareness'])
  const withYjs = await gzipKiB(entry, [])
  const note = 'min+gzip of the collab entry (with the core code it uses), peers external'
  rows.push(
    {
      name: 'gzip size, collab entry, yjs and y-protocols external',
      value: without,
      unit: 'KiB',
      note,
    },
    {
      name: 'gzip size, collab entry, yjs and y-protocols bundled',
      value: withYjs,
      unit: 'KiB',
      note,
    },
  )
  return rows
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  collabRows()
    .then((rows) => {
      for (const row of rows) console.log(JSON.stringify(row))
      process.exit(0)
    })
    .catch((error: unknown) => {
      console.error(error)
      process.exit(1)
    })
}
