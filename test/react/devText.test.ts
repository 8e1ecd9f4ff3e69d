import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { describe, expect, it } from 'vitest'
import { inBrowserBundle } from '../support/browserBundle'

const reactEntry = fileURLToPath(new URL('../../src/react/index.ts', import.meta.url))
const dev = fileURLToPath(new URL('../../src/react/dev.ts', import.meta.url))

/** The React entry as an app's build minifies it, with `process.env.NODE_ENV` set to `nodeEnv`. */
async function bundled(nodeEnv: string): Promise<string> {
  const result = await build({
    entryPoints: [reactEntry],
    bundle: true,
    write: false,
    minify: true,
    format: 'esm',
    platform: 'browser',
    external: ['react', 'react-dom', 'react-redux', '@reduxjs/toolkit', 'redux-realtime-kit'],
    define: { 'process.env.NODE_ENV': JSON.stringify(nodeEnv) },
    logLevel: 'silent',
  })
  return result.outputFiles[0]?.text ?? ''
}

/** The how-to-fix parts of the React entry's misuse errors and of its fallback warning. */
const DEV_ONLY = [
  'the createRealtime(...) result whose reducer and middleware the store uses',
  "render it inside react-redux's <Provider store={store}>",
  'Mount it: configureStore({ reducer:',
  "such as { url: 'localhost', port: 3000, authToken }",
  'pass the websocket handle from useWebSocket(config)',
  "e.g. { type: MessageType.CHAT_MESSAGE, room: 'general'",
  'found no REACT_APP_WS_URL or VITE_WS_URL',
]

describe('development-only text in the React entry', () => {
  it('is in a development build and gone from a production build, whose errors keep what is wrong', async () => {
    const [development, production] = await Promise.all([
      bundled('development'),
      bundled('production'),
    ])
    for (const text of DEV_ONLY) {
      expect(development).toContain(text)
      expect(production).not.toContain(text)
    }
    expect(production).toContain('also needs realtime={realtime}')
    expect(production).toContain('found no store')
    expect(production).toContain('the store has no realtime state at')
    expect(production).toContain('a chat message needs its room')
    expect(production).toContain('no websocket handle and no <WebSocketProvider>')
  })

  it("is '' where there is no bundler and no process", async () => {
    const text = await inBrowserBundle(
      `export { devText } from ${JSON.stringify(dev)}`,
      "bundled.devText(() => (process.env.NODE_ENV !== 'production' ? 'long' : ''))",
      {},
    )
    expect(text).toBe('')
  })
})
