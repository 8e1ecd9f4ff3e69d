/**
 * The seed's message types (its "Message Structure" section) from the core entry, and the seed's
 * own declarations of them, pasted as written, agreeing with the package's.
 */
import { describe, expectTypeOf, it } from 'vitest'
import {
  DevHelpers,
  MessageType,
  WebSocketClient,
  createDefaultConfig,
  createRealtime,
  type Attachment,
  type BaseMessage,
  type ChatMessage,
  type RealtimeState,
} from '../../src'

// --- The seed's declarations, as written ------------------------------------------------------
interface SeedBaseMessage {
  id: string
  type: MessageType
  timestamp: number
  userId?: string
  room?: string
  data?: any
}

interface SeedChatMessage extends SeedBaseMessage {
  type: MessageType.CHAT_MESSAGE
  data: {
    content: string
    replyTo?: string
    mentions?: string[]
    attachments?: Attachment[]
  }
}

describe("the seed's message types", () => {
  it('BaseMessage has the seed’s fields, data as unknown (the seed’s any)', () => {
    expectTypeOf<keyof BaseMessage>().toEqualTypeOf<keyof SeedBaseMessage>()
    expectTypeOf<BaseMessage['type']>().toEqualTypeOf<MessageType>()
    expectTypeOf<BaseMessage['room']>().toEqualTypeOf<string | undefined>()
    expectTypeOf<BaseMessage['data']>().toEqualTypeOf<unknown>()
    expectTypeOf<SeedBaseMessage>().toExtend<BaseMessage>()
  })

  it('MessageType members are types too, as the seed’s enum members were', () => {
    expectTypeOf<MessageType.CHAT_MESSAGE>().toEqualTypeOf<'chat_message'>()
    expectTypeOf<MessageType.PING>().toEqualTypeOf<typeof MessageType.PING>()
    expectTypeOf<SeedChatMessage['type']>().toEqualTypeOf<'chat_message'>()
  })

  it('ChatMessage and the seed’s ChatMessage are assignable both ways; room is optional', () => {
    expectTypeOf<SeedChatMessage>().toExtend<ChatMessage>()
    expectTypeOf<ChatMessage>().toExtend<SeedChatMessage>()
    expectTypeOf<ChatMessage>().toExtend<BaseMessage>()
    expectTypeOf<ChatMessage['room']>().toEqualTypeOf<string | undefined>()
    expectTypeOf<ChatMessage['data']['content']>().toBeString()

    const draft: ChatMessage = {
      id: 'm1',
      type: MessageType.CHAT_MESSAGE,
      timestamp: Date.now(),
      data: { content: 'Hello' },
    }
    const seeds: SeedChatMessage[] = [draft]
    expectTypeOf(seeds).items.toEqualTypeOf<SeedChatMessage>()
  })

  it('is what state, the seed’s client and DevHelpers hand out', () => {
    const realtime = createRealtime({ url: 'localhost' })
    const state = {} as { realtime: RealtimeState }
    expectTypeOf(realtime.selectors.selectMessagesByRoom(state, 'general')).toEqualTypeOf<
      readonly ChatMessage[]
    >()
    expectTypeOf(DevHelpers.createMockMessage()).toEqualTypeOf<ChatMessage>()

    const client = new WebSocketClient(createDefaultConfig({ url: 'localhost', port: 3000 }))
    // A handler typed with the seed's ChatMessage, or the package's.
    client.subscribe(MessageType.CHAT_MESSAGE, (message: SeedChatMessage) => message.data.content)
    client.subscribe(MessageType.CHAT_MESSAGE, (message: ChatMessage) => message.data.content)
    client.subscribe(MessageType.CHAT_MESSAGE, (message: BaseMessage) => message.id, 'room-id')
  })
})
