import { resolveUrls, type RealtimeConfig } from '../config'
import { devText } from '../dev'

/**
 * What `configFromEnv` reads: `process.env`, `import.meta.env` or any plain record.
 *
 * @example
 * const env: EnvSource = { VITE_WS_URL: 'localhost', VITE_WS_PORT: '3000' }
 */
export type EnvSource = Readonly<Record<string, unknown>>

type EnvConfig = Pick<
  RealtimeConfig,
  'url' | 'port' | 'protocols' | 'reconnectInterval' | 'maxReconnectAttempts' | 'heartbeatInterval'
>

/** Later prefixes win: a Vite app that still has old CRA variables uses its own. */
const PREFIXES = ['REACT_APP_WS_', 'VITE_WS_'] as const

/**
 * The settings read from the environment, in the order they are checked. Each one's variable is
 * its key in upper snake case after the prefix: `reconnectInterval` → `RECONNECT_INTERVAL`.
 */
const KEYS: ReadonlyArray<keyof EnvConfig> = [
  'url',
  'port',
  'protocols',
  'reconnectInterval',
  'maxReconnectAttempts',
  'heartbeatInterval',
]

/** What each setting must be, for the errors outside production (see `devText`). */
const EXPECTED: Readonly<Record<keyof EnvConfig, string>> = {
  url: 'a host or a ws:// / wss:// URL such as "localhost"',
  port: 'an integer from 1 to 65535',
  protocols: 'a JSON array of strings such as ["v1.api.example.com"]',
  reconnectInterval: 'a positive integer (milliseconds)',
  maxReconnectAttempts: 'a non-negative integer',
  heartbeatInterval: 'a positive integer (milliseconds)',
}

/** A setting's value from its variable's trimmed text, or `undefined` when it is malformed. */
function parse(key: keyof EnvConfig, text: string): unknown {
  try {
    if (key === 'url') {
      resolveUrls({ url: text })
      return text
    }
    if (key === 'protocols') {
      const parsed: unknown = JSON.parse(text)
      return Array.isArray(parsed) && parsed.every((p) => typeof p === 'string' && p !== '')
        ? parsed
        : undefined
    }
  } catch {
    return undefined
  }
  // The others are integers: a port 1–65535, attempts 0 or more, intervals (ms) 1 or more.
  const value = Number(text)
  return /^\d+$/.test(text) &&
    value >= (key === 'maxReconnectAttempts' ? 0 : 1) &&
    value <= (key === 'port' ? 65535 : Number.MAX_SAFE_INTEGER)
    ? value
    : undefined
}

/**
 * The seed's WebSocket settings from environment variables, as a partial config to spread
 * into `createDefaultConfig`. Reads `REACT_APP_WS_*` (Create React App, `process.env`) and
 * `VITE_WS_*` (Vite, `import.meta.env`): `URL`, `PORT` (1–65535), `PROTOCOLS` (a JSON array of
 * strings), `RECONNECT_INTERVAL` and `HEARTBEAT_INTERVAL` (positive integers, ms) and
 * `MAX_RECONNECT_ATTEMPTS` (0 or more). Unset or empty variables are left out. When both
 * prefixes set the same setting, the `VITE_WS_` one wins.
 *
 * @throws TypeError naming the variable and its value (and, outside production, what it must
 *   be), for a malformed value.
 *
 * @example
 * // .env: REACT_APP_WS_URL=localhost  REACT_APP_WS_PORT=3000
 * const config = createDefaultConfig({ ...configFromEnv(process.env), authToken: token })
 * // Vite: VITE_WS_URL=wss://chat.example.com
 * const viteConfig = createDefaultConfig(configFromEnv(import.meta.env))
 */
export function configFromEnv(env: EnvSource): Partial<EnvConfig> {
  if (typeof env !== 'object' || env === null) {
    throw new TypeError('configFromEnv(env): pass process.env or import.meta.env')
  }
  const config: Partial<Record<keyof EnvConfig, unknown>> = {}
  for (const key of KEYS) {
    for (const prefix of PREFIXES) {
      const name = `${prefix}${key.replace(/[A-Z]/g, '_$&').toUpperCase()}`
      // Read as text: bundlers that inline env values may turn them into numbers or booleans.
      // An object is malformed (`String()` reads a function, symbol or bigint as well).
      const raw = env[name] as string | number | boolean | object | null | undefined
      if (raw === undefined || raw === null) continue
      const text = typeof raw === 'object' ? undefined : String(raw).trim()
      if (text === '') continue
      const value = text === undefined ? undefined : parse(key, text)
      if (value === undefined) {
        // What it must be, with an example, outside production only (see `devText`).
        const expected = devText(() =>
          process.env.NODE_ENV !== 'production' ? `must be ${EXPECTED[key]}` : '',
        )
        throw new TypeError(
          `${name} ${expected || 'is malformed'}, got ${text === undefined ? 'an object' : JSON.stringify(text)}`,
        )
      }
      config[key] = value
    }
  }
  return config as Partial<EnvConfig>
}
