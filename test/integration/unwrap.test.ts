import { afterEach, describe, expect, it } from 'vitest'
import { createRealtimeServer, type RealtimeServer } from '../../src/server'
import { TEST_SECRET, tokenFor } from '../support/tokens'
import { createTestClient, type TestClient } from '../support/realtimeClient'

let server: RealtimeServer | undefined
const clients: TestClient[] = []

afterEach(async () => {
  for (const client of clients.splice(0)) client.dispose()
  await server?.close()
  server = undefined
})

async function setup(config: Parameters<typeof createTestClient>[2] = {}) {
  server = await createRealtimeServer({
    port: 0,
    host: '127.0.0.1',
    jwt: { secret: TEST_SECRET },
    rateLimit: false,
    authorize: ({ room }) => room !== 'staff',
  })
  const c = await createTestClient(server.url, 'alice', config)
  clients.push(c)
  return c
}

describe('store.dispatch(command).unwrap() settles from what the server said', () => {
  it('resolves connect, join, a repeated join, a message and a leave with what the server answered', async () => {
    const c = await setup()
    const { actions } = c
    const session = await c.store.dispatch(actions.connect()).unwrap()
    expect(session).toEqual({ userId: 'alice', sessionId: expect.any(String) })
    const joined = await c.store.dispatch(actions.joinRoom('general')).unwrap()
    expect(joined).toEqual({ room: 'general', epoch: expect.any(String), seq: 0 })
    const sent = await c.store
      .dispatch(actions.sendChatMessage({ room: 'general', content: 'hi' }))
      .unwrap()
    expect(sent).toEqual({ id: expect.any(String), seq: 1 })
    // Already joined, already connected: settled at once with where they stand.
    await expect(c.store.dispatch(actions.joinRoom('general')).unwrap()).resolves.toEqual({
      room: 'general',
      epoch: joined.epoch,
      seq: 1,
    })
    await expect(c.store.dispatch(actions.connect()).unwrap()).resolves.toEqual(session)
    await expect(c.store.dispatch(actions.leaveRoom('general')).unwrap()).resolves.toEqual({
      room: 'general',
    })
  })

  it('rejects a refused join and the message queued behind it with FORBIDDEN, and a full outbox with QUEUE_FULL', async () => {
    const c = await setup({ messageQueueSize: 1 })
    const { actions } = c
    await c.store.dispatch(actions.connect()).unwrap()
    const join = c.store.dispatch(actions.joinRoom('staff')).unwrap()
    const send = c.store.dispatch(actions.sendChatMessage({ room: 'staff', content: 'x' })).unwrap()
    await expect(join).rejects.toMatchObject({ code: 'FORBIDDEN' })
    await expect(send).rejects.toMatchObject({ code: 'FORBIDDEN' })
    c.store.dispatch(actions.disconnect())
    c.store.dispatch(actions.joinRoom('general'))
    void c.store.dispatch(actions.sendChatMessage({ room: 'general', content: 'waits' }))
    await expect(
      c.store.dispatch(actions.sendChatMessage({ room: 'general', content: 'no room' })).unwrap(),
    ).rejects.toMatchObject({ code: 'QUEUE_FULL' })
  })

  it('rejects with TIMEOUT after timeoutMs and keeps the message in the outbox', async () => {
    const c = await setup()
    const { actions } = c
    c.store.dispatch(actions.joinRoom('general'))
    const sent = c.store.dispatch(actions.sendChatMessage({ room: 'general', content: 'later' }))
    await expect(sent.unwrap({ timeoutMs: 100 })).rejects.toMatchObject({ code: 'TIMEOUT' })
    expect(c.selectors.selectPendingMessages(c.store.getState()).map((e) => e.id)).toEqual([
      sent.payload.id,
    ])
    // It still goes out once connected, and the same unwrap (no timeout) resolves.
    c.store.dispatch(actions.connect())
    await expect(sent.unwrap()).resolves.toEqual({ id: sent.payload.id, seq: 1 })
  })

  it('rejects connect with the reason when the server refuses the token', async () => {
    const c = await setup({ authToken: await tokenFor('alice', { secret: 'wrong-secret' }) })
    await expect(c.store.dispatch(c.actions.connect()).unwrap()).rejects.toMatchObject({
      code: 'AUTHENTICATION_FAILED',
    })
  })
})
