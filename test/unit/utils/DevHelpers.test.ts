import { describe, expect, it, vi } from 'vitest'
import { DevHelpers } from '../../../src/utils/DevHelpers'
import { validateFrame } from '../../../src/protocol/codec'
import { WebSocketUtils } from '../../../src/utils/WebSocketUtils'
import { WebSocketClient } from '../../../src/client/WebSocketClient'
import { createDefaultConfig } from '../../../src/config'

function fakeLogger() {
  return { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() }
}

describe('DevHelpers.createMockMessage', () => {
  it('makes a chat message the codec accepts once given v: 1', () => {
    const message = DevHelpers.createMockMessage()
    expect(message).toMatchObject({
      type: 'chat_message',
      seq: 1,
      data: { content: expect.any(String) },
    })
    const result = validateFrame({ v: 1, ...message })
    expect(result.ok).toBe(true)
  })

  it('applies overrides and gives each message its own id', () => {
    const message = DevHelpers.createMockMessage({ room: 'general', data: { content: 'custom' } })
    expect(message).toMatchObject({ room: 'general', data: { content: 'custom' } })
    expect(DevHelpers.createMockMessage().id).not.toBe(DevHelpers.createMockMessage().id)
    expect(validateFrame({ v: 1, ...message }).ok).toBe(true)
  })
})

describe('DevHelpers.createMockConnectionInfo', () => {
  it('describes an open, authenticated connection with epoch-ms times', () => {
    const before = Date.now()
    const info = DevHelpers.createMockConnectionInfo({ latency: 250 })
    expect(info).toMatchObject({
      state: 'open',
      isAuthenticated: true,
      reconnectAttempts: 0,
      latency: 250,
      userId: expect.any(String),
    })
    expect(info.connectedAt).toBeLessThanOrEqual(before)
    expect(info.lastPongTime).toBeGreaterThanOrEqual(info.lastPingTime as number)
  })
})

describe('DevHelpers.createDebugLogger', () => {
  it('prefixes every line and logs all levels by default', () => {
    const target = fakeLogger()
    const logger = DevHelpers.createDebugLogger({ logger: target })
    logger.debug('a', 1)
    logger.info('b')
    logger.warn('c')
    logger.error('d')
    expect(target.debug).toHaveBeenCalledWith('[redux-realtime]', 'a', 1)
    expect(target.info).toHaveBeenCalledWith('[redux-realtime]', 'b')
    expect(target.warn).toHaveBeenCalledWith('[redux-realtime]', 'c')
    expect(target.error).toHaveBeenCalledWith('[redux-realtime]', 'd')
  })

  it('keeps debug and info silent when logging is disabled, but not warn and error', () => {
    const target = fakeLogger()
    const logger = DevHelpers.createDebugLogger({
      enableLogging: false,
      prefix: '[chat]',
      logger: target,
    })
    logger.debug('hidden')
    logger.info('hidden')
    logger.warn('shown')
    logger.error('shown')
    expect(target.debug).not.toHaveBeenCalled()
    expect(target.info).not.toHaveBeenCalled()
    expect(target.warn).toHaveBeenCalledWith('[chat]', 'shown')
    expect(target.error).toHaveBeenCalledWith('[chat]', 'shown')
  })

  it('writes info through debug for a logger without info', () => {
    const { info: _info, ...target } = fakeLogger()
    DevHelpers.createDebugLogger({ logger: target }).info('x')
    expect(target.debug).toHaveBeenCalledWith('[redux-realtime]', 'x')
  })
})

describe("the seed's Development Tools sample", () => {
  it('runs as written', () => {
    const metrics = new WebSocketClient(
      createDefaultConfig({ url: 'localhost', networkEvents: null }),
    ).getPerformanceMetrics()

    // Create mock data for testing
    const mockMessage = DevHelpers.createMockMessage()
    const mockConnection = DevHelpers.createMockConnectionInfo()

    // Debug logging
    const logger = DevHelpers.createDebugLogger()

    // Utility functions
    const roomId = WebSocketUtils.generatePrivateRoomId('user1', 'user2')
    const healthScore = WebSocketUtils.calculateHealthScore(metrics)

    expect(mockMessage.data.content).toEqual(expect.any(String))
    expect(mockConnection.state).toBe('open')
    expect(typeof logger.debug).toBe('function')
    expect(roomId).toBe('dm:user1:user2')
    expect(healthScore).toBe(100)
  })
})
