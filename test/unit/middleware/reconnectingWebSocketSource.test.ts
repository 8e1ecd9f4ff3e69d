import ReconnectingWebSocket from 'reconnecting-websocket'
import { describe, expect, it } from 'vitest'

describe('reconnecting-websocket in the tests', () => {
  it('is compiled from its TypeScript source, as dist bundles it, not its ES5 build', () => {
    // The ES5 build defines the class as a function; the source is a class.
    expect(Function.prototype.toString.call(ReconnectingWebSocket)).toMatch(/^class /)
  })
})
