import { configFromEnv, createDefaultConfig, type EnvSource, type RealtimeConfig } from './core'

/**
 * `process.env` where it can be read (Node, tests, Create React App). Read inside a try, with no
 * `typeof process` guard: CRA's webpack 5 replaces the `process.env` expression with the app's
 * `REACT_APP_*` values but defines no `process`, so the guard would skip them.
 */
function processEnv(): unknown {
  try {
    return process.env
  } catch {
    return undefined
  }
}

/** Where the provider's settings come from when it has no `config`: env records, or anything else (ignored). */
export interface EnvironmentSources {
  processEnv: unknown
  importMetaEnv: unknown
  /** Receives the fallback warning (default: the console). */
  logger?: Pick<Console, 'warn'>
}

/** The settings of `env` when it is an object (an env record), else none. */
const settingsOf = (env: unknown) =>
  typeof env === 'object' && env !== null ? configFromEnv(env as EnvSource) : {}

/** Each logger gets the fallback warning once (the console once per page). */
const warned = new WeakSet<object>()

/**
 * The seed's defaults with the `REACT_APP_WS_*` / `VITE_WS_*` settings of `process.env` and of
 * Vite's `import.meta.env` (it wins), whichever exist. Outside production, a fallback to the
 * default URL is a warning (once) saying how to pass one.
 */
export function configFromEnvironment(
  sources: EnvironmentSources = {
    processEnv: processEnv(),
    // Vite's `import.meta.env` where the bundler fills it in (a Vite build replaces the
    // expression with the app's env); `undefined` in Node, in the CJS build (esbuild empties
    // `import.meta`) and where a bundler leaves it unset. Reading it touches no browser global.
    importMetaEnv: (import.meta as { env?: unknown }).env,
  },
): RealtimeConfig {
  const fromEnv = { ...settingsOf(sources.processEnv), ...settingsOf(sources.importMetaEnv) }
  const config = createDefaultConfig(fromEnv)
  // A production build folds the condition to false and drops the block, the text and the
  // `warned` set; where nothing replaced `process.env.NODE_ENV` and there is no `process`,
  // the read throws: no warning.
  try {
    if (
      process.env.NODE_ENV !== 'production' &&
      fromEnv.url === undefined &&
      (sources.importMetaEnv as EnvSource | undefined)?.PROD !== true
    ) {
      const logger = sources.logger ?? console
      if (!warned.has(logger)) {
        warned.add(logger)
        logger.warn(
          `redux-realtime: <WebSocketProvider> has no config and found no REACT_APP_WS_URL or VITE_WS_URL, so it connects to the default ws://localhost:${config.port}. ` +
            // Split, so no bundler's env replacement can touch the text.
            `Pass config={createDefaultConfig({ url })}; in a Vite app whose env the provider cannot read, config={createDefaultConfig(configFromEnv(import.meta${'.'}env))}.`,
        )
      }
    }
  } catch {
    // No `process`: a page without a bundler.
  }
  return config
}
