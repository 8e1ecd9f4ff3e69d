import ReconnectingWebSocket from 'reconnecting-websocket'
import { describe, expect, it } from 'vitest'
import { trimReconnectingWebSocket } from '../../../scripts/reconnectingWebSocket.mjs'

describe('reconnecting-websocket in the tests', () => {
  it('is compiled from its TypeScript source, as dist bundles it, not its ES5 build', () => {
    // The ES5 build defines the class as a function; the source is a class.
    expect(Function.prototype.toString.call(ReconnectingWebSocket)).toMatch(/^class /)
  })

  it('is trimmed as dist is: what the transport uses is there, what nothing calls is not', () => {
    const members = Object.getOwnPropertyNames(ReconnectingWebSocket.prototype)
    for (const used of ['addEventListener', 'send', 'close', 'reconnect', 'readyState', 'OPEN']) {
      expect(members).toContain(used)
    }
    expect(members).toContain('retryCount')
    for (const unused of [
      'CLOSING',
      'bufferedAmount',
      'binaryType',
      'url',
      'removeEventListener',
    ]) {
      expect(members).not.toContain(unused)
    }
  })

  it('fails on a source it does not know instead of shipping it untrimmed', () => {
    expect(() =>
      trimReconnectingWebSocket('export default class ReconnectingWebSocket {}'),
    ).toThrow(/reconnecting-websocket/)
  })
})
