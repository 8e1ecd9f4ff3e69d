// The size budget of issue 10, checked by `npm test` after `tsup`: what an app's bundler ships
// for an import of the built `dist` in a production build. esbuild (size-limit's
// preset-small-lib), minified, ESM for the browser, `process.env.NODE_ENV` = "production"; the
// peerDependencies external (size-limit's default), the dependency idb-keyval bundled, as an
// app ships it. Sizes are **gzip** (level 9), not size-limit's default brotli. A dynamic
// `import()` stays a chunk of its own, as in an app's build, so the dev panel is measured on
// its own. `test/bench/sizes.ts` reports these same checks (it runs `size-limit --json`), so
// the README shows one set of numbers.
import { readFile, rm } from 'node:fs/promises'
import { dirname, relative, resolve } from 'node:path'
import { bytesBySource } from './scripts/bundleSources.mjs'

/** Code `createRealtime` must never pull in: the seed's compatibility layer and the server. */
const NOT_IN_CREATE_REALTIME = [
  /^src\/client\//,
  /^src\/utils\/(DevHelpers|WebSocketUtils)\.ts$/,
  /^src\/server\//,
  /\/node_modules\/(ws|jose)\//,
]
/** The dev panel is a lazy chunk: the react entry loads it only when `enableDevMode` is on. */
const PANEL = /^src\/react\/devtools\//
/** No entry but the server's may use the server's code or its peers. */
const SERVER_ONLY = [/^src\/server\//, /\/node_modules\/(ws|jose)\//]

const pkg = JSON.parse(await readFile(new URL('package.json', import.meta.url), 'utf8'))

/** `import()` stays an import (an app's bundler splits it off): not counted with its importer. */
const lazyImportsExternal = {
  name: 'lazy-imports-external',
  setup(build) {
    build.onResolve({ filter: /.*/ }, (args) =>
      args.kind === 'dynamic-import' ? { path: args.path, external: true } : undefined,
    )
  },
}

/**
 * The package's imports of itself (the react entry imports the core by name) resolve as in an
 * app, through `exports` to `dist`, not through tsconfig.json's `paths` to `src`.
 */
const selfFromDist = {
  name: 'self-from-dist',
  setup(build) {
    build.onResolve({ filter: new RegExp(`^${pkg.name}(/.*)?$`) }, (args) => {
      const target = pkg.exports[`.${args.path.slice(pkg.name.length)}`]?.import?.default
      return target ? { path: resolve(target) } : undefined
    })
  },
}

/**
 * Fails the check when the bundle has code from a `forbidden` source file (paths relative to
 * the repository), read from the bundle's source map, which esbuild composes with dist's own;
 * then deletes the map, so only the code is measured.
 */
const forbid = (forbidden) => ({
  name: 'forbidden-sources',
  setup(build) {
    build.initialOptions.sourcemap = true
    build.onEnd(async (result) => {
      const outputs = result.metafile?.outputs ?? {}
      const found = []
      for (const output of Object.keys(outputs).filter((name) => name.endsWith('.js'))) {
        const [code, map] = await Promise.all([
          readFile(output, 'utf8'),
          readFile(`${output}.map`, 'utf8'),
        ])
        for (const [source, bytes] of bytesBySource(JSON.parse(map), code)) {
          const path = relative('.', resolve(dirname(output), source)).replaceAll('\\', '/')
          if (forbidden.some((pattern) => pattern.test(path))) found.push(`${path} (${bytes} B)`)
        }
        await rm(`${output}.map`)
        delete outputs[`${output}.map`]
      }
      if (found.length > 0) {
        throw new Error(`the bundle has code it must not pull in: ${found.join(', ')}`)
      }
    })
  },
})

/** size-limit's esbuild config, made what an app's production build does (`plugins` first). */
export const production =
  (...plugins) =>
  (config) => ({
    ...config,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'error',
    plugins: [...(config.plugins ?? []), ...plugins, selfFromDist, lazyImportsExternal],
  })

/** The dev panel's own code: what enabling it adds to a page that already has the react entry. */
const panelOnly = {
  name: 'panel-only',
  setup(build) {
    build.onResolve({ filter: new RegExp(`^(\\./chunk-.*|${pkg.name})$`) }, (args) => ({
      path: args.path,
      external: true,
    }))
  },
}

// Issue 10's targets: createRealtime ≤ 12 KiB, the react entry ≤ 4 KiB on top of it. The react
// entry's is met (3.98 KiB on top, see the README's Benchmarks) and enforced: the combined
// check's limit is the createRealtime limit + 4 KiB, so neither may grow past it. createRealtime's
// is not met yet: its limit (and the dev panel's) is the measured size rounded up by less than
// 0.5 KiB, so growth fails `npm test` (measured 30.52, 34.50 and 4.40 KiB). Lower them as the
// code shrinks, the combined one with createRealtime's (at most its limit + 4 KiB); 12 KiB and
// 16 KiB once met. (size-limit prints kB of 1000 bytes; these limits are KiB.)
export default [
  {
    name: 'createRealtime alone',
    path: 'dist/index.js',
    import: '{ createRealtime }',
    gzip: true,
    limit: '30.75 KiB',
    modifyEsbuildConfig: production(forbid(NOT_IN_CREATE_REALTIME)),
  },
  {
    name: 'createRealtime + the react entry',
    path: ['dist/index.js', 'dist/react/index.js'],
    import: { 'dist/index.js': '{ createRealtime }', 'dist/react/index.js': '*' },
    gzip: true,
    // createRealtime's limit + 4 KiB: the react entry's target.
    limit: '34.75 KiB',
    modifyEsbuildConfig: production(forbid([...NOT_IN_CREATE_REALTIME, PANEL])),
  },
  {
    name: 'dev panel, loaded when RealtimeDevTools is enabled',
    path: 'dist/RealtimeDevTools-*.js',
    gzip: true,
    limit: '4.5 KiB',
    modifyEsbuildConfig: production(panelOnly),
  },
  {
    // Not a budget: that the whole core entry (the compatibility layer too) bundles for a
    // browser (no `node:` import) without the server's code or its peers.
    name: 'the whole core entry',
    path: 'dist/index.js',
    import: '*',
    gzip: true,
    modifyEsbuildConfig: production(forbid(SERVER_ONLY)),
  },
]
