// @vitest-environment jsdom
import './support/nodeTypedArrays'
import { act, render, screen, waitFor } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  WebSocketProvider,
  useChat,
  useWebSocket,
  type UseWebSocketOptions,
  type WebSocketHandle,
} from '../../src/react'
import { WebSocketError, WebSocketErrorCode, type RealtimeConfig } from '../../src'
import { createCountingProxy, type CountingProxy } from './support/countingProxy'
import {
  configFor,
  createAppStore,
  createWorld,
  sleep,
  tearDown,
  type World,
} from './support/reactWorld'

let world: World | undefined
let proxy: CountingProxy | undefined
afterEach(async () => {
  await tearDown(world)
  await proxy?.close()
  world = proxy = undefined
})

const handles: WebSocketHandle[] = []
function Socket({
  config,
  options,
  id,
}: {
  config?: RealtimeConfig
  options?: UseWebSocketOptions
  id: string
}) {
  const websocket = useWebSocket(config, options)
  handles.push(websocket)
  return <p data-testid={id}>{websocket.connectionState}</p>
}

describe('useWebSocket', () => {
  it('shares one store and one socket between components given the same config object', async () => {
    world = await createWorld()
    proxy = await createCountingProxy(world.server.port)
    const config = await configFor(proxy.url, 'alice')
    handles.length = 0
    render(
      <>
        <Socket config={config} id="one" />
        <Socket config={config} id="two" />
      </>,
    )
    await waitFor(() => {
      expect(screen.getByTestId('one').textContent).toBe('open')
      expect(screen.getByTestId('two').textContent).toBe('open')
    })
    await sleep(50)
    expect(proxy.total()).toBe(1)
    expect(new Set(handles.map((h) => h.store)).size).toBe(1)
  })

  it('keeps one store for an inline config literal across renders', async () => {
    world = await createWorld()
    const base = await configFor(world.server.url, 'alice')
    handles.length = 0
    function Inline() {
      const websocket = useWebSocket({ ...base })
      handles.push(websocket)
      return <p data-testid="inline">{websocket.connectionState}</p>
    }
    render(<Inline />)
    await waitFor(() => expect(screen.getByTestId('inline').textContent).toBe('open'))
    expect(handles.length).toBeGreaterThan(1)
    expect(new Set(handles.map((h) => h.store)).size).toBe(1)
  })

  it('calls onConnect and onDisconnect, and sends with promises of the ack', async () => {
    world = await createWorld()
    const config = await configFor(world.server.url, 'alice')
    const onConnect = vi.fn()
    const onDisconnect = vi.fn()
    handles.length = 0
    render(<Socket config={config} options={{ onConnect, onDisconnect }} id="s" />)
    await waitFor(() => expect(onConnect).toHaveBeenCalledTimes(1))
    expect(onConnect.mock.calls[0]?.[0]).toMatchObject({
      state: 'open',
      userId: 'alice',
      isAuthenticated: true,
    })

    const websocket = handles[handles.length - 1]!
    await act(() => websocket.joinRoom('general'))
    expect(websocket.getRooms()).toEqual(['general'])
    await act(() => websocket.sendChatMessage('Hello', 'general'))
    await act(() =>
      websocket.sendMessage({ type: 'chat_message', room: 'general', data: { content: 'Hi' } }),
    )
    expect(websocket.getPerformanceMetrics().messagesSent).toBe(2)
    expect(websocket.getConnectionInfo().userId).toBe('alice')

    act(() => websocket.reconnect())
    await waitFor(() => expect(onDisconnect).toHaveBeenCalledTimes(1))
    expect(onDisconnect.mock.calls[0]?.[0]).toMatchObject({ willReconnect: true })
    await waitFor(() => expect(onConnect).toHaveBeenCalledTimes(2))
  })

  it('rejects a chat message without a room, saying how to fix it', async () => {
    world = await createWorld()
    handles.length = 0
    render(<Socket config={await configFor(world.server.url, 'alice')} id="s" />)
    const websocket = handles[0]!
    await expect(
      websocket.sendMessage({ type: 'chat_message', data: { content: 'Hi' } }),
    ).rejects.toThrow('a chat message needs its room')
  })

  it('sends direct messages that resolve on ack', async () => {
    world = await createWorld()
    handles.length = 0
    const bob = await world.client('bob')
    render(<Socket config={await configFor(world.server.url, 'alice')} id="s" />)
    await waitFor(() => expect(screen.getByTestId('s').textContent).toBe('open'))
    await act(() => handles[handles.length - 1]!.sendDirectMessage('psst', 'bob'))
    await bob.waitFor((s) =>
      bob.selectors.selectDirectMessages(s, 'alice').some((m) => m.data.content === 'psst'),
    )
  })

  it('calls onError with a WebSocketError and its context, and survives a throwing callback', async () => {
    world = await createWorld()
    const config = await configFor(world.server.url, 'alice', {
      authToken: 'not-a-jwt',
      autoReconnect: false,
    })
    const errors: Array<[WebSocketError, string | undefined]> = []
    const spy = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    render(
      <>
        <Socket
          config={config}
          id="a"
          options={{
            onError: () => {
              throw new Error('callback bug')
            },
          }}
        />
        <Socket
          config={config}
          id="b"
          options={{ onError: (e, context) => errors.push([e, context]) }}
        />
      </>,
    )
    // The server's error frame ('server'), then the session giving up on the token ('auth').
    await waitFor(() => expect(errors.map(([, context]) => context)).toContain('auth'))
    for (const [error] of errors) {
      expect(error).toBeInstanceOf(WebSocketError)
      expect(error.code).toBe(WebSocketErrorCode.AUTHENTICATION_FAILED)
    }
    expect(spy).toHaveBeenCalledWith(
      '[redux-realtime] useWebSocket onError threw',
      expect.any(Error),
    )
    spy.mockRestore()
  })

  it('does not connect with autoConnect: false until asked', async () => {
    world = await createWorld()
    handles.length = 0
    render(
      <Socket
        config={await configFor(world.server.url, 'alice')}
        options={{ autoConnect: false }}
        id="s"
      />,
    )
    await sleep(50)
    expect(screen.getByTestId('s').textContent).toBe('idle')
    act(() => handles[handles.length - 1]!.connect())
    await waitFor(() => expect(screen.getByTestId('s').textContent).toBe('open'))
    act(() => handles[handles.length - 1]!.disconnect())
    await waitFor(() => expect(screen.getByTestId('s').textContent).toBe('closed'))
  })

  it('is the provider’s connection inside a provider, and feeds the other hooks', async () => {
    world = await createWorld()
    const app = createAppStore(await configFor(world.server.url, 'alice'))
    handles.length = 0
    function Both() {
      const websocket = useWebSocket()
      handles.push(websocket)
      const chat = useChat(websocket, 'general')
      return <p data-testid="joined">{String(chat.isJoined)}</p>
    }
    render(
      <WebSocketProvider store={app.store} realtime={app.realtime}>
        <Both />
        <Both />
      </WebSocketProvider>,
    )
    await waitFor(() =>
      expect(screen.getAllByTestId('joined').map((p) => p.textContent)).toEqual(['true', 'true']),
    )
    expect(new Set(handles.map((h) => h.store))).toEqual(new Set([app.store]))
    expect(app.count('realtime/connect')).toBe(1)
  })
})
