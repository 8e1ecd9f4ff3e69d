import type { Middleware } from '@reduxjs/toolkit'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import {
  createRealtimeServer,
  type RealtimeServer,
  type RealtimeServerOptions,
} from '../../src/server'
import { TEST_SECRET } from '../support/tokens'
import { createTestClient, type TestClient } from '../support/realtimeClient'
import type { RealtimeConfig } from '../../src'

let server: RealtimeServer
const clients: TestClient[] = []

afterEach(async () => {
  for (const client of clients.splice(0)) client.dispose()
  await server?.close()
})

/** A server, and alice and bob connected and joined to 'general'. */
async function aliceAndBob(
  serverOptions: Partial<RealtimeServerOptions> = {},
  bobConfig: Partial<RealtimeConfig> = {},
  bobMiddleware: Middleware[] = [],
): Promise<[TestClient, TestClient]> {
  server = await createRealtimeServer({
    port: 0,
    host: '127.0.0.1',
    jwt: { secret: TEST_SECRET },
    ...serverOptions,
  })
  const alice = await createTestClient(server.url, 'alice')
  const bob = await createTestClient(server.url, 'bob', bobConfig, bobMiddleware)
  clients.push(alice, bob)
  for (const c of [alice, bob]) {
    c.store.dispatch(c.actions.connect())
    c.store.dispatch(c.actions.joinRoom('general'))
  }
  await Promise.all([alice.waitForRoom('general'), bob.waitForRoom('general')])
  return [alice, bob]
}

describe('two users chatting through the reference server', () => {
  it('delivers each message to both stores once, in seq order, own message pending then sent', async () => {
    const [alice, bob] = await aliceAndBob()

    const sent = alice.store.dispatch(
      alice.actions.sendChatMessage({ room: 'general', content: 'hi bob' }),
    )
    expect(alice.messages('general')).toEqual([
      expect.objectContaining({
        id: sent.payload.id,
        status: 'pending',
        data: { content: 'hi bob' },
      }),
    ])
    bob.store.dispatch(bob.actions.sendChatMessage({ room: 'general', content: 'hi alice' }))

    const done = (c: TestClient) =>
      c.waitFor(
        (s) =>
          c.selectors.selectMessagesByRoom(s, 'general').filter((m) => m.seq !== undefined)
            .length === 2,
      )
    await Promise.all([done(alice), done(bob)])
    await alice.waitFor((s) => alice.selectors.selectPendingMessages(s).length === 0)

    for (const c of [alice, bob]) {
      const list = c.messages('general')
      expect(list.map((m) => m.seq)).toEqual([1, 2])
      expect(new Set(list.map((m) => m.data.content))).toEqual(new Set(['hi bob', 'hi alice']))
    }
    const own = alice.messages('general').find((m) => m.id === sent.payload.id)
    expect(own).toMatchObject({ status: 'sent', userId: 'alice' })
    expect(bob.messages('general').find((m) => m.id === sent.payload.id)?.status).toBeUndefined()
  })

  it('fails a message too big for the server and still delivers the one behind it', async () => {
    const [alice, bob] = await aliceAndBob({ maxPayload: 4096 })

    const big = alice.store.dispatch(
      alice.actions.sendChatMessage({ room: 'general', content: 'x'.repeat(6000) }),
    )
    alice.store.dispatch(alice.actions.sendChatMessage({ room: 'general', content: 'after' }))
    await bob.waitFor((s) => bob.selectors.selectMessagesByRoom(s, 'general').length === 1)
    await alice.waitFor((s) => alice.selectors.selectPendingMessages(s).length === 0)

    expect(bob.messages('general').map((m) => m.data.content)).toEqual(['after'])
    const failed = alice.messages('general').find((m) => m.id === big.payload.id)
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'MESSAGE_TOO_LARGE' } })
    expect(alice.messages('general').find((m) => m.data.content === 'after')?.status).toBe('sent')
  })

  it('reduces a burst in a few dispatches when the store falls behind, even when each frame arrives as its own task, as in browsers', async () => {
    /** Like a browser: one message event per task (ws otherwise emits a whole socket read at once). */
    class BrowserLikeWebSocket extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols, { allowSynchronousEvents: false })
      }
    }
    // A store that takes 3 ms of real time per batch of messages: more than half of the window
    // after three frames, whatever this machine's speed. (A fast store reduces each frame at
    // once instead: that is the no-added-latency case, tested in the unit tests.)
    const slowStore: Middleware = () => (next) => (action) => {
      if ((action as { type?: string }).type === 'realtime/chat/messagesReceived') {
        const until = performance.now() + 3
        while (performance.now() < until);
      }
      return next(action)
    }
    const [alice, bob] = await aliceAndBob(
      { rateLimit: false },
      { WebSocket: BrowserLikeWebSocket },
      [slowStore],
    )

    const total = 600
    for (let i = 0; i < total; i++)
      alice.store.dispatch(alice.actions.sendChatMessage({ room: 'general', content: `m${i}` }))
    await bob.waitFor(
      (s) => bob.selectors.selectMessagesByRoom(s, 'general').length === total,
      20_000,
      'the burst',
    )

    const dispatches = bob.dispatched.filter(
      (a) => a.type === 'realtime/chat/messagesReceived',
    ).length
    expect(bob.messages('general').map((m) => m.data.content)).toEqual(
      Array.from({ length: total }, (_, i) => `m${i}`),
    )
    expect(dispatches).toBeLessThan(total / 4)
  })

  it('lets dev tools watch the frames in and out without putting them in state', async () => {
    const [alice, bob] = await aliceAndBob()
    const seen: string[] = []
    const stop = alice.realtime.inspector.subscribe((entry) => {
      if ('frame' in entry) seen.push(`${entry.direction}:${entry.frame.type}`)
    })
    alice.store.dispatch(alice.actions.sendChatMessage({ room: 'general', content: 'watched' }))
    await bob.waitFor((s) => bob.selectors.selectMessagesByRoom(s, 'general').length === 1)
    await alice.waitFor((s) => alice.selectors.selectPendingMessages(s).length === 0)
    stop()
    alice.store.dispatch(alice.actions.sendChatMessage({ room: 'general', content: 'unwatched' }))
    await bob.waitFor((s) => bob.selectors.selectMessagesByRoom(s, 'general').length === 2)
    expect(seen).toEqual(['out:chat_message', 'in:chat_message', 'in:ack'])
  })
})
