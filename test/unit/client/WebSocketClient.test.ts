import { describe, expect, it } from 'vitest'
import { WebSocketClient } from '../../../src/client/WebSocketClient'
import { createDefaultConfig } from '../../../src/config'
import { WebSocketError } from '../../../src/errors'
import { MessageType } from '../../../src/protocol/messageTypes'
import type { SendMessageInput } from '../../../slices/actions'

/** A client that never connects: these behaviours need no server. */
function offlineClient(): WebSocketClient {
  return new WebSocketClient(createDefaultConfig({ url: 'localhost', networkEvents: null }))
}

describe('WebSocketClient without a connection', () => {
  it('runs on its own store with the realtime state at its reducerPath', () => {
    const client = offlineClient()
    expect(client.realtime.reducerPath).toBe('realtime')
    expect(client.connectionState).toBe('idle')
    expect(client.isConnected).toBe(false)
    expect(client.getRooms()).toEqual([])
    expect(client.getConnectionInfo()).toEqual({
      state: 'idle',
      reconnectAttempts: 0,
      isAuthenticated: false,
    })
  })

  it('rejects programmer misuse of sendMessage with the TypeError of the action creator', async () => {
    const client = offlineClient()
    await expect(
      client.sendMessage({ type: 'ping', data: {} } as unknown as SendMessageInput),
    ).rejects.toThrow(TypeError)
    await expect(
      client.sendMessage({
        type: MessageType.CHAT_MESSAGE,
        room: 'has space',
        data: { content: 'x' },
      }),
    ).rejects.toThrow(/room must be/)
    await expect(client.joinRoom('')).rejects.toThrow(TypeError)
    await expect(client.leaveRoom('')).rejects.toThrow(TypeError)
    await expect(client.authenticate('')).rejects.toThrow(TypeError)
  })

  it('keeps a token for the next connect and resolves at once when not connected', async () => {
    const client = offlineClient()
    await expect(client.authenticate('next-token')).resolves.toBeUndefined()
  })

  it('refuses subscriptions to types it never delivers, and non-function handlers', () => {
    const client = offlineClient()
    expect(() => client.subscribe('ack' as typeof MessageType.CHAT_MESSAGE, () => {})).toThrow(
      /never delivered to subscribers; use one of chat_message/,
    )
    expect(() =>
      client.subscribe(MessageType.CHAT_MESSAGE, 'nope' as unknown as () => void),
    ).toThrow(TypeError)
    expect(client.unsubscribe('unknown')).toBe(false)
  })

  it('rejects pending calls when destroyed', async () => {
    const client = offlineClient()
    const joining = client.joinRoom('general')
    client.destroy()
    const error: unknown = await joining.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(WebSocketError)
    expect(error).toMatchObject({ code: 'CONNECTION_FAILED' })
  })
})
