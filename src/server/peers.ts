/**
 * `ws` and `jose` are optional peer dependencies: only the server entry and its CLI use them, so
 * browser apps never install them. The package build (tsup.config.ts, `serverPeers`) routes every
 * `import … from 'ws' | 'jose'` of the server code through these loaders, so an app that imports
 * `redux-realtime-kit/server` without them gets what to install instead of Node's bare
 * "Cannot find package 'ws'". The source (tests, `npm run server`) imports them directly.
 */
export const MISSING_PEERS_MESSAGE =
  'redux-realtime-kit/server needs the packages ws and jose: npm install ws jose'

export interface PeerOptions {
  /** The CLI prints the message and exits 1 instead of throwing (no stack trace). */
  exit?: boolean
}

/** True when `error` says that `name` itself (not something inside it) could not be found. */
export function isMissing(error: unknown, name: string): boolean {
  if (typeof error !== 'object' || error === null) return false
  const { code, message } = error as { code?: unknown; message?: unknown }
  return (
    (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
    typeof message === 'string' &&
    message.includes(`'${name}'`)
  )
}

function missing(error: unknown, options: PeerOptions): never {
  if (options.exit) {
    process.stderr.write(`redux-realtime-server: ${MISSING_PEERS_MESSAGE}\n`)
    process.exit(1)
  }
  throw new Error(MISSING_PEERS_MESSAGE, { cause: error })
}

/** ESM build: `await importPeer('ws', () => import('ws'))` at the top of the entry. */
export async function importPeer<T>(
  name: string,
  load: () => Promise<T>,
  options: PeerOptions = {},
): Promise<T> {
  try {
    return await load()
  } catch (error) {
    if (isMissing(error, name)) missing(error, options)
    throw error
  }
}

/** CJS build: `requirePeer('ws', () => require('ws'))`. */
export function requirePeer<T>(name: string, load: () => T, options: PeerOptions = {}): T {
  try {
    return load()
  } catch (error) {
    if (isMissing(error, name)) missing(error, options)
    throw error
  }
}
