import { resolveUrl, type RealtimeConfig } from '../config'
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

/** Reads one variable's text: its value, or `undefined` when it is malformed. */
type Parse = (raw: string) => unknown

const integer =
  (min: number, max = Number.MAX_SAFE_INTEGER): Parse =>
  (raw) => {
    const text = raw.trim()
    const value = Number(text)
    return /^\d+$/.test(text) && value >= min && value <= max ? value : undefined
  }

const url: Parse = (raw) => {
  const value = raw.trim()
  try {
    resolveUrl({ url: value })
    return value
  } catch {
    return undefined
  }
}

const protocols: Parse = (raw) => {
  try {
    const parsed: unknown = JSON.parse(raw)
    return Array.isArray(parsed) && parsed.every((p) => typeof p === 'string' && p !== '')
      ? parsed
      : undefined
  } catch {
    return undefined
  }
}

const MS = 'a positive integer (milliseconds)'

/**
 * The settings read from the environment, in the order they are checked: key (its variable is
 * the key in upper snake case after the prefix: `reconnectInterval` → `RECONNECT_INTERVAL`),
 * rule. The calls are annotated so bundles without configFromEnv drop the table (dist is one
 * flat file).
 */
const SETTINGS: ReadonlyArray<readonly [keyof EnvConfig, string, Parse]> = [
  ['url', 'a host or a ws:// / wss:// URL', url],
  ['port', 'an integer from 1 to 65535', /* @__PURE__ */ integer(1, 65535)],
  ['protocols', 'a JSON array of strings', protocols],
  ['reconnectInterval', MS, /* @__PURE__ */ integer(1)],
  ['maxReconnectAttempts', 'a non-negative integer', /* @__PURE__ */ integer(0)],
  ['heartbeatInterval', MS, /* @__PURE__ */ integer(1)],
]

/** Examples for the errors, outside production only (see `devText`). */
const EXAMPLES: Partial<Record<keyof EnvConfig, string>> = {
  url: ' such as "localhost"',
  protocols: ' such as ["v1.api.example.com"]',
}

function read(env: EnvSource, name: string): string | undefined {
  const raw = env[name]
  if (raw === undefined || raw === null) return undefined
  // Bundlers that inline env values may turn them into numbers or booleans.
  const text = typeof raw === 'number' || typeof raw === 'boolean' ? String(raw) : raw
  if (typeof text !== 'string') throw new TypeError(`${name} must be a string, got ${typeof raw}`)
  return text.trim() === '' ? undefined : text
}

/**
 * The seed's WebSocket settings from environment variables, as a partial config to spread
 * into `createDefaultConfig`. Reads `REACT_APP_WS_*` (Create React App, `process.env`) and
 * `VITE_WS_*` (Vite, `import.meta.env`): `URL`, `PORT` (1–65535), `PROTOCOLS` (a JSON array of
 * strings), `RECONNECT_INTERVAL` and `HEARTBEAT_INTERVAL` (positive integers, ms) and
 * `MAX_RECONNECT_ATTEMPTS` (0 or more). Unset or empty variables are left out. When both
 * prefixes set the same setting, the `VITE_WS_` one wins.
 *
 * @throws TypeError naming the variable and what it expected, for a malformed value.
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
  for (const [key, expected, parse] of SETTINGS) {
    for (const prefix of PREFIXES) {
      const name = `${prefix}${key.replace(/[A-Z]/g, '_$&').toUpperCase()}`
      const raw = read(env, name)
      if (raw === undefined) continue
      const value = parse(raw)
      if (value === undefined) {
        throw new TypeError(
          `${name} must be ${expected}${devText(() => (process.env.NODE_ENV !== 'production' ? (EXAMPLES[key] ?? '') : ''))}, got ${JSON.stringify(raw)}`,
        )
      }
      config[key] = value
    }
  }
  return config as Partial<EnvConfig>
}
