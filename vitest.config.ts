import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { defineConfig } from 'vitest/config'
import { trimReconnectingWebSocket } from './scripts/reconnectingWebSocket.mjs'

/**
 * reconnecting-websocket from its TypeScript source, trimmed as dist bundles it (see
 * tsup.config.ts and scripts/reconnectingWebSocket.mjs): the tests run the code that ships, not
 * the package's ES5 build.
 */
const reconnectingWebSocketSource = join(
  dirname(createRequire(import.meta.url).resolve('reconnecting-websocket/package.json')),
  'reconnecting-websocket.ts',
)

export default defineConfig({
  plugins: [
    {
      name: 'reconnecting-websocket-trimmed',
      enforce: 'pre',
      transform: (code, id) =>
        id === reconnectingWebSocketSource ? trimReconnectingWebSocket(code) : undefined,
    },
  ],
  resolve: {
    alias: [{ find: /^reconnecting-websocket$/, replacement: reconnectingWebSocketSource }],
  },
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    server: { deps: { inline: [/reconnecting-websocket/] } },
    typecheck: {
      enabled: true,
      include: ['test/**/*.test-d.{ts,tsx}'],
      tsconfig: './tsconfig.json',
      // `tsc` runs over the whole project before vitest in `npm test`; don't report its errors twice.
      ignoreSourceErrors: true,
    },
  },
})
