import { runInNewContext } from 'node:vm'
import { build } from 'esbuild'

/**
 * Bundles `exports` (what to re-export from a source file) as an app's bundler would, with
 * `define` applied (`process.env.NODE_ENV`, `process.env`), and evaluates `expression` against
 * it (`bundled.<export>`) in a fresh context holding only `globals`: no `process`, as in a
 * browser.
 *
 * @example
 * await inBrowserBundle(`export { freezeNew } from '${path}'`, 'bundled.freezeNew({})', {})
 */
export async function inBrowserBundle(
  exports: string,
  expression: string,
  define: Record<string, string>,
  globals: Record<string, unknown> = {},
): Promise<unknown> {
  const result = await build({
    stdin: { contents: exports, resolveDir: process.cwd(), loader: 'ts' },
    bundle: true,
    write: false,
    format: 'iife',
    globalName: 'bundled',
    platform: 'browser',
    define,
    logLevel: 'silent',
  })
  const code = result.outputFiles[0]?.text ?? ''
  return runInNewContext(`${code}; ${expression}`, { ...globals })
}
