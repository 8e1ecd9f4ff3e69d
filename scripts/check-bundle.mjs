// Bundles the core entry as a browser app would and fails if server-only code (ws, jose) is in it.
import { build } from 'esbuild'
import { gzipSync } from 'node:zlib'

const result = await build({
  entryPoints: ['dist/index.js'],
  bundle: true,
  write: false,
  metafile: true,
  format: 'esm',
  platform: 'browser',
  external: ['@reduxjs/toolkit', 'reconnecting-websocket'],
  logLevel: 'error',
}).catch(() => {
  // esbuild has already printed why (e.g. a `node:` import, which browsers cannot resolve).
  console.error('dist/index.js does not bundle for the browser (run `npm run build` first?)')
  process.exit(1)
})

const problems = []
for (const pkg of ['ws', 'jose']) {
  const files = Object.keys(result.metafile.inputs).filter((input) =>
    input.includes(`node_modules/${pkg}/`),
  )
  if (files.length > 0) problems.push(`bundles ${files.length} file(s) of ${pkg}, e.g. ${files[0]}`)
}
const text = result.outputFiles[0].text
for (const needle of ['require("ws")', 'from "ws"', '"jose"']) {
  if (text.includes(needle)) problems.push(`bundle text contains ${needle}`)
}

const kB = (bytes) => `${(bytes / 1024).toFixed(1)} kB`
console.log(
  `dist/index.js for the browser: ${kB(Buffer.byteLength(text))}, ${kB(gzipSync(text).length)} gzipped` +
    ' (@reduxjs/toolkit and reconnecting-websocket not included)',
)
if (problems.length > 0) {
  console.error('The core entry must not use server-only packages (ws, jose):')
  for (const problem of problems) console.error(`  ${problem}`)
  process.exit(1)
}
