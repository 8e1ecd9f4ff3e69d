// @vitest-environment jsdom
import './support/nodeTypedArrays'
import { useEffect } from 'react'
import { fireEvent, render, screen, waitFor } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { WebSocket } from 'ws'
import { WebSocketUtils } from '../../src'
import {
  WebSocketProvider,
  useChat,
  useWebSocketContext,
  type WebSocketHandle,
} from '../../src/react'
import { tokenFor } from '../support/tokens'
import { createWorld, tearDown, type World } from './support/reactWorld'

let world: World | undefined
afterEach(async () => {
  await tearDown(world)
  world = undefined
  vi.unstubAllEnvs()
  vi.unstubAllGlobals()
})

// The seed's "Basic Usage" component, as written.
function ChatComponent() {
  const { websocket } = useWebSocketContext()
  const chat = useChat(websocket, 'room-id')

  const sendMessage = () => {
    // eslint-disable-next-line @typescript-eslint/no-floating-promises -- the seed's code, as written
    chat.sendMessage('Hello, World!')
  }

  return (
    <div>
      {chat.messages.map((msg) => (
        <div key={msg.id}>{msg.data.content}</div>
      ))}
      <button onClick={sendMessage}>Send Message</button>
    </div>
  )
}

// The seed's "Monitoring" effect, in a component.
function HealthMonitor({ websocket }: { websocket: WebSocketHandle }) {
  useEffect(() => {
    const interval = setInterval(() => {
      const health = WebSocketUtils.calculateHealthScore(websocket.getPerformanceMetrics())
      if (health < 50) {
        console.warn('Poor WebSocket connection health:', health)
      }
    }, 30000)

    return () => clearInterval(interval)
  }, [websocket])
  return null
}

function Monitored() {
  const { websocket } = useWebSocketContext()
  return <HealthMonitor websocket={websocket} />
}

describe('the seed README’s React samples', () => {
  it('run as written: Provider Setup (from the environment) with Basic Usage’s ChatComponent', async () => {
    world = await createWorld()
    // The seed's .env: REACT_APP_WS_URL / REACT_APP_WS_PORT.
    const { hostname, port } = new URL(world.server.url)
    vi.stubEnv('REACT_APP_WS_URL', hostname)
    vi.stubEnv('REACT_APP_WS_PORT', port)
    vi.stubGlobal('WebSocket', WebSocket)
    const bob = await world.client('bob', { rooms: ['room-id'] })

    function App() {
      return (
        <WebSocketProvider
          authToken={token}
          userId="current-user-id"
          enableDevMode={process.env.NODE_ENV === 'development'}
        >
          <ChatComponent />
          <Monitored />
        </WebSocketProvider>
      )
    }
    const token = await tokenFor('current-user-id')
    render(<App />)

    fireEvent.click(screen.getByText('Send Message'))
    await screen.findByText('Hello, World!')
    await bob.waitFor(() => bob.messages('room-id').some((m) => m.data.content === 'Hello, World!'))
    bob.store.dispatch(bob.actions.sendChatMessage({ room: 'room-id', content: 'Hi back' }))
    await screen.findByText('Hi back')
    await waitFor(() =>
      expect(screen.getAllByText(/Hello, World!|Hi back/).map((d) => d.textContent)).toEqual([
        'Hello, World!',
        'Hi back',
      ]),
    )
  })
})
