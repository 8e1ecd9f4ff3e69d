// Installs the packed package into a scratch app, as a user would, and checks it from outside:
// 1. a file importing every entry type-checks with moduleResolution node10, node16 (an .mts and a
//    .cts file) and bundler — an entry whose types do not resolve fails with TS2307;
// 2. in Node, without the optional peers ws and jose: the core, React and collab entries load (ESM and
//    CJS), the server entry and the CLI say what to install; with them, the server entry loads,
//    and without ioredis (another optional peer) a server on createRedisEngine says to install it;
// 3. a Vite build of an app using it: the provider reads the app's VITE_WS_URL (.env) from
//    import.meta.env, which Vite fills in for the installed package too.
// Needs a build (dist/). Installs from the npm cache (`--prefer-offline`; `npm ci` fills it) with
// the versions in this repository's node_modules, so it needs no network in CI.
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const started = Date.now()
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const name = pkg.name
const MISSING = `${name}/server needs the packages ws and jose: npm install ws jose`
const MISSING_IOREDIS =
  'createRedisEngine needs the package ioredis installed on the server: npm install ioredis'

const version = (dep) =>
  JSON.parse(readFileSync(join(root, 'node_modules', dep, 'package.json'), 'utf8')).version
const pinned = (deps) => deps.map((dep) => `${dep}@${version(dep)}`)

// The scratch app must not inherit `npm test`'s view of this package.
const env = Object.fromEntries(
  Object.entries(process.env).filter(
    ([key]) => !key.startsWith('npm_package_') && !key.startsWith('npm_lifecycle_'),
  ),
)

const problems = []
const check = (ok, label, detail = '') => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${label}`)
  if (!ok) problems.push(detail ? `${label}\n${detail}` : label)
}

const work = mkdtempSync(join(tmpdir(), `${name}-consumer-`))
const app = join(work, 'app')
mkdirSync(app)

function npm(args, cwd) {
  execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd,
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  })
}

try {
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', work], {
      cwd: root,
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  )
  const tarball = join(work, packed[0].filename)
  console.log(`packed ${packed[0].filename}: ${packed[0].entryCount} files`)

  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'scratch-consumer', private: true, version: '0.0.0' }, null, 2),
  )
  npm(
    [
      'install',
      '--prefer-offline',
      '--ignore-scripts',
      tarball,
      ...pinned([
        '@reduxjs/toolkit',
        'react',
        'react-redux',
        '@types/react',
        '@types/node',
        'typescript',
        'yjs',
        'y-protocols',
      ]),
    ],
    app,
  )
  console.log(`installed it with its peers except ws and jose (${Date.now() - started} ms)`)

  // Every entry, and a misuse per entry so an entry typed `any` fails too.
  const source = `import { createRealtime, WebSocketError } from '${name}'
import { WebSocketProvider, useChat } from '${name}/react'
import { createRealtimeServer } from '${name}/server'
import { createCollab, useCollaborativeText } from '${name}/collab'

const realtime = createRealtime({ url: 'ws://localhost:3000' })
export const reducerPath: string = realtime.reducerPath
export const isRealtimeError = (error: unknown): error is Error => error instanceof WebSocketError
export const hooks = [WebSocketProvider, useChat] as const
export const start: (...args: never[]) => Promise<unknown> = createRealtimeServer
const collaborative = createRealtime({ url: 'ws://localhost:3000', plugins: [createCollab()] })
export const openDocument = collaborative.actions.openDocument('doc-1')
export const liveDoc: { clientID: number } | undefined = collaborative.documents.get('doc-1')
export const textHook = useCollaborativeText

// @ts-expect-error the core entry is typed
createRealtime(42)
// @ts-expect-error the React entry is typed
export const provider: number = WebSocketProvider
// @ts-expect-error the server entry is typed
void createRealtimeServer(42)
// @ts-expect-error the collab entry is typed
createCollab(42)
`
  for (const file of ['index.ts', 'index.mts', 'index.cts']) writeFileSync(join(app, file), source)

  const common = {
    strict: true,
    noEmit: true,
    skipLibCheck: false, // the package's own .d.ts files must type-check too
    target: 'ES2022',
    lib: ['ES2022', 'DOM'],
    types: ['node'],
    // TypeScript 6 deprecates node10 resolution; apps on it still use it.
    ignoreDeprecations: '6.0',
  }
  const profiles = {
    node10: { files: ['index.ts'], module: 'commonjs', moduleResolution: 'node' },
    node16: { files: ['index.mts', 'index.cts'], module: 'node16', moduleResolution: 'node16' },
    bundler: { files: ['index.ts'], module: 'esnext', moduleResolution: 'bundler' },
  }
  const tsc = join(app, 'node_modules', 'typescript', 'bin', 'tsc')
  for (const [profile, { files, ...options }] of Object.entries(profiles)) {
    const config = `tsconfig.${profile}.json`
    writeFileSync(
      join(app, config),
      JSON.stringify({ compilerOptions: { ...common, ...options }, files }, null, 2),
    )
    const result = spawnSync(process.execPath, [tsc, '-p', config], { cwd: app, encoding: 'utf8' })
    check(
      result.status === 0,
      `types: every entry with moduleResolution ${options.moduleResolution} (${files.join(', ')})`,
      `${result.stdout}${result.stderr}`,
    )
  }

  const node = (args) => spawnSync(process.execPath, args, { cwd: app, encoding: 'utf8', env })
  const FORMATS = ['ESM', 'CJS']
  // Loads `specifier` in a fresh Node as `m`, then runs `then`.
  const load = (specifier, format, then = '') =>
    node(
      format === 'ESM'
        ? ['--input-type=module', '-e', `const m = await import('${specifier}'); ${then}`]
        : ['-e', `const m = require('${specifier}'); ${then}`],
    )
  for (const specifier of [name, `${name}/react`, `${name}/collab`]) {
    for (const format of FORMATS) {
      const result = load(specifier, format)
      check(result.status === 0, `node: ${specifier} loads (${format})`, result.stderr)
    }
  }
  for (const format of FORMATS) {
    const result = load(`${name}/server`, format)
    check(
      result.status !== 0 && result.stderr.includes(`Error: ${MISSING}`),
      `node: ${name}/server without ws and jose throws "${MISSING}" (${format})`,
      result.stderr,
    )
  }
  const cli = node([join(app, 'node_modules', '.bin', 'redux-realtime-server'), '--help'])
  check(
    cli.status === 1 && cli.stderr.trim() === `redux-realtime-server: ${MISSING}`,
    'node: the CLI without ws and jose prints what to install and exits 1',
    `exit ${cli.status}\n${cli.stderr}`,
  )

  // Vite from this repository's node_modules; the app and the package come from the scratch app's.
  const viteUrl = 'wss://from-vite-env.example'
  writeFileSync(join(app, '.env'), `VITE_WS_URL=${viteUrl}\n`)
  writeFileSync(
    join(app, 'index.html'),
    '<!doctype html><html><body><script type="module" src="/main.js"></script></body></html>\n',
  )
  writeFileSync(
    join(app, 'main.js'),
    `import { WebSocketProvider } from '${name}/react'\nconsole.log(WebSocketProvider)\n`,
  )
  const vite = node([
    join(root, 'node_modules', 'vite', 'bin', 'vite.js'),
    'build',
    '--logLevel',
    'error',
  ])
  const assets = join(app, 'dist', 'assets')
  const bundle =
    vite.status === 0
      ? readdirSync(assets)
          .filter((file) => file.endsWith('.js'))
          .map((file) => readFileSync(join(assets, file), 'utf8'))
          .join('\n')
      : ''
  check(
    bundle.includes(viteUrl),
    "vite: a Vite app's VITE_WS_URL reaches WebSocketProvider through import.meta.env",
    `exit ${vite.status}\n${vite.stdout}${vite.stderr}`,
  )

  npm(['install', '--prefer-offline', '--ignore-scripts', ...pinned(['ws', 'jose'])], app)
  for (const format of FORMATS) {
    const result = load(
      `${name}/server`,
      format,
      `if (typeof m.createRealtimeServer !== 'function') process.exit(2)`,
    )
    check(
      result.status === 0,
      `node: with ws and jose, ${name}/server loads (${format})`,
      result.stderr,
    )
  }
  for (const format of FORMATS) {
    const result = load(
      `${name}/server`,
      format,
      `m.createRealtimeServer({ port: 0, jwt: { secret: 's' }, engine: m.createRedisEngine({ url: 'redis://127.0.0.1:6379' }) }).then(() => process.exit(2), (error) => { console.error(error.message); process.exit(error.message === ${JSON.stringify(MISSING_IOREDIS)} ? 0 : 3) })`,
    )
    check(
      result.status === 0,
      `node: without ioredis, a server on createRedisEngine rejects with "${MISSING_IOREDIS}" (${format})`,
      `exit ${result.status}\n${result.stderr}`,
    )
  }
  const redisCli = node([
    join(app, 'node_modules', '.bin', 'redux-realtime-server'),
    '--secret',
    's',
    '--port',
    '0',
    '--redis',
    'redis://127.0.0.1:6379',
  ])
  check(
    redisCli.status === 1 && redisCli.stderr.trim() === `redux-realtime-server: ${MISSING_IOREDIS}`,
    'node: the CLI with --redis and without ioredis prints what to install and exits 1',
    `exit ${redisCli.status}\n${redisCli.stderr}`,
  )
  const help = node([join(app, 'node_modules', '.bin', 'redux-realtime-server'), '--help'])
  check(
    help.status === 0 && help.stdout.startsWith('Usage: redux-realtime-server'),
    'node: with ws and jose, the CLI runs',
    `exit ${help.status}\n${help.stdout}${help.stderr}`,
  )
} catch (error) {
  problems.push(error instanceof Error ? error.message : String(error))
}

if (problems.length > 0) {
  console.error(`\nThe installed package fails (scratch app kept in ${app}):`)
  for (const problem of problems) console.error(`- ${problem}`)
  process.exitCode = 1
} else {
  rmSync(work, { recursive: true, force: true })
  console.log(`the installed package passes every check (${Date.now() - started} ms)`)
}
