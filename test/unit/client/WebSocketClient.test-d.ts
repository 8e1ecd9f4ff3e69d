import { describe, expectTypeOf, it } from 'vitest'
import { WebSocketClient } from '../../../src/client/WebSocketClient'
import type { RealtimeMessage } from '../../../src/client/messageEvents'
import { createDefaultConfig } from '../../../src/config'
import { MessageType } from '../../../src/protocol/messageTypes'
import type { PresenceEntry } from '../../../src/protocol/frames'

declare const client: WebSocketClient

describe('WebSocketClient types', () => {
  it('accepts the seed config from createDefaultConfig', () => {
    expectTypeOf(WebSocketClient).toBeConstructibleWith(
      createDefaultConfig({ url: 'localhost', port: 3000, authToken: 't', enableLogging: true }),
    )
  })

  it('types each handler by the subscribed message type', () => {
    client.subscribe(MessageType.CHAT_MESSAGE, (message) => {
      expectTypeOf(message).toEqualTypeOf<RealtimeMessage<'chat_message'>>()
      expectTypeOf(message.data.content).toBeString()
    })
    client.subscribe(MessageType.USER_ONLINE, (message) => {
      expectTypeOf(message.data).toEqualTypeOf<PresenceEntry>()
    })
    client.subscribe(MessageType.ERROR, (message) => {
      expectTypeOf(message.data.code).toBeString()
    })
    // @ts-expect-error acks are never delivered to subscribers
    client.subscribe(MessageType.ACK, () => {})
  })

  it('rejects a chat message without a room', () => {
    // @ts-expect-error a chat message needs its room
    void client.sendMessage({ type: MessageType.CHAT_MESSAGE, data: { content: 'hi' } })
    void client.sendMessage({
      type: MessageType.DIRECT_MESSAGE,
      data: { to: 'bob', content: 'hi' },
    })
  })
})
