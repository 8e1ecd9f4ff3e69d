import react from '@vitejs/plugin-react'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

const source = (path: string) => fileURLToPath(new URL(`../../src/${path}`, import.meta.url))
// Where `vite` (dev mode) forwards /dev/token and the WebSocket: `npm run server`'s port.
const server = process.env.REALTIME_SERVER ?? 'http://127.0.0.1:3000'

/**
 * The example app. It imports the library from its source (no build of the package needed):
 * `redux-realtime-kit` → src/index.ts, `redux-realtime-kit/react` → src/react/index.ts, `redux-realtime-kit/collab` → src/collab/index.ts.
 * `npm start` builds it into examples/web/dist, which the dev server serves on its own port.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  resolve: {
    alias: [
      { find: /^redux-realtime-kit\/react$/, replacement: source('react/index.ts') },
      { find: /^redux-realtime-kit\/collab$/, replacement: source('collab/index.ts') },
      { find: /^redux-realtime-kit$/, replacement: source('index.ts') },
    ],
  },
  server: {
    proxy: {
      '/dev': server,
      '/ws': { target: server.replace(/^http/, 'ws'), ws: true },
    },
  },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
})
