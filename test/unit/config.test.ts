import { describe, expect, it } from 'vitest'
import { createDefaultConfig, resolveConfig, resolveUrl } from '../../src/config'

describe('resolveUrl', () => {
  it.each([
    ['localhost', undefined, 'ws://localhost:3000'],
    ['localhost', 4000, 'ws://localhost:4000'],
    ['example.com:5000', undefined, 'ws://example.com:5000'],
    ['ws://localhost:3000', undefined, 'ws://localhost:3000'],
    ['ws://example.com', undefined, 'ws://example.com'],
    ['ws://example.com', 4000, 'ws://example.com:4000'],
    ['wss://example.com/path', undefined, 'wss://example.com/path'],
    ['http://example.com', undefined, 'ws://example.com'],
    ['https://example.com:8443/x', 9000, 'wss://example.com:8443/x'],
  ] as const)('resolves %s with port %s to %s', (url, port, expected) => {
    expect(resolveUrl({ url, ...(port !== undefined ? { port } : {}) })).toBe(expected)
  })

  it('refuses other schemes and unparsable URLs with an example of a good one', () => {
    expect(() => resolveUrl({ url: 'ftp://example.com' })).toThrow(/ws:\/\/ or wss:\/\//)
    expect(() => resolveUrl({ url: 'ws://' })).toThrow(/ws:\/\/localhost:3000/)
  })
})

describe('resolveConfig', () => {
  it('fills the defaults', () => {
    const config = resolveConfig({ url: 'localhost', networkEvents: null })
    expect(config).toMatchObject({
      reducerPath: 'realtime',
      reconnectInterval: 5000,
      maxReconnectAttempts: 10,
      heartbeatInterval: 30000,
      heartbeatTimeout: 10000,
      messageQueueSize: 1000,
      maxMessagesPerRoom: 1000,
      batchWindowMs: 16,
      autoReconnect: true,
    })
  })

  it('never waits longer for a pong than the heartbeat interval by default', () => {
    expect(resolveConfig({ url: 'localhost', heartbeatInterval: 4000 }).heartbeatTimeout).toBe(4000)
  })

  it('keeps explicit values and ignores undefined ones', () => {
    const config = resolveConfig({
      url: 'localhost',
      messageQueueSize: 5,
      reconnectInterval: undefined,
    })
    expect(config.messageQueueSize).toBe(5)
    expect(config.reconnectInterval).toBe(5000)
  })

  it.each([
    [{ url: '' }, /config\.url is required/],
    [{ url: 'localhost', reconnectInterval: 0 }, /reconnectInterval must be a positive number/],
    [
      { url: 'localhost', messageQueueSize: Number.NaN },
      /messageQueueSize must be a positive number/,
    ],
    [{ url: 'localhost', maxReconnectAttempts: -1 }, /maxReconnectAttempts must be 0 or more/],
    [{ url: 'localhost', reducerPath: '' }, /reducerPath must be a non-empty string/],
  ])('throws a TypeError with the fix for %o', (config, message) => {
    expect(() => resolveConfig(config)).toThrow(TypeError)
    expect(() => resolveConfig(config)).toThrow(message)
  })
})

describe('createDefaultConfig', () => {
  it('gives the seed defaults with overrides applied', () => {
    expect(createDefaultConfig({ authToken: 'x', port: 4000 })).toMatchObject({
      url: 'localhost',
      port: 4000,
      authToken: 'x',
      reconnectInterval: 5000,
      autoReconnect: true,
    })
  })
})
