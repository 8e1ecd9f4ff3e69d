// After `tsup`: yjs publishes its types as ES modules only, so a CommonJS app (moduleResolution
// node16) cannot `import` them from dist/collab/index.d.cts (TS1479) even though
// `require('yjs')` works. A type-only import with `resolution-mode: 'import'` is allowed there
// (and under node10 and bundler too). tsup's declaration bundler drops import attributes, so
// the line is rewritten here; a build whose line changed fails instead of shipping broken types.
import { readFileSync, writeFileSync } from 'node:fs'

const file = 'dist/collab/index.d.cts'
const from = "import * as Y from 'yjs';"
const to = "import type * as Y from 'yjs' with { 'resolution-mode': 'import' };"
const text = readFileSync(file, 'utf8')
if (!text.includes(to)) {
  if (!text.includes(from)) {
    console.error(
      `${file}: expected the line ${from} to rewrite; update scripts/fix-collab-dts.mjs`,
    )
    process.exit(1)
  }
  writeFileSync(file, text.replace(from, to))
}
