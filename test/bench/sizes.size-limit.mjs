// The bench's size rows that are not budgets, measured exactly as .size-limit.mjs measures the
// budgets (its `production` esbuild config, gzip): reconnecting-websocket as dist bundles it, the
// collab entry, and the peers it is compared with, when they are in node_modules.
import { fileURLToPath } from 'node:url'
import { readFile } from 'node:fs/promises'
import { production } from '../../.size-limit.mjs'
import { trimReconnectingWebSocket } from '../../scripts/reconnectingWebSocket.mjs'

const dist = fileURLToPath(new URL('../../dist/index.js', import.meta.url))
const distOf = (entry) => fileURLToPath(new URL(`../../dist/${entry}/index.js`, import.meta.url))

/** reconnecting-websocket's source trimmed as tsup.config.ts bundles it into dist. */
const trimmed = {
  name: 'trimmed-reconnecting-websocket',
  setup(build) {
    build.onLoad({ filter: /reconnecting-websocket\.ts$/ }, async (args) => ({
      contents: trimReconnectingWebSocket(await readFile(args.path, 'utf8')),
      loader: 'ts',
    }))
  },
}

/**
 * createRealtime, the whole react entry and the collab entry, as a collab app imports them;
 * `withYjs` bundles yjs and y-protocols (size-limit always leaves every peer out, so they are
 * taken off esbuild's externals).
 */
const collab = (name, withYjs) => ({
  name,
  path: [dist, distOf('react'), distOf('collab')],
  import: {
    [dist]: '{ createRealtime }',
    [distOf('react')]: '*',
    [distOf('collab')]: '{ createCollab, useCollaborativeText }',
  },
  gzip: true,
  modifyEsbuildConfig: (config) => {
    const built = production()(config)
    if (!withYjs) return built
    return {
      ...built,
      external: (built.external ?? []).filter((name) => !/^(yjs|y-protocols)/.test(name)),
    }
  },
})

/**
 * A check of a peer's `imported` names as a browser app's bundler resolves them (the file in
 * peers/ re-exports them), or none when the peer is not installed.
 */
function peer(name, imported) {
  try {
    import.meta.resolve(name)
  } catch {
    return []
  }
  const path = fileURLToPath(new URL(`peers/${name}.js`, import.meta.url))
  return [{ name, path, import: imported, gzip: true, modifyEsbuildConfig: production() }]
}

export default [
  {
    // dist bundles it compiled from the TypeScript source it ships (tsup.config.ts), so it is
    // part of createRealtime's figure; this is its share, measured the same way.
    name: 'reconnecting-websocket, as dist bundles it',
    path: fileURLToPath(
      new URL(
        '../../node_modules/reconnecting-websocket/reconnecting-websocket.ts',
        import.meta.url,
      ),
    ),
    gzip: true,
    modifyEsbuildConfig: production(trimmed),
  },
  collab('collab, yjs and y-protocols external', false),
  collab('collab, yjs and y-protocols included', true),
  ...peer('socket.io-client', '{ io }'),
  ...peer('phoenix', '{ Socket }'),
]
