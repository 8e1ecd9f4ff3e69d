import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { describe, expect, it } from 'vitest'
import { inBrowserBundle } from '../support/browserBundle'

const core = fileURLToPath(new URL('../../src/index.ts', import.meta.url))
const dev = fileURLToPath(new URL('../../src/dev.ts', import.meta.url))

/** `createRealtime` (or another export) as an app's build minifies it, with `process.env.NODE_ENV` set to `nodeEnv`. */
async function bundled(nodeEnv: string, name = 'createRealtime'): Promise<string> {
  const result = await build({
    stdin: {
      contents: `export { ${name} } from ${JSON.stringify(core)}`,
      loader: 'ts',
      resolveDir: process.cwd(),
    },
    bundle: true,
    write: false,
    minify: true,
    format: 'esm',
    platform: 'browser',
    external: ['@reduxjs/toolkit'],
    define: { 'process.env.NODE_ENV': JSON.stringify(nodeEnv) },
    logLevel: 'silent',
  })
  return result.outputFiles[0]?.text ?? ''
}

/** How-to-fix parts of misuse errors, each next to the short part a production build keeps. */
const SPLIT = [
  ['no reducer at state.', 'Mount it next to the middleware: configureStore'],
  ['two realtime middlewares with reducerPath', 'Add each middleware once, and give every'],
  ['is not a name of 1-64 letters', 'starting with a letter'],
  ['not a room name', 'room must be a 1-300 character name without spaces'],
  ['that is not a plugin', 'pass what a plugin factory returns'],
  ['is not a cursor', 'pass { room: string, epoch: string'],
  ['config.url is an empty array', 'pass at least one URL, e.g. ["ws://a.example.com"'],
  ['no global WebSocket here. Pass one', "(await import('ws')).WebSocket"],
  ["was not joined. Dispatch joinRoom('", 'messages then wait in the outbox until they can go out'],
] as const

describe('development-only text in createRealtime', () => {
  it('is in a development build and gone from a production build, which keeps what is wrong', async () => {
    const [development, production] = await Promise.all([
      bundled('development'),
      bundled('production'),
    ])
    for (const [kept, devOnly] of SPLIT) {
      expect(development).toContain(kept)
      expect(development).toContain(devOnly)
      expect(production).toContain(kept)
      expect(production).not.toContain(devOnly)
    }
  })

  it("leaves configFromEnv's errors the variable and its value in a production build", async () => {
    const [development, production] = await Promise.all([
      bundled('development', 'configFromEnv'),
      bundled('production', 'configFromEnv'),
    ])
    for (const expected of ['an integer from 1 to 65535', 'a JSON array of strings such as']) {
      expect(development).toContain(expected)
      expect(production).not.toContain(expected)
    }
    expect(production).toContain('is malformed')
    const { configFromEnv } = (await import(
      `data:text/javascript,${encodeURIComponent(production)}`
    )) as typeof import('../../src/utils/configFromEnv')
    expect(() => configFromEnv({ REACT_APP_WS_PORT: 'abc' })).toThrow(
      'REACT_APP_WS_PORT is malformed, got "abc"',
    )
  })

  it("is '' where there is no bundler and no process", async () => {
    const text = await inBrowserBundle(
      `export { devText } from ${JSON.stringify(dev)}`,
      "bundled.devText(() => (process.env.NODE_ENV !== 'production' ? 'long' : ''))",
      {},
    )
    expect(text).toBe('')
  })

  it('is the short wording, when given one, where there is no process, and the full text here', async () => {
    const call =
      "bundled.devText(() => (process.env.NODE_ENV !== 'production' ? 'long' : ''), 'short')"
    expect(await inBrowserBundle(`export { devText } from ${JSON.stringify(dev)}`, call, {})).toBe(
      'short',
    )
    const { devText } = await import('../../src/dev')
    expect(devText(() => (process.env.NODE_ENV !== 'production' ? 'long' : ''), 'short')).toBe(
      'long',
    )
  })
})
