// @vitest-environment jsdom
import './support/nodeTypedArrays'
import { StrictMode } from 'react'
import { renderToString } from 'react-dom/server'
import { Provider, useSelector } from 'react-redux'
import { configureStore } from '@reduxjs/toolkit'
import { render, screen, waitFor } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { WebSocket } from 'ws'
import { createRealtime } from '../../src'
import { WebSocketProvider, useRealtimeSelector, useWebSocketContext } from '../../src/react'
import { tokenFor } from '../support/tokens'
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
  vi.unstubAllEnvs()
  vi.unstubAllGlobals()
})

function Status() {
  const { websocket, userId } = useWebSocketContext()
  return (
    <p data-testid="status">
      {websocket.connectionState}/{userId ?? '-'}
    </p>
  )
}

describe('WebSocketProvider', () => {
  it('connects on mount and disconnects on unmount', async () => {
    world = await createWorld()
    proxy = await createCountingProxy(world.server.port)
    const config = await configFor(proxy.url, 'alice')
    const { unmount } = render(
      <WebSocketProvider config={config}>
        <Status />
      </WebSocketProvider>,
    )
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('open/alice'))
    expect(proxy.open()).toBe(1)

    unmount()
    await waitFor(() => expect(proxy?.open()).toBe(0))
    expect(proxy.total()).toBe(1)
  })

  it('opens exactly one socket under StrictMode (mount, unmount, mount)', async () => {
    world = await createWorld()
    proxy = await createCountingProxy(world.server.port)
    let constructed = 0
    class CountingWebSocket extends WebSocket {
      constructor(...args: ConstructorParameters<typeof WebSocket>) {
        super(...args)
        constructed += 1
      }
    }
    const config = await configFor(proxy.url, 'alice', { WebSocket: CountingWebSocket })
    render(
      <StrictMode>
        <WebSocketProvider config={config}>
          <Status />
        </WebSocketProvider>
      </StrictMode>,
    )
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('open/alice'))
    await sleep(100) // a stray second socket or a reconnect would show up by now
    expect(constructed).toBe(1)
    expect(proxy.total()).toBe(1)
    expect(proxy.open()).toBe(1)
  })

  it('never closes the connection it is opening under StrictMode', async () => {
    world = await createWorld()
    const app = createAppStore(await configFor(world.server.url, 'alice'))
    render(
      <StrictMode>
        <WebSocketProvider store={app.store} realtime={app.realtime}>
          <Status />
        </WebSocketProvider>
      </StrictMode>,
    )
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('open/alice'))
    await sleep(50)
    expect(app.count('realtime/disconnect')).toBe(0)
    expect(app.count('realtime/connection/closed')).toBe(0)
    expect(app.count('realtime/connection/connecting')).toBe(1)
  })

  it('uses an existing store and leaves the app’s own react-redux context alone', async () => {
    world = await createWorld()
    const app = createAppStore(await configFor(world.server.url, 'alice'))
    const other = configureStore({ reducer: { mine: () => 'outer store' } })
    let seenStore: unknown
    function Probe() {
      const { store } = useWebSocketContext()
      seenStore = store
      const mine = useSelector((s: { mine?: string }) => s.mine ?? 'realtime store')
      const state = useRealtimeSelector((s) => app.realtime.selectors.selectConnectionState(s))
      return (
        <p data-testid="probe">
          {mine}/{state}
        </p>
      )
    }
    render(
      <Provider store={other}>
        <WebSocketProvider store={app.store} realtime={app.realtime} userId="alice">
          <Probe />
        </WebSocketProvider>
      </Provider>,
    )
    await waitFor(() => expect(screen.getByTestId('probe').textContent).toBe('outer store/open'))
    expect(seenStore).toBe(app.store)
    expect(app.count('realtime/connect')).toBe(1)
  })

  it('uses the store of the react-redux <Provider> above when given only realtime', async () => {
    world = await createWorld()
    const app = createAppStore(await configFor(world.server.url, 'alice'))
    let seenStore: unknown
    function Probe() {
      const { store } = useWebSocketContext()
      seenStore = store
      const name = useSelector((s: { app?: { name: string } }) => s.app?.name ?? 'none')
      const state = useRealtimeSelector((s) => app.realtime.selectors.selectConnectionState(s))
      return (
        <p data-testid="probe">
          {name}/{state}
        </p>
      )
    }
    render(
      <Provider store={app.store}>
        <WebSocketProvider realtime={app.realtime} userId="alice">
          <Probe />
        </WebSocketProvider>
      </Provider>,
    )
    await waitFor(() => expect(screen.getByTestId('probe').textContent).toBe('app/open'))
    expect(seenStore).toBe(app.store)
    expect(app.count('realtime/connect')).toBe(1)
  })

  it('says how to mount the reducer when the <Provider> store has no state at reducerPath', () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    const realtime = createRealtime({ url: 'ws://127.0.0.1:1', reducerPath: 'live' })
    const store = configureStore({ reducer: { realtime: () => ({ connection: {} }) } })
    expect(() =>
      render(
        <Provider store={store}>
          <WebSocketProvider realtime={realtime}>x</WebSocketProvider>
        </Provider>,
      ),
    ).toThrow(
      'the store has no realtime state at "live". Mount it: configureStore({ reducer: { [realtime.reducerPath]: realtime.reducer',
    )
    spy.mockRestore()
  })

  it('asks for a <Provider> or a store when given realtime outside any', () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    const realtime = createRealtime({ url: 'ws://127.0.0.1:1' })
    expect(() => render(<WebSocketProvider realtime={realtime}>x</WebSocketProvider>)).toThrow(
      "found no store: render it inside react-redux's <Provider store={store}>, pass store={store}",
    )
    spy.mockRestore()
  })

  it('provides the store it created on react-redux’s default context when there is none', async () => {
    world = await createWorld()
    const config = await configFor(world.server.url, 'alice')
    function Plain() {
      const state = useSelector(
        (s: { realtime: { connection: { state: string } } }) => s.realtime.connection.state,
      )
      return <p data-testid="plain">{state}</p>
    }
    render(
      <WebSocketProvider config={config}>
        <Plain />
      </WebSocketProvider>,
    )
    await waitFor(() => expect(screen.getByTestId('plain').textContent).toBe('open'))
  })

  it('reads REACT_APP_WS_* from process.env without a config, with authToken and userId props', async () => {
    world = await createWorld()
    vi.stubEnv('REACT_APP_WS_URL', world.server.url)
    vi.stubGlobal('WebSocket', WebSocket) // the provider uses the global constructor here
    render(
      <WebSocketProvider authToken={await tokenFor('bob')} userId="bob">
        <Status />
      </WebSocketProvider>,
    )
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('open/bob'))
  })

  it('warns in development when, with no config and no env URL, it falls back to the default', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    // Rendered on the server: the fallback is decided when the store is made, and no socket opens.
    renderToString(
      <WebSocketProvider userId="bob">
        <Status />
      </WebSocketProvider>,
    )
    expect(warn).toHaveBeenCalledTimes(1)
    expect(String(warn.mock.calls[0]?.[0])).toContain(
      'connects to the default ws://localhost:3000. Pass config={createDefaultConfig({ url })}',
    )
    warn.mockRestore()
  })

  it('renders the dev tools lazily with enableDevMode', async () => {
    world = await createWorld()
    const config = await configFor(world.server.url, 'alice')
    render(
      <WebSocketProvider config={config} enableDevMode>
        <Status />
      </WebSocketProvider>,
    )
    expect(screen.queryByTestId('devtools-panel')).toBeNull() // not loaded yet
    const panel = await screen.findByTestId('devtools-panel')
    expect(panel).toBeTruthy()
    await waitFor(() => expect(screen.getByTestId('devtools-state').textContent).toBe('open'))
  })

  it('renders no dev tools without enableDevMode', async () => {
    world = await createWorld()
    render(
      <WebSocketProvider config={await configFor(world.server.url, 'alice')}>
        <Status />
      </WebSocketProvider>,
    )
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('open/alice'))
    await sleep(50)
    expect(screen.queryByTestId('devtools-panel')).toBeNull()
  })

  it('renders on the server without opening a socket', async () => {
    world = await createWorld()
    proxy = await createCountingProxy(world.server.port)
    const html = renderToString(
      <WebSocketProvider config={await configFor(proxy.url, 'alice')} userId="alice">
        <Status />
      </WebSocketProvider>,
    )
    expect(html.replace(/<!-- -->/g, '')).toContain('>idle/alice<')
    await sleep(50)
    expect(proxy.total()).toBe(0)
  })

  it('useWebSocketContext throws a clear error outside a provider', () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    expect(() => render(<Status />)).toThrow(
      'useWebSocketContext must be used inside <WebSocketProvider>',
    )
    spy.mockRestore()
  })

  it('asks for realtime when given a store without it', () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    const store = configureStore({ reducer: { x: () => 0 } })
    // @ts-expect-error store without realtime is a type error too
    expect(() => render(<WebSocketProvider store={store}>x</WebSocketProvider>)).toThrow(
      'also needs realtime={realtime}',
    )
    spy.mockRestore()
  })
})
