import ReconnectingWebSocket from 'reconnecting-websocket'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { describe, expect, it, vi } from 'vitest'
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

  it('has neither the handler fields nor a message queue, which the transport never reaches', async () => {
    const created: FakeSocket[] = []
    class FakeSocket {
      static CLOSING = 2
      readyState = 0
      binaryType = ''
      sent: unknown[] = []
      listeners = new Map<string, (event: unknown) => void>()
      constructor() {
        created.push(this)
      }
      addEventListener(type: string, listener: (event: unknown) => void) {
        this.listeners.set(type, listener)
      }
      removeEventListener() {}
      send(data: unknown) {
        this.sent.push(data)
      }
      close() {}
    }
    const socket = new ReconnectingWebSocket('ws://127.0.0.1:1', undefined, {
      WebSocket: FakeSocket,
    })
    for (const field of ['onopen', 'onmessage', 'onerror', 'onclose']) {
      expect(socket).not.toHaveProperty(field)
    }
    expect(socket.readyState).toBe(0)
    // Sent before the socket opened: dropped, never queued (the transport sends only when open).
    socket.send('early')
    await vi.waitFor(() => expect(created).toHaveLength(1))
    const [fake] = created as [FakeSocket]
    fake.readyState = 1
    fake.listeners.get('open')?.({ type: 'open' })
    expect(fake.sent).toEqual([])
    socket.send('late')
    expect(fake.sent).toEqual(['late'])
    socket.close()
  })

  it('takes no global WebSocket: the transport always passes its own class', () => {
    vi.stubGlobal(
      'WebSocket',
      class {
        static CLOSING = 2
      },
    )
    try {
      expect(() => new ReconnectingWebSocket('ws://127.0.0.1:1')).toThrow(/No valid WebSocket/)
    } finally {
      vi.unstubAllGlobals()
    }
  })

  it('fails on a source where one of its edits does not apply', () => {
    const path = createRequire(import.meta.url).resolve(
      'reconnecting-websocket/reconnecting-websocket.ts',
    )
    const source = readFileSync(path, 'utf8')
    expect(() => trimReconnectingWebSocket(source)).not.toThrow()
    expect(() => trimReconnectingWebSocket(source.replace('startClosed: false,', ''))).toThrow(
      /startClosed/,
    )
    expect(() => trimReconnectingWebSocket(source.replace('public onopen:', 'onopen:'))).toThrow(
      /onopen/,
    )
  })
})
