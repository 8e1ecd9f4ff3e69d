import { afterEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory } from '../../src/server'
import type { HistoryStore } from '../../src/server'
import { STORE_HOLD_MS } from '../../src/server/storeCalls'
import { connectAs, framesOf, join, joinedAs, roundTrip, startServer } from './harness'

/**
 * A history store that is down: a HistoryStore call that rejects or never settles refuses the
 * write (or the join) with a retryable SERVER_ERROR, keeps the connection, and the server takes
 * the resend once the store answers again.
 */

type Mode = 'ok' | 'fail' | 'hang'

/** The memory history, failing or hanging on demand; counts the calls that reached it. */
function flakyHistory() {
  const inner = createMemoryHistory(100)
  const state = { append: 'ok' as Mode, since: 'ok' as Mode, appends: 0 }
  const gate = <T>(mode: Mode, call: () => T | Promise<T>): Promise<T> => {
    if (mode === 'fail') return Promise.reject(new Error('store unavailable'))
    if (mode === 'hang') return new Promise<T>(() => {})
    return Promise.resolve(call())
  }
  const store: HistoryStore = {
    append: (room, frame, key) =>
      gate(state.append, () => {
        state.appends++
        return inner.append(room, frame, key)
      }),
    since: (room, afterSeq) => gate(state.since, () => inner.since(room, afterSeq)),
    conflicts: (room, id, key) =>
      gate(state.append, () => inner.conflicts?.(room, id, key) ?? false),
  }
  return { store, state }
}

const refusal = (room: string | undefined, refId: string) => ({
  ...(room !== undefined ? { room } : {}),
  data: expect.objectContaining({ code: 'SERVER_ERROR', refId, retryAfterMs: 1000 }) as unknown,
})

afterEach(() => {
  vi.useRealTimers()
})

describe('the history store is down', () => {
  it('refuses a chat whose append rejects, refuses what the connection sent after it without asking the store, and takes the resends in order once it is back', async () => {
    const { store, state } = flakyHistory()
    const server = await startServer({ history: store })
    const alice = await joinedAs(server.url, 'alice', 'general')
    const bob = await joinedAs(server.url, 'bob', 'general')

    state.append = 'fail'
    const first = alice.sendFrame('chat_message', { room: 'general', data: { content: 'one' } })
    const error = await alice.nextOfType('error', (f) => f.data.refId === first.id)
    expect(error).toMatchObject(refusal('general', first.id))
    expect(error.data.message).toContain('store')

    // The store is back, but `two` was sent before `one` went again: refused, never stored first.
    state.append = 'ok'
    const second = alice.sendFrame('chat_message', { room: 'general', data: { content: 'two' } })
    const held = await alice.nextOfType('error', (f) => f.data.refId === second.id)
    expect(held).toMatchObject(refusal('general', second.id))
    expect(state.appends).toBe(0)

    for (const frame of [first, second]) alice.send(frame)
    const acks = [
      await alice.nextOfType('ack', (f) => f.data.refId === first.id),
      await alice.nextOfType('ack', (f) => f.data.refId === second.id),
    ]
    expect(acks.map((ack) => ack.data.seq)).toEqual([1, 2])
    await roundTrip(bob)
    expect(framesOf(bob, 'chat_message').map((f) => [f.data.content, f.seq])).toEqual([
      ['one', 1],
      ['two', 2],
    ])
    expect(alice.socket.readyState).toBe(alice.socket.OPEN)
  })

  it('refuses app messages, direct messages and notification updates the same way', async () => {
    const { store, state } = flakyHistory()
    const server = await startServer({ history: store })
    const alice = await joinedAs(server.url, 'alice', 'general')
    state.append = 'fail'
    const app = alice.sendFrame('app_message', {
      room: 'general',
      data: { type: 'poll_vote', data: { option: 1 } },
    })
    const dm = alice.sendFrame('direct_message', { data: { to: 'bob', content: 'hi' } })
    const update = alice.sendFrame('notification_update', { data: { op: 'read_all' } })
    expect(await alice.nextOfType('error', (f) => f.data.refId === app.id)).toMatchObject(
      refusal('general', app.id),
    )
    expect(await alice.nextOfType('error', (f) => f.data.refId === dm.id)).toMatchObject(
      refusal(undefined, dm.id),
    )
    // Behind the refused direct message on alice's own stream: refused too.
    expect(await alice.nextOfType('error', (f) => f.data.refId === update.id)).toMatchObject(
      refusal(undefined, update.id),
    )

    state.append = 'ok'
    for (const frame of [app, dm, update]) alice.send(frame)
    for (const frame of [app, dm, update])
      await alice.nextOfType('ack', (f) => f.data.refId === frame.id)
    const bob = await connectAs(server.url, 'bob')
    await join(bob, 'user:bob')
    await roundTrip(bob)
    expect(framesOf(bob, 'direct_message').map((f) => f.data.content)).toEqual(['hi'])
  })

  it('serves the stream again after STORE_HOLD_MS when the refused message never comes back', async () => {
    const { store, state } = flakyHistory()
    const server = await startServer({ history: store })
    const alice = await joinedAs(server.url, 'alice', 'general')
    state.append = 'fail'
    const lost = alice.sendFrame('chat_message', { room: 'general', data: { content: 'lost' } })
    await alice.nextOfType('error', (f) => f.data.refId === lost.id)
    state.append = 'ok'
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(Date.now() + STORE_HOLD_MS)
    const next = alice.sendFrame('chat_message', { room: 'general', data: { content: 'next' } })
    const ack = await alice.nextOfType('ack', (f) => f.data.refId === next.id)
    expect(ack.data.seq).toBe(1)
  })

  it("does not wedge a room's queue on an append that never settles (historyStoreTimeoutMs)", async () => {
    const { store, state } = flakyHistory()
    const server = await startServer({ history: store, historyStoreTimeoutMs: 50 })
    const alice = await joinedAs(server.url, 'alice', 'general')
    state.append = 'hang'
    const stuck = alice.sendFrame('chat_message', { room: 'general', data: { content: 'one' } })
    expect(await alice.nextOfType('error', (f) => f.data.refId === stuck.id)).toMatchObject(
      refusal('general', stuck.id),
    )

    // The room's queue moved on: a join and the resend are answered.
    state.append = 'ok'
    const bob = await joinedAs(server.url, 'bob', 'general')
    alice.send(stuck)
    const ack = await alice.nextOfType('ack', (f) => f.data.refId === stuck.id)
    expect(ack.data.seq).toBe(1)
    await roundTrip(bob)
    expect(framesOf(bob, 'chat_message').map((f) => f.data.content)).toEqual(['one'])
  })

  it('answers a join whose history read fails or hangs with a retryable error naming the room, and joins it when asked again', async () => {
    const { store, state } = flakyHistory()
    const server = await startServer({ history: store, historyStoreTimeoutMs: 50 })
    const alice = await connectAs(server.url, 'alice')
    for (const mode of ['fail', 'hang'] as const) {
      state.since = mode
      const attempt = alice.sendFrame('join', { room: 'general', data: {} })
      const error = await alice.nextOfType('error', (f) => f.data.refId === attempt.id)
      expect(error).toMatchObject(refusal('general', attempt.id))
      expect(error.data.message).toContain('general')
    }
    state.since = 'ok'
    const joined = await join(alice, 'general')
    expect(joined.data).toMatchObject({ headSeq: 0 })
    const sent = alice.sendFrame('chat_message', { room: 'general', data: { content: 'in' } })
    await alice.nextOfType('ack', (f) => f.data.refId === sent.id)
  })
})
