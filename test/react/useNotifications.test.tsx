// @vitest-environment jsdom
import './support/nodeTypedArrays'
import { act, render, screen, waitFor } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import {
  WebSocketProvider,
  useNotifications,
  useWebSocketContext,
  type NotificationsHandle,
  type UseNotificationsOptions,
} from '../../src/react'
import { configFor, createWorld, tearDown, type World } from './support/reactWorld'

let world: World | undefined
afterEach(async () => {
  await tearDown(world)
  world = undefined
})

let handle: NotificationsHandle | undefined
function Center(options: UseNotificationsOptions) {
  const { websocket } = useWebSocketContext()
  handle = useNotifications(websocket, options)
  return (
    <ol data-testid="center" data-unread={handle.unreadCount}>
      {handle.notifications.map((n) => (
        <li key={n.id}>{n.title}</li>
      ))}
    </ol>
  )
}

async function mount(options: UseNotificationsOptions = {}) {
  world = await createWorld()
  render(
    <WebSocketProvider config={await configFor(world.server.url, 'alice')}>
      <Center {...options} />
    </WebSocketProvider>,
  )
  await waitFor(() => expect(world?.server).toBeDefined())
  return world
}

describe('useNotifications', () => {
  it('shows pushed notifications newest first; markAsRead lowers unreadCount', async () => {
    const { server } = await mount({ maxNotifications: 2 })
    const first = server.notify('alice', { title: 'Build started' })
    server.notify('alice', { title: 'Build finished' })
    server.notify('alice', { title: 'Deployed' })
    await waitFor(() => expect(screen.getByTestId('center').dataset.unread).toBe('3'))
    expect(screen.getAllByRole('listitem').map((li) => li.textContent)).toEqual([
      'Deployed',
      'Build finished',
    ])
    act(() => handle!.markAsRead(first))
    await waitFor(() => expect(handle?.unreadCount).toBe(2))
    act(() => handle!.markAllAsRead())
    await waitFor(() => expect(handle?.unreadCount).toBe(0))
  })

  it('dismisses one and clears all', async () => {
    const { server } = await mount()
    const id = server.notify('alice', { title: 'one' })
    server.notify('alice', { title: 'two' })
    await waitFor(() => expect(handle?.notifications).toHaveLength(2))
    act(() => handle!.dismiss(id))
    await waitFor(() => expect(handle?.notifications.map((n) => n.title)).toEqual(['two']))
    act(() => handle!.clearAll())
    await waitFor(() => expect(handle?.notifications).toHaveLength(0))
  })

  it('marks new notifications read as they arrive with autoMarkRead', async () => {
    const { server } = await mount({ autoMarkRead: true })
    server.notify('alice', { title: 'seen at once' })
    await waitFor(() => expect(handle?.notifications).toHaveLength(1))
    await waitFor(() => expect(handle?.unreadCount).toBe(0))
    expect(handle!.notifications[0]?.read).toBe(true)
  })
})
