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
import { readFileSync } from 'node:fs'
import { relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'
import { production } from '../../.size-limit.mjs'
import { gzipShare } from '../../scripts/bundleSources.mjs'
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

/**
 * Where createRealtime's bytes go, by concern (source files of the repository): what each
 * group's code adds to the gzip of the bundle (what leaving it out would save; the shares do
 * not add up to the whole, gzip finds repeats across them). The last row is the machinery of
 * the guarantees (issues 7 and 8) together: hostile-input validation, the transport, the outbox
 * and the streams. Bundled as size-limit bundles the budget (its esbuild options, the
 * `production` config of .size-limit.mjs, peers external), with a source map to attribute the
 * code. Run after `sizeRows`, which builds `dist`.
 */
const SHARES: readonly [concern: string, sources: RegExp][] = [
  ['protocol: codec and validation of every frame', /^src\/protocol\//],
  [
    'transport: reconnecting-websocket and its wrapper',
    /reconnecting-websocket\/|^middleware\/transport\.ts$/,
  ],
  [
    'outbox: queue, flow control, persistence',
    /^middleware\/(outbox|storage|flow)|^slices\/outboxSlice\.ts$/,
  ],
  ['streams: seq, epoch, resume', /^middleware\/(streams|savedCursors|burst)\.ts$/],
  [
    'DMs, presence, room presence, typing, receipts, notifications, events',
    /^(middleware|slices)\/(direct|presence|roomPresence|roomMembers|typing|receipts|notifications)[A-Z.]|^middleware\/events\.ts$|^slices\/eventsSlice\.ts$/,
  ],
  ['config, plugins, dev tools options', /^src\/(config|plugins|devToolsOptions)\.ts$/],
]

export async function sizeShareRows(): Promise<BenchRow[]> {
  const peers = Object.keys(
    (JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { peerDependencies: object })
      .peerDependencies,
  )
  const outdir = resolve(root, 'tmp-size-shares')
  const options = production()({
    stdin: { contents: `export { createRealtime } from './dist/index.js'`, resolveDir: root },
    bundle: true,
    external: peers,
    minifyIdentifiers: true,
    minifySyntax: true,
    minifyWhitespace: true,
    treeShaking: true,
    outdir,
    sourcemap: 'external',
    write: false,
  })
  const outputs = (await build(options)).outputFiles ?? []
  const text = (suffix: string) => outputs.find((file) => file.path.endsWith(suffix))?.text ?? ''
  const code = text('.js')
  const map = JSON.parse(text('.js.map')) as { sources: string[]; mappings: string }
  const path = (source: string) => relative(root, resolve(outdir, source)).replaceAll('\\', '/')
  const whole = gzipSync(code, { level: 9 }).length
  const share = (concern: string, sources: (path: string) => boolean): BenchRow => ({
    name: `gzip size, createRealtime share: ${concern}`,
    value: gzipShare(map, code, (source) => sources(path(source))) / 1024,
    unit: 'KiB',
    note: `of ${(whole / 1024).toFixed(2)} KiB bundled the same way, with a source map`,
  })
  const rows = SHARES.map(([concern, sources]) => share(concern, (p) => sources.test(p)))
  const guarantees = SHARES.slice(0, 4).map(([, sources]) => sources)
  rows.push(
    share('the guarantees together (protocol, transport, outbox, streams)', (p) =>
      guarantees.some((sources) => sources.test(p)),
    ),
  )
  return rows
}
