import { fileURLToPath } from 'node:url'
import { runInNewContext } from 'node:vm'
import { build } from 'esbuild'
import { describe, expect, it } from 'vitest'

const freeze = fileURLToPath(new URL('../../../slices/freeze.ts', import.meta.url))

/** Whether `freezeNew` freezes, bundled as an app's bundler ships it and run with no `process`. */
async function freezesInBrowser(define: Record<string, string>): Promise<boolean> {
  const result = await build({
    stdin: {
      contents: `export { freezeNew } from ${JSON.stringify(freeze)}`,
      resolveDir: process.cwd(),
      loader: 'ts',
    },
    bundle: true,
    write: false,
    format: 'iife',
    globalName: 'bundled',
    platform: 'browser',
    define,
    logLevel: 'silent',
  })
  const code = result.outputFiles[0]?.text ?? ''
  return runInNewContext(`${code}; Object.isFrozen(bundled.freezeNew({ a: 1 }))`, {}) as boolean
}

describe('freezeNew as bundled for a browser', () => {
  it('freezes nothing in a production build (process.env.NODE_ENV replaced, no process)', async () => {
    expect(await freezesInBrowser({ 'process.env.NODE_ENV': '"production"' })).toBe(false)
  })

  it('freezes in a development build, and where no bundler said production', async () => {
    expect(await freezesInBrowser({ 'process.env.NODE_ENV': '"development"' })).toBe(true)
    expect(await freezesInBrowser({})).toBe(true)
  })
})
