// @vitest-environment jsdom
import './support/nodeTypedArrays'
import { render, screen, waitFor } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocketProvider, useChat } from '../../src/react'
import {
  configFor,
  createAppStore,
  createWorld,
  sleep,
  tearDown,
  type World,
} from './support/reactWorld'

let world: World | undefined
afterEach(async () => {
  await tearDown(world)
  world = undefined
})

const renders: Record<string, number> = {}

function Room({ room }: { room: string }) {
  renders[room] = (renders[room] ?? 0) + 1
  const chat = useChat(room)
  return (
    <ul data-testid={room} data-joined={String(chat.isJoined)}>
      {chat.messages.map((m) => (
        <li key={m.id}>{m.data.content}</li>
      ))}
    </ul>
  )
}

describe('re-render isolation', () => {
  it('re-renders only the component whose room received a message', async () => {
    world = await createWorld()
    const app = createAppStore(await configFor(world.server.url, 'alice'))
    render(
      <WebSocketProvider store={app.store} realtime={app.realtime}>
        <Room room="room-a" />
        <Room room="room-b" />
      </WebSocketProvider>,
    )
    await waitFor(() => {
      expect(screen.getByTestId('room-a').dataset.joined).toBe('true')
      expect(screen.getByTestId('room-b').dataset.joined).toBe('true')
    })
    const bob = await world.client('bob', { rooms: ['room-a'] })
    await sleep(100) // presence and connection updates from bob's arrival settle
    const before = { a: renders['room-a'] ?? 0, b: renders['room-b'] ?? 0 }
    const dispatchedBefore = app.actions.length

    bob.store.dispatch(bob.actions.sendChatMessage({ room: 'room-a', content: 'only for A' }))
    await screen.findByText('only for A')
    await sleep(50)

    expect(app.actions.length).toBeGreaterThan(dispatchedBefore) // the store did change
    expect(renders['room-a']).toBeGreaterThan(before.a)
    expect(renders['room-b']).toBe(before.b)
  })
})
