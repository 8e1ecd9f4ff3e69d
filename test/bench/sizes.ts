/**
 * Sizes: the size-limit checks `npm test` enforces (`.size-limit.mjs`: min+gzip of the built
 * `dist` as an app's production build bundles it — esbuild, ESM for the browser, NODE_ENV
 * "production", the peerDependencies external, the dependency idb-keyval bundled, a dynamic
 * import its own chunk), read from `size-limit --json`, so the
 * bench and the budget never disagree. The package's own code and the peers socket.io-client
 * (`io`) and phoenix (`Socket`) are measured the same way (`sizes.size-limit.mjs`). Builds
 * `dist` first.
 */
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { BenchRow } from './rows'

const root = fileURLToPath(new URL('../..', import.meta.url))
const bin = (name: string) => `${root}node_modules/.bin/${name}`

interface SizeLimitResult {
  name: string
  size?: number
  sizeLimit?: number
  error?: string
}

/** `size-limit --json` (with `config`, or the project's .size-limit.mjs): KiB by check name. */
function sizeLimit(config?: string): Map<string, { kib: number; limit?: number }> {
  const args = ['--json', ...(config ? ['--config', config] : [])]
  const run = spawnSync(bin('size-limit'), args, { cwd: root, encoding: 'utf8' })
  // Exits 1 when a check is over its limit; the JSON is complete anyway.
  const parsed = JSON.parse(run.stdout) as SizeLimitResult[] | { error: string }
  if (!Array.isArray(parsed)) throw new Error(`size-limit failed: ${parsed.error.split('\n')[0]}`)
  return new Map(
    parsed.map((check) => [
      check.name,
      {
        kib: (check.size ?? NaN) / 1024,
        ...(check.sizeLimit !== undefined ? { limit: check.sizeLimit / 1024 } : {}),
      },
    ]),
  )
}

export function sizeRows(): Promise<BenchRow[]> {
  const build = spawnSync(bin('tsup'), [], { cwd: root, encoding: 'utf8' })
  if (build.status !== 0) throw new Error(`tsup failed: ${build.stderr.slice(-500)}`)
  const budget = sizeLimit()
  const extra = sizeLimit('test/bench/sizes.size-limit.mjs')
  const kib = (checks: typeof budget, name: string) => checks.get(name)?.kib ?? NaN
  const limitNote = (name: string) => {
    const limit = budget.get(name)?.limit
    return limit !== undefined ? `; size-limit ${limit.toFixed(2)} KiB` : ''
  }
  const alone = kib(budget, 'createRealtime alone')
  const withReact = kib(budget, 'createRealtime + the react entry')
  const io = extra.get('socket.io-client')?.kib
  const ratioTo = (value: number) => (io !== undefined ? { baseline: io, ratio: value / io } : {})
  const note = 'min+gzip of dist (size-limit), peers external, dependencies bundled'
  const rows: BenchRow[] = [
    {
      name: 'gzip size, createRealtime alone',
      value: alone,
      unit: 'KiB',
      ...ratioTo(alone),
      note: `${note}; baseline socket.io-client io${limitNote('createRealtime alone')}`,
    },
    {
      name: 'gzip size, reconnecting-websocket (part of createRealtime alone)',
      value: kib(extra, 'reconnecting-websocket, as dist bundles it'),
      unit: 'KiB',
      note: 'reconnecting-websocket 4.4.0 compiled from the TypeScript source it ships, as dist bundles it (tsup.config.ts)',
    },
    {
      name: 'gzip size, react entry on top of createRealtime',
      value: withReact - alone,
      unit: 'KiB',
      note: `createRealtime + the whole react entry: ${withReact.toFixed(2)} KiB${limitNote('createRealtime + the react entry')}`,
    },
    {
      name: 'gzip size, dev panel (its own chunk, loaded when enabled)',
      value: kib(budget, 'dev panel, loaded when RealtimeDevTools is enabled'),
      unit: 'KiB',
      note: `RealtimeDevTools' lazy chunk${limitNote('dev panel, loaded when RealtimeDevTools is enabled')}`,
    },
  ]
  for (const peer of ['socket.io-client', 'phoenix']) {
    const size = extra.get(peer)?.kib
    rows.push(
      size !== undefined
        ? { name: `gzip size, ${peer} (peer)`, value: size, unit: 'KiB' }
        : { name: `gzip size, ${peer} (peer)`, value: NaN, unit: 'KiB', note: 'not installed' },
    )
  }
  return Promise.resolve(rows)
}

/**
 * The collab entry (issue 11) on top of createRealtime and the React entry (its hook uses the
 * React entry's context), measured as the budget is (`sizes.size-limit.mjs`): its own code with
 * yjs and y-protocols external (they are peers), and with them bundled, as an app ships them.
 * Run after `sizeRows`, which builds `dist`.
 */
export function collabSizeRows(): Promise<BenchRow[]> {
  const without = sizeLimit().get('createRealtime + the react entry')?.kib ?? NaN
  const extra = sizeLimit('test/bench/sizes.size-limit.mjs')
  const note = `min+gzip of dist (size-limit) on top of createRealtime + the react entry (${without.toFixed(1)} KiB)`
  const row = (name: string, check: string): BenchRow => {
    const all = extra.get(check)?.kib ?? NaN
    return {
      name,
      value: all - without,
      unit: 'KiB',
      note: `${note}; all three: ${all.toFixed(1)} KiB`,
    }
  }
  return Promise.resolve([
    row(
      'gzip size, collab entry, yjs and y-protocols external',
      'collab, yjs and y-protocols external',
    ),
    row(
      'gzip size, collab entry with yjs and y-protocols included',
      'collab, yjs and y-protocols included',
    ),
  ])
}
