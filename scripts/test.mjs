// `npm test`: type-check, lint, format check, package build + publint + attw (every resolution
// profile) + the size budget (size-limit, .size-limit.mjs) + the packed package installed in a
// scratch app, then vitest. Every step runs even if an earlier one failed, so the closing
// `N passed, N failed` line (read by CI) is always complete.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const report = join(root, 'test-results', 'vitest.json')

function run(name, args) {
  console.log(`\n> ${name} ${args.join(' ')}`)
  const command = name === 'node' ? process.execPath : join(root, 'node_modules', '.bin', name)
  const result = spawnSync(command, args, {
    cwd: root,
    stdio: 'inherit',
    shell: false,
  })
  if (result.error) console.error(result.error.message)
  return result.status === 0
}

let passed = 0
let failed = 0

// Each failing pre-step counts as one failed test.
for (const [name, args] of [
  ['tsc', ['-p', 'tsconfig.json', '--noEmit']],
  ['eslint', ['.']],
  ['prettier', ['--check', '.']],
  // The published package: ESM + CJS + .d.ts build, then publint and attw on it (node10,
  // node16 and bundler), and a scratch app that installs the tarball and imports every entry.
  ['tsup', []],
  // What `npm run build` does after tsup: yjs's ESM-only types made importable from the .d.cts.
  ['node', ['scripts/fix-collab-dts.mjs']],
  ['publint', []],
  ['attw', ['--pack', '.']],
  // The size budget of the built dist (gzip; see .size-limit.mjs), and that createRealtime
  // pulls in neither the compatibility layer nor the server.
  ['size-limit', []],
  ['node', ['scripts/check-consumer.mjs']],
]) {
  if (!run(name, args)) failed += 1
}

rmSync(report, { force: true })
const vitestOk = run('vitest', [
  'run',
  '--reporter=default',
  '--reporter=json',
  '--outputFile=test-results/vitest.json',
  ...process.argv.slice(2), // e.g. `npm test -- test/unit`
])

let vitestFailed = 0
if (existsSync(report)) {
  const json = JSON.parse(readFileSync(report, 'utf8'))
  passed += json.numPassedTests
  vitestFailed += json.numFailedTests
  // A file that fails to load has no tests of its own; count it once.
  vitestFailed += json.testResults.filter(
    (file) => file.status === 'failed' && file.assertionResults.length === 0,
  ).length
}
// Keep vitest's verdict (e.g. unhandled errors after passing tests) in the count.
if (!vitestOk && vitestFailed === 0) vitestFailed = 1
failed += vitestFailed

console.log(`${passed} passed, ${failed} failed`)
process.exitCode = failed > 0 ? 1 : 0
