/**
 * Makes the bench run the reconnecting-websocket that dist ships: tsup bundles it compiled from
 * its TypeScript source (`tsup.config.ts`), and vitest aliases it the same way
 * (`vitest.config.ts`), but plain tsx would load the package's ES5 build (TypeScript's class,
 * spread and iterator helpers, every accessor through `Object.defineProperty`). Loaded with
 * `--import` after tsx (the `bench` script, and every child in `child.ts`): in the main thread
 * it registers itself as a module hook; in the hooks thread its `resolve` maps the bare
 * `reconnecting-websocket` to that source, which tsx then compiles as an ES module.
 */
import { createRequire, register } from 'node:module'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { isMainThread } from 'node:worker_threads'

if (isMainThread) register(import.meta.url)

const source = pathToFileURL(
  join(
    dirname(createRequire(import.meta.url).resolve('reconnecting-websocket/package.json')),
    'reconnecting-websocket.ts',
  ),
).href

export function resolve(specifier, context, next) {
  if (specifier === 'reconnecting-websocket') {
    return { url: source, format: 'module', shortCircuit: true }
  }
  return next(specifier, context)
}
