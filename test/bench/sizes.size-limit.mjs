// The bench's size rows that are not budgets, measured exactly as .size-limit.mjs measures the
// budgets (its `production` esbuild config, gzip): the package's own code without its
// dependencies, and the peers it is compared with, when they are in node_modules.
import { fileURLToPath } from 'node:url'
import { production } from '../../.size-limit.mjs'

const dist = fileURLToPath(new URL('../../dist/index.js', import.meta.url))

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
    name: 'createRealtime alone, its dependencies external too',
    path: dist,
    import: '{ createRealtime }',
    ignore: ['idb-keyval'],
    gzip: true,
    modifyEsbuildConfig: production(),
  },
  ...peer('socket.io-client', '{ io }'),
  ...peer('phoenix', '{ Socket }'),
]
