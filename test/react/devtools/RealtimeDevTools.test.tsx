// @vitest-environment jsdom
import '../support/nodeTypedArrays'
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { RealtimeDevTools, WebSocketProvider, useWebSocket } from '../../../src/react'
import { configFor, createAppStore, createWorld, tearDown, type World } from '../support/reactWorld'

let world: World | undefined
afterEach(async () => {
  await tearDown(world)
  world = undefined
  vi.unstubAllGlobals()
})

async function mountPanel(defaultOpen?: boolean) {
  world = await createWorld()
  const app = createAppStore(await configFor(world.server.url, 'alice'))
  render(
    <WebSocketProvider store={app.store} realtime={app.realtime}>
      <RealtimeDevTools {...(defaultOpen !== undefined ? { defaultOpen } : {})} />
    </WebSocketProvider>,
  )
  await screen.findByTestId('devtools-panel')
  await waitFor(() => expect(screen.getByTestId('devtools-state').textContent).toBe('open'))
  return { app, world }
}

const frames = () =>
  within(screen.getByTestId('devtools-frames')).queryAllByTestId('devtools-frame')

describe('RealtimeDevTools', () => {
  it('monitors the connection and controls it with the buttons', async () => {
    const { app } = await mountPanel()
    expect(screen.getByTestId('devtools-user').textContent).toBe('alice')
    expect(screen.getByTestId('devtools-url').textContent).toBe(world?.server.url)
    expect(screen.getByTestId('devtools-health').textContent).toBe('100/100')

    fireEvent.click(screen.getByTestId('devtools-disconnect'))
    await waitFor(() => expect(screen.getByTestId('devtools-state').textContent).toBe('closed'))
    fireEvent.click(screen.getByTestId('devtools-connect'))
    await waitFor(() => expect(screen.getByTestId('devtools-state').textContent).toBe('open'))
    fireEvent.click(screen.getByTestId('devtools-reconnect'))
    await waitFor(() => expect(app.count('realtime/connection/closed')).toBe(2))
    await waitFor(() => expect(screen.getByTestId('devtools-state').textContent).toBe('open'))
  })

  it('sends a test message, joining the room first, and lists frames in and out as text', async () => {
    const { world } = await mountPanel()
    const bob = await world.client('bob', { rooms: ['lobby'] })
    fireEvent.change(screen.getByTestId('devtools-room'), { target: { value: 'lobby' } })
    fireEvent.change(screen.getByTestId('devtools-content'), {
      target: { value: '<img src=x onerror="alert(1)">' },
    })
    fireEvent.click(screen.getByTestId('devtools-send'))
    await waitFor(() => expect(screen.getByTestId('devtools-send-status').textContent).toBe('sent'))
    await bob.waitFor(() => bob.messages('lobby').length === 1)

    await waitFor(() => {
      const types = frames().map((f) => `${f.dataset.direction}:${f.dataset.type}`)
      expect(types).toContain('out:join')
      expect(types).toContain('out:chat_message')
      expect(types).toContain('in:ack')
    })
    const panel = screen.getByTestId('devtools-panel')
    expect(panel.querySelector('img')).toBeNull() // shown as text, never as HTML
    expect(panel.textContent).toContain('<img src=x onerror=\\"alert(1)\\">')
    const auth = frames().find((f) => f.dataset.type === 'auth')
    expect(auth?.textContent).toContain('[redacted]')

    fireEvent.change(screen.getByTestId('devtools-filter-direction'), { target: { value: 'out' } })
    expect(frames().every((f) => f.dataset.direction === 'out')).toBe(true)
    fireEvent.change(screen.getByTestId('devtools-filter-type'), { target: { value: 'join' } })
    // This user's private stream and the lobby.
    expect(frames().map((f) => f.dataset.type)).toEqual(['join', 'join'])
    fireEvent.click(screen.getByTestId('devtools-clear'))
    await waitFor(() => expect(frames()).toHaveLength(0))
  })

  it('collapses to its header', async () => {
    await mountPanel()
    expect(screen.getByTestId('devtools-body')).toBeTruthy()
    fireEvent.click(screen.getByTestId('devtools-toggle'))
    expect(screen.queryByTestId('devtools-body')).toBeNull()
    expect(screen.getByTestId('devtools-state').textContent).toBe('open')
  })

  it('starts collapsed on a screen narrower than 640 px', async () => {
    vi.stubGlobal('innerWidth', 390)
    await mountPanel()
    expect(screen.queryByTestId('devtools-body')).toBeNull()
    const toggle = screen.getByRole('button', { name: 'Expand the dev tools' })
    expect(toggle.getAttribute('aria-expanded')).toBe('false')
    fireEvent.click(toggle)
    expect(screen.getByTestId('devtools-body')).toBeTruthy()
    expect(screen.getByTestId('devtools-panel').style.maxHeight).toBe('45vh')
  })

  it('starts open on a narrow screen with defaultOpen', async () => {
    vi.stubGlobal('innerWidth', 390)
    await mountPanel(true)
    expect(screen.getByTestId('devtools-body')).toBeTruthy()
    expect(screen.getByRole('button', { name: 'Collapse the dev tools' })).toBeTruthy()
  })

  it('inspects a useWebSocket handle outside any provider', async () => {
    world = await createWorld()
    const config = await configFor(world.server.url, 'alice')
    function App() {
      const websocket = useWebSocket(config)
      return <RealtimeDevTools websocket={websocket} defaultOpen={false} />
    }
    render(<App />)
    await screen.findByTestId('devtools-panel')
    await waitFor(() => expect(screen.getByTestId('devtools-state').textContent).toBe('open'))
    expect(screen.queryByTestId('devtools-body')).toBeNull()
  })
})
