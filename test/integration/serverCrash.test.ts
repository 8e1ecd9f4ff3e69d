import { afterEach, describe, expect, it } from 'vitest'
import { createRealtimeServer, type RealtimeServer } from '../../src/server'
import { createFrameRelay, type FrameRelay } from '../support/frameRelay'
import { TEST_SECRET } from '../support/tokens'
import { joinedMember, type TestClient } from '../support/realtimeClient'

let server: RealtimeServer | undefined
let relay: FrameRelay | undefined
const clients: TestClient[] = []

afterEach(async () => {
  for (const client of clients.splice(0)) client.dispose()
  await relay?.close()
  await server?.close()
  relay = undefined
  server = undefined
})

const startServer = (port = 0) =>
  createRealtimeServer({ port, host: '127.0.0.1', jwt: { secret: TEST_SECRET }, rateLimit: false })

const member = (url: string, userId: string): Promise<TestClient> =>
  joinedMember(url, userId, clients)

const receivedIds = (client: TestClient) =>
  client.dispatched
    .filter((a) => a.type === 'realtime/chat/messagesReceived')
    .flatMap((a) => (a.payload as { messages: Array<{ id: string }> }).messages.map((m) => m.id))

describe('a server crash between delivering and acking', () => {
  it('shows a member each message once when it rejoins the new epoch before the sender resends', async () => {
    server = await startServer()
    const port = server.port
    // alice's acks are lost: the server delivered her messages but she never learns it.
    relay = await createFrameRelay({ target: server.url, seed: 7, toClient: { drop: ['ack'] } })
    const alice = await member(relay.url, 'alice')
    const bob = await member(server.url, 'bob')
    const ids = Array.from(
      { length: 20 },
      (_, i) =>
        alice.store.dispatch(alice.actions.sendChatMessage({ room: 'general', content: `m${i}` }))
          .payload.id,
    )
    await bob.waitFor((s) => bob.selectors.selectMessagesByRoom(s, 'general').length === 20)
    expect(alice.selectors.selectPendingMessages(alice.store.getState())).toHaveLength(20)

    // The crash: the process and its history are gone. alice cannot reach the new one yet.
    relay.setTarget('ws://127.0.0.1:1')
    relay.setFaults({ toClient: false })
    relay.cutAll()
    await server.close()
    server = await startServer(port)
    const epoch = bob.selectors.selectRoomChat(bob.store.getState(), 'general')?.epoch
    await bob.waitFor(
      (s) => {
        const room = bob.selectors.selectRoomChat(s, 'general')
        return room?.epoch !== epoch && bob.selectors.selectRooms(s).includes('general')
      },
      10_000,
      'bob rejoined the new epoch',
    )
    // Now alice resends all 20 to a server that has never seen them: new seqs, new epoch.
    relay.setTarget(server.url)
    await alice.waitFor((s) => alice.selectors.selectPendingMessages(s).length === 0, 10_000)
    await new Promise((r) => setTimeout(r, 200))

    const shown = bob.messages('general').map((m) => m.id)
    expect(shown).toEqual(ids)
    expect(receivedIds(bob)).toEqual(ids)
    expect(alice.messages('general').map((m) => [m.id, m.status])).toEqual(
      ids.map((id) => [id, 'sent']),
    )
  })
})
