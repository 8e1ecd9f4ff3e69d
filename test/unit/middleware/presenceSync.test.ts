import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPresenceSync } from '../../../middleware/presenceSync'
import type { PresenceEntry } from '../../../src/protocol/frames'
import {
  FakeSocket,
  WINDOW,
  authOk,
  connectAndAuthenticate,
  createHarness,
  serverFrame,
  tick,
} from './harness'

beforeEach(() => {
  vi.useFakeTimers()
  FakeSocket.instances = []
})

afterEach(() => {
  vi.useRealTimers()
})

const snapshot = (...users: PresenceEntry[]) =>
  serverFrame('presence_update', { data: { snapshot: true, users } })
const changed = (...users: PresenceEntry[]) =>
  serverFrame('presence_update', { data: { snapshot: false, users } })
const online = (userId: string, status: PresenceEntry['status'] = 'online') =>
  serverFrame('user_online', { data: { userId, status } })
const offline = (userId: string, lastSeen = 1) =>
  serverFrame('user_offline', { data: { userId, status: 'offline', lastSeen } })

const PRESENCE = [
  'realtime/presence/synced',
  'realtime/presence/changed',
  'realtime/presence/userOnline',
  'realtime/presence/userOffline',
]

function harness() {
  const h = createHarness({ reconnectInterval: 100, maxReconnectDelay: 100 })
  return {
    ...h,
    presenceTypes: () => h.types().filter((t) => PRESENCE.includes(t)),
    users: () => h.state().presence.users,
  }
}

describe('presence sync', () => {
  it('holds diffs that arrive before the first snapshot and reduces them right after it, in order', async () => {
    const h = harness()
    const socket = await connectAndAuthenticate(h)
    // Each diff in a burst of its own: they wait across bursts.
    socket.deliver(online('bob', 'away'))
    await tick(WINDOW * 2)
    socket.deliver(changed({ userId: 'carol', status: 'busy' }))
    await tick(WINDOW * 2)
    socket.deliver(offline('bob', 42))
    await tick(WINDOW * 2)
    expect(h.presenceTypes()).toEqual([])
    expect(h.users()).toEqual({})

    // The snapshot is older news than the diffs: it says bob is online and carol away.
    socket.deliver(
      snapshot(
        { userId: 'bob', status: 'online' },
        { userId: 'carol', status: 'away' },
        { userId: 'dave', status: 'online' },
      ),
    )
    await tick(WINDOW * 2)
    expect(h.presenceTypes()).toEqual([
      'realtime/presence/synced',
      'realtime/presence/userOnline',
      'realtime/presence/changed',
      'realtime/presence/userOffline',
    ])
    expect(h.users()).toEqual({
      bob: { status: 'offline', lastSeen: 42 },
      carol: { status: 'busy' },
      dave: { status: 'online' },
    })
  })

  it('reduces diffs held in the same burst as the snapshot after it', async () => {
    const h = harness()
    const socket = await connectAndAuthenticate(h)
    await tick(WINDOW * 2)
    socket.deliver(online('bob', 'busy'))
    socket.deliver(snapshot({ userId: 'bob', status: 'online' }))
    await tick()
    expect(h.presenceTypes()).toEqual(['realtime/presence/synced', 'realtime/presence/userOnline'])
    expect(h.users()).toEqual({ bob: { status: 'busy' } })
  })

  it('reduces diffs at once after the snapshot', async () => {
    const h = harness()
    const socket = await connectAndAuthenticate(h)
    socket.deliver(snapshot({ userId: 'bob', status: 'online' }))
    await tick(WINDOW * 2)
    socket.deliver(online('carol'))
    await tick()
    expect(h.users()).toEqual({ bob: { status: 'online' }, carol: { status: 'online' } })
    await tick(WINDOW * 2)
    socket.deliver(offline('bob', 7))
    await tick()
    expect(h.users().bob).toEqual({ status: 'offline', lastSeen: 7 })
    socket.deliver(changed({ userId: 'carol', status: 'away' }))
    await tick(WINDOW)
    expect(h.users().carol).toEqual({ status: 'away' })
    expect(h.presenceTypes()).toEqual([
      'realtime/presence/synced',
      'realtime/presence/userOnline',
      'realtime/presence/userOffline',
      'realtime/presence/changed',
    ])
  })

  it('makes the next connection wait for its own snapshot after a close', async () => {
    const h = harness()
    const first = await connectAndAuthenticate(h)
    first.deliver(snapshot({ userId: 'bob', status: 'online' }))
    await tick(WINDOW * 2)

    first.serverClose(1006)
    await tick(100)
    const second = FakeSocket.latest()
    expect(second).not.toBe(first)
    second.open()
    await tick()
    second.deliver(authOk())
    await tick(WINDOW * 2)
    second.deliver(online('carol'))
    await tick(WINDOW * 2)
    expect(h.presenceTypes()).toEqual(['realtime/presence/synced'])
    expect(h.users()).toEqual({ bob: { status: 'online' } })

    second.deliver(snapshot({ userId: 'bob', status: 'away' }))
    await tick(WINDOW * 2)
    expect(h.presenceTypes()).toEqual([
      'realtime/presence/synced',
      'realtime/presence/synced',
      'realtime/presence/userOnline',
    ])
    expect(h.users()).toEqual({ bob: { status: 'away' }, carol: { status: 'online' } })
  })

  it('drops diffs still waiting when the connection closes', async () => {
    const h = harness()
    const first = await connectAndAuthenticate(h)
    first.deliver(online('stale'))
    await tick(WINDOW * 2)
    first.serverClose(1006)
    await tick(100)
    const second = FakeSocket.latest()
    second.open()
    await tick()
    second.deliver(authOk())
    await tick(WINDOW * 2)
    second.deliver(snapshot({ userId: 'bob', status: 'online' }))
    await tick(WINDOW * 2)
    expect(h.presenceTypes()).toEqual(['realtime/presence/synced'])
    expect(h.users()).toEqual({ bob: { status: 'online' } })
  })
})

describe('createPresenceSync', () => {
  const diff = (n: number) => ({ type: 'diff', payload: n })
  const snap = (n: number) => ({ type: 'snapshot', payload: n })

  it('returns nothing for a diff before the snapshot, then the snapshot followed by the waiting diffs', () => {
    const sync = createPresenceSync()
    expect(sync.diff(diff(1))).toEqual([])
    expect(sync.diff(diff(2))).toEqual([])
    expect(sync.snapshot(snap(1))).toEqual([snap(1), diff(1), diff(2)])
    expect(sync.diff(diff(3))).toEqual([diff(3)])
    expect(sync.snapshot(snap(2))).toEqual([snap(2)])
  })

  it('waits again after reset, and forgets what was waiting', () => {
    const sync = createPresenceSync()
    sync.snapshot(snap(1))
    sync.reset()
    expect(sync.diff(diff(1))).toEqual([])
    sync.reset()
    expect(sync.diff(diff(2))).toEqual([])
    expect(sync.snapshot(snap(2))).toEqual([snap(2), diff(2)])
  })
})
