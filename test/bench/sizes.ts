/**
 * Sizes: min+gzip (esbuild, minified, browser, ESM; gzip level 9) of what an app's bundler
 * ships for an import. Peers external (package.json `peerDependencies`: @reduxjs/toolkit,
 * react, react-redux, jose, ws); the `dependencies` (reconnecting-websocket, idb-keyval) are
 * bundled, because an app ships them too. Compared with socket.io-client (`io`) and phoenix
 * (`Socket`) when they are in node_modules.
 */
import { gzipSync } from 'node:zlib'
import { fileURLToPath } from 'node:url'
import type { BenchRow } from './rows'

const root = fileURLToPath(new URL('../..', import.meta.url))
const PEERS = ['@reduxjs/toolkit', 'react', 'react-dom', 'react-redux', 'jose', 'ws']

const DEPENDENCIES = ['reconnecting-websocket', 'idb-keyval']

async function gzipKiB(contents: string, alsoExternal: readonly string[] = []): Promise<number> {
  const { build } = await import('esbuild')
  const result = await build({
    stdin: { contents, resolveDir: root, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    external: [...PEERS, ...alsoExternal],
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  })
  const code = result.outputFiles[0]?.contents ?? new Uint8Array()
  return gzipSync(code, { level: 9 }).length / 1024
}

export async function sizeRows(): Promise<BenchRow[]> {
  const alone = await gzipKiB(`export { createRealtime } from './src'`)
  const ownCode = await gzipKiB(`export { createRealtime } from './src'`, DEPENDENCIES)
  const withReact = await gzipKiB(
    `export { createRealtime } from './src'\nexport * from './src/react'`,
  )
  const peers: Array<[string, string]> = [
    ['socket.io-client', `export { io } from 'socket.io-client'`],
    ['phoenix', `export { Socket } from 'phoenix'`],
  ]
  const others: Record<string, number | string> = {}
  for (const [name, entry] of peers) {
    try {
      others[name] = await gzipKiB(entry)
    } catch (error) {
      others[name] = `not measured: ${(error as Error).message.split('\n')[0]}`
    }
  }
  const io = typeof others['socket.io-client'] === 'number' ? others['socket.io-client'] : undefined
  const ratioTo = (value: number) => (io !== undefined ? { baseline: io, ratio: value / io } : {})
  const note = 'min+gzip, peers external, dependencies bundled; baseline socket.io-client io'
  const rows: BenchRow[] = [
    { name: 'gzip size, createRealtime alone', value: alone, unit: 'KiB', ...ratioTo(alone), note },
    {
      name: 'gzip size, createRealtime alone, its dependencies external too',
      value: ownCode,
      unit: 'KiB',
      note: `the package's own code; ${DEPENDENCIES.join(' and ')} make up the rest`,
    },
    {
      name: 'gzip size, react entry on top of createRealtime',
      value: withReact - alone,
      unit: 'KiB',
      note: `createRealtime + the whole react entry: ${withReact.toFixed(1)} KiB`,
    },
  ]
  for (const [name, size] of Object.entries(others))
    rows.push(
      typeof size === 'number'
        ? { name: `gzip size, ${name} (peer)`, value: size, unit: 'KiB' }
        : { name: `gzip size, ${name} (peer)`, value: NaN, unit: 'KiB', note: size },
    )
  return rows
}

/**
 * The collab entry (issue 11) on top of createRealtime and the React entry (its hook uses the
 * React entry's context): its own code with yjs and y-protocols external (they are peers), and
 * with them bundled, as an app ships them.
 */
export async function collabSizeRows(): Promise<BenchRow[]> {
  const base = `export { createRealtime } from './src'\nexport * from './src/react'`
  const withCollab = `${base}\nexport * from './src/collab'`
  const yjs = ['yjs', 'y-protocols', 'y-protocols/awareness', 'lib0']
  const without = await gzipKiB(base)
  const external = await gzipKiB(withCollab, yjs)
  const included = await gzipKiB(withCollab)
  const note = `min+gzip on top of createRealtime + the react entry (${without.toFixed(1)} KiB)`
  return [
    {
      name: 'gzip size, collab entry, yjs and y-protocols external',
      value: external - without,
      unit: 'KiB',
      note: `${note}; all three: ${external.toFixed(1)} KiB`,
    },
    {
      name: 'gzip size, collab entry with yjs and y-protocols included',
      value: included - without,
      unit: 'KiB',
      note: `${note}; all three: ${included.toFixed(1)} KiB`,
    },
  ]
}
