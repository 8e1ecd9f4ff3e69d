import { describe, expect, it, vi } from 'vitest'
import { configFromEnvironment } from '../../src/react/environment'

const logger = () => ({ warn: vi.fn<(message: string) => void>() })

describe('configFromEnvironment', () => {
  it("reads VITE_WS_* from Vite's import.meta.env when there is no process.env", () => {
    const log = logger()
    const config = configFromEnvironment({
      processEnv: undefined,
      importMetaEnv: { VITE_WS_URL: 'wss://chat.example.com', VITE_WS_PORT: '8443', PROD: false },
      logger: log,
    })
    expect(config).toMatchObject({ url: 'wss://chat.example.com', port: 8443 })
    expect(log.warn).not.toHaveBeenCalled()
  })

  it('lets import.meta.env win over process.env, setting by setting', () => {
    const config = configFromEnvironment({
      processEnv: { REACT_APP_WS_URL: 'ws://cra.example', REACT_APP_WS_RECONNECT_INTERVAL: '900' },
      importMetaEnv: { VITE_WS_URL: 'ws://vite.example' },
      logger: logger(),
    })
    expect(config).toMatchObject({ url: 'ws://vite.example', reconnectInterval: 900 })
  })

  it('warns once, outside production, when it falls back to the default URL', () => {
    const log = logger()
    const sources = { processEnv: {}, importMetaEnv: { DEV: true, PROD: false }, logger: log }
    expect(configFromEnvironment(sources)).toMatchObject({ url: 'localhost', port: 3000 })
    configFromEnvironment(sources)
    expect(log.warn).toHaveBeenCalledTimes(1)
    const [message] = log.warn.mock.calls[0] ?? []
    expect(message).toContain('found no REACT_APP_WS_URL or VITE_WS_URL')
    expect(message).toContain('ws://localhost:3000')
    expect(message).toContain('config={createDefaultConfig(configFromEnv(import.meta.env))}')
  })

  it('does not warn for a URL set to the default, nor in a production build', () => {
    const explicit = logger()
    configFromEnvironment({
      processEnv: { REACT_APP_WS_URL: 'localhost' },
      importMetaEnv: undefined,
      logger: explicit,
    })
    const production = logger()
    configFromEnvironment({ processEnv: {}, importMetaEnv: { PROD: true }, logger: production })
    expect(explicit.warn).not.toHaveBeenCalled()
    expect(production.warn).not.toHaveBeenCalled()
  })
})
