import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { inBrowserBundle } from '../support/browserBundle'

const environment = fileURLToPath(new URL('../../src/react/environment.ts', import.meta.url))

/**
 * The provider's environment reader as a bundler ships it: `process.env` replaced by the app's
 * values (as Create React App's webpack 5 does), run where there is no `process` (a browser).
 */
async function configInBrowser(define: Record<string, string>): Promise<{ url: string }> {
  const console = { log() {}, warn() {}, error() {} }
  return (await inBrowserBundle(
    `export { configFromEnvironment } from ${JSON.stringify(environment)}`,
    'bundled.configFromEnvironment()',
    define,
    { URL, console },
  )) as { url: string }
}

describe('the provider environment in a bundled browser app', () => {
  it('reads REACT_APP_WS_URL where the bundler replaced process.env and there is no process', async () => {
    const config = await configInBrowser({
      'process.env': JSON.stringify({ REACT_APP_WS_URL: 'wss://cra.example/ws' }),
    })
    expect(config.url).toBe('wss://cra.example/ws')
  })

  it('falls back to the default where nothing defined process.env', async () => {
    const config = await configInBrowser({})
    expect(config.url).toBe('localhost')
  })
})
