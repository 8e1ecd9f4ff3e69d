// @vitest-environment jsdom
import './support/nodeTypedArrays'
import { StrictMode, useState } from 'react'
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocketProvider, useChat, useWebSocketContext, type ChatHandle } from '../../src/react'
import { configFor, createAppStore, createWorld, tearDown, type World } from './support/reactWorld'

let world: World | undefined
afterEach(async () => {
  await tearDown(world)
  world = undefined
})

function Room({ room, onChat }: { room: string; onChat?: (chat: ChatHandle) => void }) {
  const { websocket } = useWebSocketContext()
  const chat = useChat(websocket, room, { maxMessages: 100 })
  onChat?.(chat)
  return (
    <ul data-testid={`room-${room}`} data-joined={String(chat.isJoined)}>
      {chat.messages.map((m) => (
        <li key={m.id} data-status={m.status ?? ''}>
          {m.data.content}
        </li>
      ))}
      <li data-testid={`typing-${room}`}>{chat.typingUsers.join(',')}</li>
    </ul>
  )
}

async function appWithServer() {
  world = await createWorld()
  return createAppStore(await configFor(world.server.url, 'alice'))
}

describe('useChat', () => {
  it('joins once for two components on one room and leaves when the last unmounts', async () => {
    const app = await appWithServer()
    function Toggle() {
      const [first, setFirst] = useState(true)
      const [second, setSecond] = useState(true)
      return (
        <>
          <button onClick={() => setFirst(false)}>drop first</button>
          <button onClick={() => setSecond(false)}>drop second</button>
          {first && <Room room="general" />}
          {second && <Room room="general" />}
        </>
      )
    }
    render(
      <StrictMode>
        <WebSocketProvider store={app.store} realtime={app.realtime}>
          <Toggle />
        </WebSocketProvider>
      </StrictMode>,
    )
    await waitFor(() =>
      expect(app.realtime.selectors.selectRooms(app.store.getState())).toContain('general'),
    )
    expect(app.count('realtime/joinRoom', 'general')).toBe(1)

    fireEvent.click(screen.getByText('drop first'))
    await new Promise((r) => setTimeout(r, 30))
    expect(app.count('realtime/leaveRoom', 'general')).toBe(0)

    fireEvent.click(screen.getByText('drop second'))
    await waitFor(() => expect(app.count('realtime/leaveRoom', 'general')).toBe(1))
    expect(app.realtime.selectors.selectRoomStatus(app.store.getState(), 'general')).toBeUndefined()
  })

  it('shows messages another real client sends, and typing users', async () => {
    const app = await appWithServer()
    render(
      <WebSocketProvider store={app.store} realtime={app.realtime}>
        <Room room="general" />
      </WebSocketProvider>,
    )
    await waitFor(() => expect(screen.getByTestId('room-general').dataset.joined).toBe('true'))
    const bob = await world!.client('bob', { rooms: ['general'] })
    bob.store.dispatch(bob.actions.startTyping('general'))
    await waitFor(() => expect(screen.getByTestId('typing-general').textContent).toBe('bob'))

    bob.store.dispatch(bob.actions.sendChatMessage({ room: 'general', content: 'hi from bob' }))
    await screen.findByText('hi from bob')
    // A message from a typing user ends their indicator.
    await waitFor(() => expect(screen.getByTestId('typing-general').textContent).toBe(''))
  })

  it('sendMessage resolves once the server has acknowledged the message', async () => {
    const app = await appWithServer()
    let chat: ChatHandle | undefined
    render(
      <WebSocketProvider store={app.store} realtime={app.realtime}>
        <Room room="general" onChat={(c) => (chat = c)} />
      </WebSocketProvider>,
    )
    const bob = await world!.client('bob', { rooms: ['general'] })
    await act(() => chat!.sendMessage('hello everyone'))
    const mine = app.realtime.selectors
      .selectMessagesByRoom(app.store.getState(), 'general')
      .find((m) => m.data.content === 'hello everyone')
    expect(mine?.status).toBe('sent')
    expect(app.count('realtime/outbox/acked')).toBeGreaterThanOrEqual(1)
    await bob.waitFor(() =>
      bob.messages('general').some((m) => m.data.content === 'hello everyone'),
    )
  })

  it('rejects sendMessage with the server’s error when the room refuses the write', async () => {
    world = await createWorld({ rooms: { announcements: { writers: ['bob'] } } })
    const app = createAppStore(await configFor(world.server.url, 'alice'))
    let chat: ChatHandle | undefined
    render(
      <WebSocketProvider store={app.store} realtime={app.realtime}>
        <Room room="announcements" onChat={(c) => (chat = c)} />
      </WebSocketProvider>,
    )
    await waitFor(() => expect(chat?.isJoined).toBe(true))
    await expect(act(() => chat!.sendMessage('may I?'))).rejects.toMatchObject({
      code: 'FORBIDDEN',
    })
  })

  it('sends typing indicators that stop by themselves after typingTimeout', async () => {
    const app = await appWithServer()
    let chat: ChatHandle | undefined
    function Typist() {
      chat = useChat('general', { typingTimeout: 100 })
      return null
    }
    render(
      <WebSocketProvider store={app.store} realtime={app.realtime}>
        <Typist />
      </WebSocketProvider>,
    )
    const bob = await world!.client('bob', { rooms: ['general'] })
    await waitFor(() => expect(chat?.isJoined).toBe(true))
    act(() => chat!.startTyping())
    await bob.waitFor((st) => bob.selectors.selectTypingUsers(st, 'general').includes('alice'))
    expect(app.count('realtime/stopTyping')).toBe(0)
    await waitFor(() => expect(app.count('realtime/stopTyping')).toBe(1))
    await bob.waitFor((st) => bob.selectors.selectTypingUsers(st, 'general').length === 0)
  })

  it('marks messages as read and counts unread ones', async () => {
    const app = await appWithServer()
    let chat: ChatHandle | undefined
    render(
      <WebSocketProvider store={app.store} realtime={app.realtime}>
        <Room room="general" onChat={(c) => (chat = c)} />
      </WebSocketProvider>,
    )
    await waitFor(() => expect(chat?.isJoined).toBe(true))
    const bob = await world!.client('bob', { rooms: ['general'] })
    bob.store.dispatch(bob.actions.sendChatMessage({ room: 'general', content: 'one' }))
    bob.store.dispatch(bob.actions.sendChatMessage({ room: 'general', content: 'two' }))
    await waitFor(() => expect(chat?.unreadCount).toBe(2))
    const last = chat!.messages[chat!.messages.length - 1]!
    act(() => chat!.markAsRead(last.id))
    await waitFor(() => expect(chat?.unreadCount).toBe(0))
    expect(chat!.readReceipts.alice?.messageId).toBe(last.id)
    await bob.waitFor(
      (st) => bob.selectors.selectReadReceipts(st, 'general').alice?.messageId === last.id,
    )
  })
})
