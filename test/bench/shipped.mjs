/**
 * Makes the bench run the package's code as `dist` ships it, from its TypeScript source.
 * Loaded with `--import` after tsx (the `bench` script, and every child in `child.ts`): in the
 * main thread it registers itself as a module hook; in the hooks thread its `resolve` and
 * `load` do two things tsx alone does not:
 * - reconnecting-websocket resolves to its TypeScript source, which tsup bundles
 *   (`tsup.config.ts`) and vitest aliases (`vitest.config.ts`); tsx would load the package's
 *   ES5 build (TypeScript's class, spread and iterator helpers, every accessor through
 *   `Object.defineProperty`), trimmed as dist and the tests have it
 *   (`scripts/reconnectingWebSocket.mjs`);
 * - that source and the package's own (`src/`, `middleware/`, `slices/`) compile as tsup
 *   compiles them (esbuild, `target: 'es2022'`). tsx compiles with `keepNames`, which wraps
 *   every function made at run time in `__name()`, an `Object.defineProperty` call per closure
 *   (2.2 µs of a chat round trip's ~60 µs in a profile); dist has none.
 * The bench's own files, the server's and the tests' stay tsx's.
 */
import { readFile } from 'node:fs/promises'
import { createRequire, register } from 'node:module'
import { dirname, join, sep } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { isMainThread } from 'node:worker_threads'
import { trimReconnectingWebSocket } from '../../scripts/reconnectingWebSocket.mjs'

if (isMainThread) register(import.meta.url)

const require = createRequire(import.meta.url)
const reconnectingWebSocket = join(
  dirname(require.resolve('reconnecting-websocket/package.json')),
  'reconnecting-websocket.ts',
)
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const shipped = ['src', 'middleware', 'slices'].map((dir) => join(root, dir) + sep)
const server = join(root, 'src', 'server') + sep
let tsconfigRaw

export function resolve(specifier, context, next) {
  if (specifier === 'reconnecting-websocket') {
    return { url: pathToFileURL(reconnectingWebSocket).href, format: 'module', shortCircuit: true }
  }
  return next(specifier, context)
}

const isShipped = (file) =>
  file === reconnectingWebSocket ||
  (file.endsWith('.ts') && !file.startsWith(server) && shipped.some((dir) => file.startsWith(dir)))

export async function load(url, context, next) {
  if (!url.startsWith('file:')) return next(url, context)
  const file = fileURLToPath(url.split('?')[0])
  if (!isShipped(file)) return next(url, context)
  const { transform } = await import('esbuild')
  // The project's tsconfig.json, as tsup's esbuild reads it (class fields, for one).
  tsconfigRaw ??= await readFile(join(root, 'tsconfig.json'), 'utf8')
  const source = await readFile(file, 'utf8')
  const { code } = await transform(
    file === reconnectingWebSocket ? trimReconnectingWebSocket(source) : source,
    {
      tsconfigRaw,
      loader: 'ts',
      format: 'esm',
      target: 'es2022',
      sourcemap: 'inline',
      sourcefile: file,
    },
  )
  return { format: 'module', source: code, shortCircuit: true }
}
