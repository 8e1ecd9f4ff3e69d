import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { inBrowserBundle } from '../../support/browserBundle'

const freeze = fileURLToPath(new URL('../../../slices/freeze.ts', import.meta.url))

/** Whether `freezeNew` freezes, bundled as an app's bundler ships it and run with no `process`. */
async function freezesInBrowser(define: Record<string, string>): Promise<boolean> {
  return (await inBrowserBundle(
    `export { freezeNew } from ${JSON.stringify(freeze)}`,
    'Object.isFrozen(bundled.freezeNew({ a: {} }).a)',
    define,
  )) as boolean
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
