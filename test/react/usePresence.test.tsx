// @vitest-environment jsdom
import './support/nodeTypedArrays'
import { render, waitFor, act } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocketProvider, useChat, usePresence, type PresenceHandle } from '../../src/react'
import { configFor, createWorld, tearDown, type World } from './support/reactWorld'

let world: World | undefined
afterEach(async () => {
  await tearDown(world)
  world = undefined
})

describe('usePresence', () => {
  it('shows who is online with their status, and sets your own', async () => {
    world = await createWorld()
    let presence: PresenceHandle | undefined
    function Probe() {
      useChat('general')
      presence = usePresence()
      return null
    }
    render(
      <WebSocketProvider config={await configFor(world.server.url, 'alice')}>
        <Probe />
      </WebSocketProvider>,
    )
    const bob = await world.client('bob', { rooms: ['general'] })
    await waitFor(() => expect(presence?.onlineUsers).toContain('bob'))
    expect(presence!.getUserStatus('bob')?.status).toBe('online')
    const firstSetStatus = presence!.setStatus
    const firstSubscribe = presence!.subscribeToUser

    bob.store.dispatch(bob.actions.setStatus('away'))
    bob.store.dispatch(bob.actions.setCustomStatus('In a meeting'))
    await waitFor(() =>
      expect(presence?.userStatuses.bob).toMatchObject({
        status: 'away',
        customStatus: 'In a meeting',
      }),
    )

    // Commands keep their identity across state updates (effects may depend on them).
    expect(presence!.setStatus).toBe(firstSetStatus)
    expect(presence!.subscribeToUser).toBe(firstSubscribe)
    act(() => presence!.setStatus('busy'))
    await bob.waitFor((s) => bob.selectors.selectUserStatus(s, 'alice')?.status === 'busy')

    bob.dispose()
    await waitFor(() => expect(presence?.onlineUsers).not.toContain('bob'))
    expect(presence!.getUserStatus('bob')?.status).toBe('offline')
  })

  it('follows a user outside shared rooms with subscribeToUser', async () => {
    world = await createWorld()
    let presence: PresenceHandle | undefined
    function Probe() {
      presence = usePresence()
      return null
    }
    render(
      <WebSocketProvider config={await configFor(world.server.url, 'alice')}>
        <Probe />
      </WebSocketProvider>,
    )
    await world.client('carol')
    act(() => presence!.subscribeToUser('carol'))
    await waitFor(() => expect(presence?.getUserStatus('carol')?.status).toBe('online'))
    expect(presence!.subscriptions).toEqual(['carol'])
    act(() => presence!.unsubscribeFromUser('carol'))
    await waitFor(() => expect(presence?.subscriptions).toEqual([]))
  })
})
