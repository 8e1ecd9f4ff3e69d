import { resolveUrl, type RealtimeConfig } from '../config'

/**
 * What `configFromEnv` reads: `process.env`, `import.meta.env` or any plain record.
 *
 * @example
 * const env: EnvSource = { VITE_WS_URL: 'localhost', VITE_WS_PORT: '3000' }
 */
export type EnvSource = Readonly<Record<string, unknown>>

/** The settings read from the environment, in the order they are checked. */
const SETTINGS = [
  'URL',
  'PORT',
  'PROTOCOLS',
  'RECONNECT_INTERVAL',
  'MAX_RECONNECT_ATTEMPTS',
  'HEARTBEAT_INTERVAL',
] as const
type Setting = (typeof SETTINGS)[number]

/** Later prefixes win: a Vite app that still has old CRA variables uses its own. */
const PREFIXES = ['REACT_APP_WS_', 'VITE_WS_'] as const

type EnvConfig = Pick<
  RealtimeConfig,
  'url' | 'port' | 'protocols' | 'reconnectInterval' | 'maxReconnectAttempts' | 'heartbeatInterval'
>

function malformed(name: string, expected: string, raw: string): TypeError {
  return new TypeError(`${name} must be ${expected}, got ${JSON.stringify(raw)}`)
}

function integer(name: string, raw: string, min: number, max: number, expected: string): number {
  const text = raw.trim()
  const value = Number(text)
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw malformed(name, expected, raw)
  }
  return value
}

function protocols(name: string, raw: string): string[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(raw)
  } catch {
    throw malformed(name, 'a JSON array of strings such as ["v1.api.example.com"]', raw)
  }
  if (!Array.isArray(parsed) || !parsed.every((p) => typeof p === 'string' && p !== '')) {
    throw malformed(name, 'a JSON array of strings such as ["v1.api.example.com"]', raw)
  }
  return parsed as string[]
}

function url(name: string, raw: string): string {
  const value = raw.trim()
  try {
    resolveUrl({ url: value })
  } catch {
    throw malformed(name, 'a host or a ws:// / wss:// URL such as "localhost"', raw)
  }
  return value
}

function parse(setting: Setting, name: string, raw: string): Partial<EnvConfig> {
  const ms = 'a positive integer (milliseconds)'
  switch (setting) {
    case 'URL':
      return { url: url(name, raw) }
    case 'PORT':
      return { port: integer(name, raw, 1, 65535, 'an integer from 1 to 65535') }
    case 'PROTOCOLS':
      return { protocols: protocols(name, raw) }
    case 'RECONNECT_INTERVAL':
      return { reconnectInterval: integer(name, raw, 1, Number.MAX_SAFE_INTEGER, ms) }
    case 'MAX_RECONNECT_ATTEMPTS':
      return {
        maxReconnectAttempts: integer(
          name,
          raw,
          0,
          Number.MAX_SAFE_INTEGER,
          'a non-negative integer',
        ),
      }
    case 'HEARTBEAT_INTERVAL':
      return { heartbeatInterval: integer(name, raw, 1, Number.MAX_SAFE_INTEGER, ms) }
  }
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
  let config: Partial<EnvConfig> = {}
  for (const setting of SETTINGS) {
    for (const prefix of PREFIXES) {
      const name = `${prefix}${setting}`
      const raw = read(env, name)
      if (raw !== undefined) config = { ...config, ...parse(setting, name, raw) }
    }
  }
  return config
}
