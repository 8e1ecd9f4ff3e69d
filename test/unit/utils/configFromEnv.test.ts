import { describe, expect, it } from 'vitest'
import { configFromEnv } from '../../../src/utils/configFromEnv'
import { createDefaultConfig, resolveUrl } from '../../../src/config'

describe('configFromEnv', () => {
  it("reads the seed's REACT_APP_WS_* variables", () => {
    const config = configFromEnv({
      REACT_APP_WS_URL: 'wss://your-domain.com',
      REACT_APP_WS_PORT: '443',
      REACT_APP_WS_PROTOCOLS: '["v1.api.your-domain.com"]',
      REACT_APP_WS_RECONNECT_INTERVAL: '10000',
      REACT_APP_WS_MAX_RECONNECT_ATTEMPTS: '5',
      REACT_APP_WS_HEARTBEAT_INTERVAL: '60000',
      UNRELATED: 'x',
    })
    expect(config).toEqual({
      url: 'wss://your-domain.com',
      port: 443,
      protocols: ['v1.api.your-domain.com'],
      reconnectInterval: 10000,
      maxReconnectAttempts: 5,
      heartbeatInterval: 60000,
    })
  })

  it('reads VITE_WS_* the same way, as import.meta.env holds them', () => {
    const importMetaEnv = {
      BASE_URL: '/',
      MODE: 'development',
      DEV: true,
      PROD: false,
      SSR: false,
      VITE_WS_URL: 'localhost',
      VITE_WS_PORT: '3000',
      VITE_WS_PROTOCOLS: '[]',
    }
    expect(configFromEnv(importMetaEnv)).toEqual({ url: 'localhost', port: 3000, protocols: [] })
  })

  it('lets VITE_WS_ win over REACT_APP_WS_ setting by setting', () => {
    const config = configFromEnv({
      REACT_APP_WS_URL: 'cra.example.com',
      REACT_APP_WS_PORT: '4000',
      VITE_WS_URL: 'vite.example.com',
    })
    expect(config).toEqual({ url: 'vite.example.com', port: 4000 })
  })

  it('leaves out unset and empty variables', () => {
    expect(configFromEnv({})).toEqual({})
    expect(
      configFromEnv({
        REACT_APP_WS_URL: '',
        VITE_WS_PORT: '  ',
        REACT_APP_WS_PROTOCOLS: undefined,
      }),
    ).toEqual({})
  })

  it("feeds createDefaultConfig: the seed's .env gives ws://localhost:3000", () => {
    const config = createDefaultConfig(
      configFromEnv({ REACT_APP_WS_URL: 'localhost', REACT_APP_WS_PORT: '3000' }),
    )
    expect(resolveUrl(config)).toBe('ws://localhost:3000')
  })

  it('accepts 0 reconnect attempts and numbers a bundler inlined', () => {
    expect(configFromEnv({ VITE_WS_MAX_RECONNECT_ATTEMPTS: '0', VITE_WS_PORT: 8080 })).toEqual({
      maxReconnectAttempts: 0,
      port: 8080,
    })
  })

  it.each([
    ['REACT_APP_WS_PORT', 'abc', 'REACT_APP_WS_PORT must be an integer from 1 to 65535, got "abc"'],
    ['VITE_WS_PORT', '0', 'VITE_WS_PORT must be an integer from 1 to 65535, got "0"'],
    ['REACT_APP_WS_PORT', '65536', 'must be an integer from 1 to 65535'],
    ['REACT_APP_WS_PORT', '30.5', 'must be an integer from 1 to 65535'],
    ['REACT_APP_WS_PROTOCOLS', 'v1', 'REACT_APP_WS_PROTOCOLS must be a JSON array of strings'],
    ['VITE_WS_PROTOCOLS', '"v1"', 'VITE_WS_PROTOCOLS must be a JSON array of strings'],
    ['REACT_APP_WS_PROTOCOLS', '[1]', 'must be a JSON array of strings'],
    [
      'REACT_APP_WS_RECONNECT_INTERVAL',
      '-5',
      'REACT_APP_WS_RECONNECT_INTERVAL must be a positive integer (milliseconds), got "-5"',
    ],
    ['VITE_WS_RECONNECT_INTERVAL', '0', 'VITE_WS_RECONNECT_INTERVAL must be a positive integer'],
    [
      'REACT_APP_WS_HEARTBEAT_INTERVAL',
      '30s',
      'REACT_APP_WS_HEARTBEAT_INTERVAL must be a positive integer',
    ],
    [
      'REACT_APP_WS_MAX_RECONNECT_ATTEMPTS',
      'many',
      'REACT_APP_WS_MAX_RECONNECT_ATTEMPTS must be a non-negative integer, got "many"',
    ],
    [
      'VITE_WS_MAX_RECONNECT_ATTEMPTS',
      '1e3',
      'VITE_WS_MAX_RECONNECT_ATTEMPTS must be a non-negative integer',
    ],
    ['REACT_APP_WS_URL', 'http://[bad', 'REACT_APP_WS_URL must be a host or a ws:// / wss:// URL'],
    ['VITE_WS_URL', 'ftp://example.com', 'VITE_WS_URL must be a host or a ws:// / wss:// URL'],
  ])('rejects %s=%s, naming the variable', (name, value, message) => {
    expect(() => configFromEnv({ [name]: value })).toThrow(TypeError)
    expect(() => configFromEnv({ [name]: value })).toThrow(message)
  })

  it('rejects an object where text belongs, naming the variable', () => {
    expect(() => configFromEnv({ VITE_WS_PORT: { port: 3000 } })).toThrow(
      'VITE_WS_PORT must be an integer from 1 to 65535, got an object',
    )
  })

  it('works with process.env', () => {
    expect(configFromEnv(process.env)).toEqual(expect.any(Object))
  })
})
