import { describe, expectTypeOf, it } from 'vitest'
import {
  createDefaultConfig,
  createRealtime,
  WebSocketClient,
  type RealtimeConfig,
} from '../../src'
import { WebSocketProvider } from '../../src/react'

describe('config.url: one URL or a list', () => {
  it('accepts a string, an array and a readonly tuple wherever a config is passed', () => {
    expectTypeOf<RealtimeConfig['url']>().toEqualTypeOf<string | readonly string[]>()
    createRealtime({ url: 'ws://a.example.com' })
    createRealtime({ url: ['ws://a.example.com', 'ws://b.example.com'] })
    const urls = ['ws://a.example.com', 'ws://b.example.com'] as const
    createRealtime({ url: urls })
    const config = createDefaultConfig({ url: urls, authToken: 't' })
    expectTypeOf(config.url).toEqualTypeOf<readonly ['ws://a.example.com', 'ws://b.example.com']>()
    expectTypeOf(config).toMatchTypeOf<RealtimeConfig>()
    expectTypeOf(createDefaultConfig().url).toEqualTypeOf<string>()
    new WebSocketClient(createDefaultConfig({ url: ['ws://a.example.com'] }))
    void (<WebSocketProvider config={{ url: ['ws://a.example.com', 'ws://b.example.com'] }} />)
  })

  it('refuses other types', () => {
    // @ts-expect-error a list holds URL strings
    createRealtime({ url: [3000] })
    // @ts-expect-error a URL is a string
    createRealtime({ url: new URL('ws://a.example.com') })
  })
})
