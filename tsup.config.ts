import { readFileSync } from 'node:fs'
import { dirname, relative, resolve } from 'node:path'
import { defineConfig } from 'tsup'
import type { Plugin } from 'esbuild'

// tsup externalizes `dependencies` and `peerDependencies` (and their subpaths) by default, so
// ws, jose, reconnecting-websocket, @reduxjs/toolkit, react and react-redux are never bundled.
// Keeping ws/jose out of the core entry is up to its imports; `npm run check:package` verifies it.

// esbuild keeps a shebang already present in cli.ts; adding a banner on top would make two.
const cliHasShebang = readFileSync('src/server/cli.ts', 'utf8').startsWith('#!')

const reactDir = resolve('src/react')
const reactCore = resolve('src/react/core.ts')

/**
 * The React entry reaches the core only through `src/react/core.ts`, whose `'../index'` becomes
 * an import of `redux-realtime` itself: an app using both entries gets one copy of the core (one
 * `WebSocketError` class) in ESM and CJS alike. Any other path out of `src/react/` fails the build.
 */
const reactUsesPublishedCore: Plugin = {
  name: 'react-uses-published-core',
  setup(build) {
    build.onResolve({ filter: /^\.\.?\// }, (args) => {
      if (!args.importer.startsWith(reactDir + '/')) return undefined
      const target = resolve(dirname(args.importer), args.path)
      if (args.importer === reactCore && args.path === '../index') {
        return { path: 'redux-realtime', external: true }
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

export default defineConfig([
  {
    entry: {
      index: 'src/index.ts',
      'server/index': 'src/server/index.ts',
      'react/index': 'src/react/index.ts',
    },
    format: ['esm', 'cjs'],
    target: 'es2022',
    // tsup splits ESM output (its default): the dev tools panel, a dynamic import, becomes a
    // chunk of its own. CJS stays one file per entry.
    dts: { compilerOptions: { ignoreDeprecations: '6.0' } },
    sourcemap: true,
    esbuildPlugins: [reactUsesPublishedCore],
    // Both configs build in parallel into dist/: leave the CLI's output to the other one.
    clean: ['!server/cli.js', '!server/cli.js.map'],
  },
  {
    entry: { 'server/cli': 'src/server/cli.ts' },
    format: ['esm'],
    target: 'node20',
    sourcemap: true,
    banner: cliHasShebang ? {} : { js: '#!/usr/bin/env node' },
  },
])
