import { readFileSync } from 'node:fs'
import { defineConfig } from 'tsup'

// tsup externalizes `dependencies` and `peerDependencies` (and their subpaths) by default, so
// ws, jose, reconnecting-websocket and @reduxjs/toolkit are never bundled. Keeping ws/jose out of
// the core entry is up to its imports; `npm run check:package` verifies it.

// esbuild keeps a shebang already present in cli.ts; adding a banner on top would make two.
const cliHasShebang = readFileSync('src/server/cli.ts', 'utf8').startsWith('#!')

export default defineConfig([
  {
    entry: { index: 'src/index.ts', 'server/index': 'src/server/index.ts' },
    format: ['esm', 'cjs'],
    target: 'es2022',
    dts: { compilerOptions: { ignoreDeprecations: '6.0' } },
    sourcemap: true,
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
