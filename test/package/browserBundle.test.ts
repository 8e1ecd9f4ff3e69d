import { build } from 'esbuild'
import { describe, expect, it } from 'vitest'

describe('the core entry in a browser bundle', () => {
  it('contains neither ws, jose, React nor any node: built-in', async () => {
    const result = await build({
      entryPoints: ['src/index.ts'],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
      external: ['@reduxjs/toolkit'],
    })
    const inputs = Object.keys(result.metafile.inputs)
    expect(inputs.some((path) => path.includes('src/index.ts'))).toBe(true)
    expect(
      inputs.filter(
        (path) =>
          /node_modules\/(ws|jose|react|react-dom|react-redux)\//.test(path) ||
          path.startsWith('node:'),
      ),
    ).toEqual([])
    const text = result.outputFiles.map((file) => file.text).join('\n')
    expect(text).not.toMatch(/from ["'](ws|jose)["']|require\(["'](ws|jose)["']\)/)
  })

  it('imports where there is no window or document, and opens no socket before connect()', async () => {
    expect('window' in globalThis || 'document' in globalThis).toBe(false)
    const { createRealtime } = await import('../../src')
    const { configureStore } = await import('@reduxjs/toolkit')
    let sockets = 0
    class CountingSocket {
      static readonly CONNECTING = 0
      static readonly OPEN = 1
      static readonly CLOSING = 2
      static readonly CLOSED = 3
      readyState = 0
      constructor() {
        sockets++
      }
      addEventListener() {}
      removeEventListener() {}
      send() {}
      close() {}
    }
    const realtime = createRealtime({
      url: 'ws://127.0.0.1:1',
      WebSocket: CountingSocket,
      networkEvents: null,
    })
    const store = configureStore({
      reducer: { realtime: realtime.reducer },
      middleware: (getDefault) => getDefault().concat(realtime.middleware),
    })
    expect(realtime.selectors.selectConnectionState(store.getState())).toBe('idle')
    expect(sockets).toBe(0)
  })
})
