import { readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join, relative, resolve } from 'node:path'
import { defineConfig } from 'tsup'
import type { Plugin } from 'esbuild'
import { trimReconnectingWebSocket } from './scripts/reconnectingWebSocket.mjs'

// tsup externalizes `dependencies` and `peerDependencies` (and their subpaths) by default, so
// ws, jose, @reduxjs/toolkit, react and react-redux are never bundled.
// Keeping ws/jose out of the core entry is up to its imports; `npm run check:package` verifies it.

/** The package's own name: the React entry imports the core by it (see below). */
const packageName = (JSON.parse(readFileSync('package.json', 'utf8')) as { name: string }).name

// esbuild keeps a shebang already present in cli.ts; adding a banner on top would make two.
const cliHasShebang = readFileSync('src/server/cli.ts', 'utf8').startsWith('#!')

const reactDir = resolve('src/react')
const reactCore = resolve('src/react/core.ts')

/**
 * The React entry reaches the core only through `src/react/core.ts`, whose `'../index'` becomes
 * an import of the package itself (`redux-realtime-kit`): an app using both entries gets one copy of the core (one
 * `WebSocketError` class) in ESM and CJS alike. Any other path out of `src/react/` fails the build.
 */
const reactUsesPublishedCore: Plugin = {
  name: 'react-uses-published-core',
  setup(build) {
    build.onResolve({ filter: /^\.\.?\// }, (args) => {
      if (!args.importer.startsWith(reactDir + '/')) return undefined
      const target = resolve(dirname(args.importer), args.path)
      if (args.importer === reactCore && args.path === '../index') {
        return { path: packageName, external: true }
      }
      if (target === reactDir || target.startsWith(reactDir + '/')) return undefined
      return {
        errors: [
          {
            text: `${relative('.', args.importer)} imports ${args.path}: import core code through src/react/core.ts`,
          },
        ],
      }
    })
  },
}

const collabDir = resolve('src/collab')

/**
 * The collab entry's React hook reads the React entry's context: it imports it as
 * `redux-realtime-kit/react`, so an app using both gets one `WebSocketContext` (in CJS too).
 * yjs and y-protocols are peers (external); the core code it uses is shared (ESM chunks).
 */
const collabUsesPublishedReact: Plugin = {
  name: 'collab-uses-published-react',
  setup(build) {
    build.onResolve({ filter: /^\.\.?\// }, (args) => {
      if (!args.importer.startsWith(collabDir + '/')) return undefined
      const target = resolve(dirname(args.importer), args.path)
      if (target === reactDir || target.startsWith(reactDir + '/')) {
        return { path: `${packageName}/react`, external: true }
      }
      return undefined
    })
  },
}

/**
 * yjs and y-protocols are optional peers of the collaborative documents (issue 11): the server
 * imports them lazily (`src/server/collab/yjsPeer.ts`), so they stay out of every bundle.
 */
const YJS_PEERS = [/^yjs$/, /^y-protocols(\/.*)?$/]

const serverDir = resolve('src/server')
const peersFile = resolve('src/server/peers.ts')
const SERVER_PEERS = /^(ws|jose)$/

/**
 * ws and jose are optional peers used only by the server entry. A static import of a missing
 * package fails before any code runs (ESM links first), so the server code's imports of them
 * become small modules that load them through src/server/peers.ts: ESM with a top-level
 * `await import()`, CJS with `require()`, each turning "not found" into what to install. The
 * CLI (`exit`) prints that and exits 1. Needs `noExternal`, or tsup's external plugin, which runs
 * first, would keep the plain imports.
 */
const serverPeers = (options: { exit?: boolean } = {}): Plugin => ({
  name: 'server-peers',
  setup(build) {
    const esm = build.initialOptions.format === 'esm'
    build.onResolve({ filter: SERVER_PEERS }, (args) => {
      if (args.namespace === 'server-peer') return { path: args.path, external: true }
      if (!args.importer.startsWith(serverDir + '/')) {
        return {
          errors: [
            { text: `${relative('.', args.importer)} imports ${args.path}: only src/server may` },
          ],
        }
      }
      return { path: args.path, namespace: 'server-peer' }
    })
    build.onLoad({ filter: /.*/, namespace: 'server-peer' }, async (args) => {
      const name = JSON.stringify(args.path)
      const peerOptions = JSON.stringify(options)
      if (!esm) {
        return {
          contents: `const { requirePeer } = require(${JSON.stringify(peersFile)})\nmodule.exports = requirePeer(${name}, () => require(${name}), ${peerOptions})\n`,
          loader: 'js',
          resolveDir: serverDir,
        }
      }
      const names = Object.keys((await import(args.path)) as object)
      const lines = names.map((key) =>
        // Pure, so esbuild drops the names the server code does not use.
        key === 'default'
          ? 'export default /* @__PURE__ */ (() => peer.default)()'
          : `export const ${key} = /* @__PURE__ */ (() => peer.${key})()`,
      )
      return {
        contents: [
          `import { importPeer } from ${JSON.stringify(peersFile)}`,
          `const peer = await importPeer(${name}, () => import(${name}), ${peerOptions})`,
          ...lines,
        ].join('\n'),
        loader: 'js',
        resolveDir: serverDir,
      }
    })
  },
})

/**
 * reconnecting-websocket 4.4.0, which the transport is built on (`middleware/transport.ts`),
 * ships its TypeScript source next to its ES5 build; the ES5 build carries TypeScript's class,
 * spread and iterator helpers and defines every accessor with `Object.defineProperty`. dist
 * bundles the same code compiled from that source for the package's target instead of
 * importing the ES5 build: 1.1 KiB less gzip in an app's bundle, with the same behaviour and
 * its own MIT header (a `/*!` comment, which bundlers keep). Since dist has it all, it is a
 * devDependency (pinned): an app installs no second, unused copy. Its license text is in
 * LICENSE, which npm always packs. Less what the transport can never reach
 * (`scripts/reconnectingWebSocket.mjs`, which the tests run too): its debug log, the accessors
 * and methods nothing calls, the `startClosed` option, the message queue and the `on<event>`
 * handler fields, listener objects and the global `WebSocket` default, and one-letter names for its
 * private members (0.72 KiB gzip).
 */
const RECONNECTING_WEBSOCKET = /^reconnecting-websocket$/
const reconnectingWebSocketFromSource: Plugin = {
  name: 'reconnecting-websocket-from-source',
  setup(build) {
    const dir = dirname(
      createRequire(import.meta.url).resolve('reconnecting-websocket/package.json'),
    )
    const source = join(dir, 'reconnecting-websocket.ts')
    build.onResolve({ filter: RECONNECTING_WEBSOCKET }, () => ({ path: source }))
    build.onLoad({ filter: /reconnecting-websocket\.ts$/ }, async (args) =>
      args.path === source
        ? {
            contents: trimReconnectingWebSocket(await readFile(source, 'utf8')),
            loader: 'ts',
          }
        : undefined,
    )
  },
}

export default defineConfig([
  {
    entry: {
      index: 'src/index.ts',
      'server/index': 'src/server/index.ts',
      'react/index': 'src/react/index.ts',
      'collab/index': 'src/collab/index.ts',
    },
    format: ['esm', 'cjs'],
    target: 'es2022',
    // tsup splits ESM output (its default): the dev tools panel, a dynamic import, becomes a
    // chunk of its own. CJS stays one file per entry.
    dts: { compilerOptions: { ignoreDeprecations: '6.0' } },
    sourcemap: true,
    esbuildPlugins: [
      reactUsesPublishedCore,
      collabUsesPublishedReact,
      serverPeers(),
      reconnectingWebSocketFromSource,
    ],
    noExternal: [SERVER_PEERS, RECONNECTING_WEBSOCKET],
    external: YJS_PEERS,
    // CJS has no import.meta: the React entry's read of Vite's import.meta.env is undefined there.
    esbuildOptions(options, { format }) {
      if (format === 'cjs') options.define = { ...options.define, 'import.meta.env': 'undefined' }
    },
    // Both configs build in parallel into dist/: leave the CLI's output to the other one.
    clean: ['!server/cli.js', '!server/cli.js.map'],
  },
  {
    entry: { 'server/cli': 'src/server/cli.ts' },
    format: ['esm'],
    target: 'node20',
    sourcemap: true,
    banner: cliHasShebang ? {} : { js: '#!/usr/bin/env node' },
    esbuildPlugins: [serverPeers({ exit: true })],
    noExternal: [SERVER_PEERS],
    external: YJS_PEERS,
  },
])
