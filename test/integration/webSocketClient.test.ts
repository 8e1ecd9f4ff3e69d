import { afterEach, describe, expect, it, vi } from 'vitest'
import { WebSocket } from 'ws'
import {
  createRealtimeServer,
  type RealtimeServer,
  type RealtimeServerOptions,
} from '../../src/server'
import { WebSocketClient } from '../../src/client/WebSocketClient'
import type { AnyRealtimeMessage, RealtimeMessage } from '../../src/client/messageEvents'
import { createDefaultConfig, type RealtimeConfig } from '../../src/config'
import { WebSocketError } from '../../src/errors'
import { MessageType } from '../../src/protocol/messageTypes'
import { WebSocketUtils } from '../../src/utils/WebSocketUtils'
import { TEST_SECRET, tokenFor } from '../support/tokens'

let server: RealtimeServer | undefined
const clients: WebSocketClient[] = []

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy()
  await server?.close()
  server = undefined
})

async function startServer(options: Partial<RealtimeServerOptions> = {}): Promise<RealtimeServer> {
  server = await createRealtimeServer({
    port: 0,
    host: '127.0.0.1',
    jwt: { secret: TEST_SECRET },
    ...options,
  })
  return server
}

/** Debug lines go here instead of the test output. */
const quietLogger = { debug: () => {}, warn: () => {}, error: () => {} }

async function clientFor(
  userId: string,
  overrides: Partial<RealtimeConfig> = {},
): Promise<WebSocketClient> {
  const client = new WebSocketClient(
    createDefaultConfig({
      url: '127.0.0.1',
      port: (server as RealtimeServer).port,
      authToken: await tokenFor(userId),
      enableLogging: true,
      autoReconnect: true,
      WebSocket,
      networkEvents: null,
      logger: quietLogger,
      ...overrides,
    }),
  )
  clients.push(client)
  return client
}

/** Resolves when `check()` holds, polling; fails with `what` after 5 s. */
async function eventually(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the promise to reject')
    },
    (error: unknown) => error,
  )
}

describe('WebSocketClient against the reference server', () => {
  it("runs the seed's Core API sample as written", async () => {
    await startServer()
    const client = await clientFor('alice')

    // Connection management
    await client.connect()
    client.disconnect()
    await client.reconnect()

    // Messaging
    await client.sendMessage({
      type: MessageType.CHAT_MESSAGE,
      room: 'room-id',
      data: { content: 'Hello' },
    })

    // Room management
    await client.joinRoom('room-id')
    await client.leaveRoom('room-id')

    // Event subscription
    const received: RealtimeMessage<'chat_message'>[] = []
    const subscriptionId = client.subscribe(
      MessageType.CHAT_MESSAGE,
      (message) => received.push(message),
      'room-id',
    )
    expect(client.unsubscribe(subscriptionId)).toBe(true)
    expect(client.unsubscribe(subscriptionId)).toBe(false)

    expect(client.isConnected).toBe(true)
    expect(client.getRooms()).not.toContain('room-id')
    expect(client.getPerformanceMetrics()).toMatchObject({ messagesSent: 1, reconnectionCount: 1 })
  })

  it("delivers another client's messages to a room subscription until unsubscribed", async () => {
    await startServer()
    const logged = vi.fn()
    const alice = await clientFor('alice', { logger: { ...quietLogger, error: logged } })
    const bob = await clientFor('bob')
    await Promise.all([alice.connect(), bob.connect()])
    await Promise.all([
      alice.joinRoom('room-id'),
      alice.joinRoom('other'),
      bob.joinRoom('room-id'),
      bob.joinRoom('other'),
    ])

    const inRoom: RealtimeMessage<'chat_message'>[] = []
    const everywhere: AnyRealtimeMessage[] = []
    const id = alice.subscribe(MessageType.CHAT_MESSAGE, (m) => inRoom.push(m), 'room-id')
    alice.subscribe(MessageType.CHAT_MESSAGE, (m) => everywhere.push(m))
    alice.subscribe(MessageType.CHAT_MESSAGE, () => {
      throw new Error('a broken handler')
    })

    await bob.sendMessage({
      type: MessageType.CHAT_MESSAGE,
      room: 'other',
      data: { content: 'elsewhere' },
    })
    await bob.sendMessage({
      type: MessageType.CHAT_MESSAGE,
      room: 'room-id',
      data: { content: 'Hello alice' },
    })
    await eventually(() => everywhere.length === 2, 'both messages at alice')

    expect(inRoom).toEqual([
      {
        id: expect.any(String),
        type: 'chat_message',
        timestamp: expect.any(Number),
        userId: 'bob',
        room: 'room-id',
        data: { content: 'Hello alice' },
      },
    ])
    expect(everywhere.map((m) => m.room)).toEqual(['other', 'room-id'])
    expect(logged).toHaveBeenCalledWith(
      '[redux-realtime] a chat_message subscriber threw',
      expect.objectContaining({ message: 'a broken handler' }),
    )

    expect(alice.unsubscribe(id)).toBe(true)
    await bob.sendMessage({
      type: MessageType.CHAT_MESSAGE,
      room: 'room-id',
      data: { content: 'after unsubscribe' },
    })
    await eventually(() => everywhere.length === 3, 'the third message at alice')
    expect(inRoom).toHaveLength(1)
  })

  it('sends a direct message and delivers it to the addressee as DIRECT_MESSAGE', async () => {
    await startServer()
    const alice = await clientFor('alice')
    const bob = await clientFor('bob')
    await Promise.all([alice.connect(), bob.connect()])
    const received: RealtimeMessage<'direct_message'>[] = []
    bob.subscribe(MessageType.DIRECT_MESSAGE, (m) => received.push(m))

    await alice.sendMessage({
      type: MessageType.DIRECT_MESSAGE,
      data: { to: 'bob', content: 'psst' },
    })
    await eventually(() => received.length === 1, 'the direct message at bob')

    expect(received[0]).toMatchObject({
      type: 'direct_message',
      userId: 'alice',
      data: { to: 'bob', content: 'psst' },
    })
  })

  it('rejects connect with AUTHENTICATION_FAILED for a bad token', async () => {
    await startServer()
    const client = await clientFor('mallory', {
      authToken: await tokenFor('mallory', { secret: 'not-the-server-secret' }),
    })

    const error = await rejection(client.connect())

    expect(error).toBeInstanceOf(WebSocketError)
    expect(error).toMatchObject({ code: 'AUTHENTICATION_FAILED' })
    expect(client.connectionState).toBe('closed')
  })

  it('resolves sendMessage after the ack and rejects an oversize message with MESSAGE_TOO_LARGE', async () => {
    await startServer({ maxPayload: 4096 })
    const client = await clientFor('alice')
    await client.connect()
    await client.joinRoom('general')

    await client.sendMessage({
      type: MessageType.CHAT_MESSAGE,
      room: 'general',
      data: { content: 'fits' },
    })
    expect(client.realtime.selectors.selectPendingMessages(client.store.getState())).toEqual([])
    const sent = client.realtime.selectors.selectMessagesByRoom(client.store.getState(), 'general')
    expect(sent).toEqual([expect.objectContaining({ status: 'sent', data: { content: 'fits' } })])

    const error = await rejection(
      client.sendMessage({
        type: MessageType.CHAT_MESSAGE,
        room: 'general',
        data: { content: 'x'.repeat(6000) },
      }),
    )
    expect(error).toBeInstanceOf(WebSocketError)
    expect(error).toMatchObject({ code: 'MESSAGE_TOO_LARGE' })
  })

  it('keeps a message sent while disconnected and resolves it once acked after connecting', async () => {
    await startServer()
    const client = await clientFor('alice')
    await client.connect()
    await client.joinRoom('general')
    client.disconnect()

    let settled = false
    const sending = client
      .sendMessage({ type: MessageType.CHAT_MESSAGE, room: 'general', data: { content: 'later' } })
      .finally(() => {
        settled = true
      })
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(settled).toBe(false)
    expect(client.realtime.selectors.selectPendingMessages(client.store.getState())).toHaveLength(1)

    await client.connect()
    await sending
    expect(client.realtime.selectors.selectPendingMessages(client.store.getState())).toEqual([])
  })

  it('rejects a malformed message with a TypeError before anything is sent', async () => {
    await startServer()
    const client = await clientFor('alice')
    await client.connect()

    const error = await rejection(
      client.sendMessage({
        type: MessageType.CHAT_MESSAGE,
        room: 'general',
        data: { content: 42 as unknown as string },
      }),
    )

    expect(error).toBeInstanceOf(TypeError)
    expect(client.realtime.selectors.selectPendingMessages(client.store.getState())).toEqual([])
  })

  it('reports connection info and performance metrics in the seed shapes', async () => {
    await startServer()
    const client = await clientFor('alice')
    await client.connect()
    await client.sendMessage({
      type: MessageType.CHAT_MESSAGE,
      room: 'general',
      data: { content: 'hi' },
    })

    const info = client.getConnectionInfo()
    expect(info).toMatchObject({
      state: 'open',
      isAuthenticated: true,
      userId: 'alice',
      reconnectAttempts: 0,
      connectedAt: expect.any(Number),
    })
    const metrics = client.getPerformanceMetrics()
    expect(metrics).toEqual({
      messagesReceived: expect.any(Number),
      messagesSent: 1,
      averageLatency: expect.any(Number),
      connectionUptime: expect.any(Number),
      reconnectionCount: 0,
      errorCount: 0,
      lastUpdate: expect.any(Number),
    })
    expect(WebSocketUtils.calculateHealthScore(metrics)).toBe(100)
  })

  it('rejects joinRoom with FORBIDDEN when authorize denies it', async () => {
    await startServer({ authorize: ({ room }) => room !== 'staff' })
    const client = await clientFor('alice')
    await client.connect()

    const error = await rejection(client.joinRoom('staff'))

    expect(error).toBeInstanceOf(WebSocketError)
    expect(error).toMatchObject({ code: 'FORBIDDEN' })
    await client.joinRoom('general')
    expect(client.getRooms()).toEqual(['general'])
  })

  it('sends a new token on a live connection and resolves when the server accepts it', async () => {
    await startServer()
    const client = await clientFor('alice')
    await client.connect()

    await client.authenticate(await tokenFor('alice', { expiresIn: '2h' }))

    expect(client.isConnected).toBe(true)
    expect(client.getPerformanceMetrics().reconnectionCount).toBe(0)
  })

  it('rejects authenticate with AUTHENTICATION_FAILED when the server refuses the new token', async () => {
    await startServer()
    const client = await clientFor('alice')
    await client.connect()

    const error = await rejection(client.authenticate('not-a-jwt'))

    expect(error).toBeInstanceOf(WebSocketError)
    expect(error).toMatchObject({ code: 'AUTHENTICATION_FAILED' })
  })

  it('works the same with another reducerPath: the store holds it there, subscribers get messages', async () => {
    await startServer()
    const alice = await clientFor('alice', { reducerPath: 'chatSocket' })
    const bob = await clientFor('bob')
    await Promise.all([alice.connect(), bob.connect()])
    await Promise.all([alice.joinRoom('general'), bob.joinRoom('general')])
    const got: string[] = []
    alice.subscribe(MessageType.CHAT_MESSAGE, (m) => got.push(m.data.content), 'general')

    await bob.sendMessage({
      type: MessageType.CHAT_MESSAGE,
      room: 'general',
      data: { content: 'hi' },
    })
    await eventually(() => got.length === 1, 'alice gets the message')

    expect(got).toEqual(['hi'])
    expect(Object.keys(alice.store.getState())).toEqual(['chatSocket'])
  })
})
