import { afterEach, describe, expect, it } from 'vitest'
import { connection, custom, outbox } from '../../slices/actions'
import type { AppMessage } from '../../slices/appMessages'
import type { AuthorizeRequest } from '../../src/server'
import { connectRaw, type RawClient } from '../support/rawClient'
import { createWorld, type World } from '../support/realtimeWorld'
import { createTestClient, type TestClient } from '../support/realtimeClient'
import { createMemoryStorage } from '../../middleware/storage'
import { createFrameRelay, type FrameRelay } from '../support/frameRelay'
import { createTcpProxy, type TcpProxy } from '../support/tcpProxy'
import { tokenFor } from '../support/tokens'

let world: World | undefined
const proxies: Array<TcpProxy | FrameRelay> = []
const raws: RawClient[] = []

afterEach(async () => {
  for (const raw of raws.splice(0)) raw.close()
  await world?.close()
  world = undefined
  for (const proxy of proxies.splice(0)) await proxy.close()
})

/** Every app message a client's store was handed, in order. */
const received = (client: TestClient): AppMessage[] =>
  client.dispatched.filter(custom.messagesReceived.match).flatMap((a) => a.payload.messages)

const receivedIds = (client: TestClient) => received(client).map((m) => m.id)

const waitForIds = (client: TestClient, ids: string[]) =>
  client.waitFor(
    () => ids.every((id) => receivedIds(client).includes(id)),
    10_000,
    `app messages ${ids.join(', ')}`,
  )

const errorsFor = (client: TestClient, id: string) =>
  client.dispatched
    .filter(connection.errorsReceived.match)
    .flatMap((a) => a.payload.errors)
    .filter((e) => e.refId === id)

describe('publish: durable app-defined messages', () => {
  it('acks with the room seq shared with chat and delivers once to every member, the sender included, storing nothing in the package slices', async () => {
    world = await createWorld()
    const alice = await world.client('alice', { rooms: ['board'] })
    const bob = await world.client('bob', { rooms: ['board'] })

    const chat = await alice.store
      .dispatch(alice.actions.sendChatMessage({ room: 'board', content: 'moving c1' }))
      .unwrap()
    const moved = await alice.store
      .dispatch(
        alice.actions.publish({
          room: 'board',
          type: 'card_moved',
          data: { id: 'c1', to: 'done' },
        }),
      )
      .unwrap()
    expect(chat.seq).toBe(1)
    expect(moved).toEqual({ id: expect.any(String), seq: 2 })

    await waitForIds(bob, [moved.id])
    await waitForIds(alice, [moved.id])
    for (const client of [alice, bob]) {
      expect(received(client)).toEqual([
        {
          id: moved.id,
          type: 'card_moved',
          room: 'board',
          userId: 'alice',
          timestamp: expect.any(Number),
          seq: 2,
          data: { id: 'c1', to: 'done' },
        },
      ])
      // Chat state holds the chat message only; the outbox is empty once acked.
      expect(client.messages('board').map((m) => m.seq)).toEqual([1])
      expect(client.selectors.selectPendingMessages(client.store.getState())).toEqual([])
    }
  })

  it('reaches a member that was cut off by replay, and a message written into a dead link is resent and accepted once', async () => {
    world = await createWorld({ historySize: 100 })
    const toAlice = await createTcpProxy({ targetPort: world.server.port })
    const toBob = await createTcpProxy({ targetPort: world.server.port })
    proxies.push(toAlice, toBob)
    const fast = { heartbeatInterval: 60_000 }
    const alice = await world.client('alice', { rooms: ['board'], url: toAlice.url, ...fast })
    const bob = await world.client('bob', { rooms: ['board'], url: toBob.url, ...fast })
    const publish = (to: string) =>
      alice.store.dispatch(
        alice.actions.publish({ room: 'board', type: 'card_moved', data: { id: 'c1', to } }),
      )

    toBob.blackhole(true)
    const first = await publish('doing').unwrap() // live for alice; lost on bob's dead link
    toAlice.blackhole(true)
    const second = publish('done') // written into alice's dead link: never reaches the server
    toAlice.cutAll()
    toBob.cutAll()
    toAlice.blackhole(false)
    toBob.blackhole(false)

    await expect(second.unwrap()).resolves.toEqual({ id: second.payload.id, seq: 2 })
    await waitForIds(bob, [first.id, second.payload.id])
    await waitForIds(alice, [first.id, second.payload.id])
    for (const client of [alice, bob]) {
      expect(received(client).map((m) => [m.seq, m.data])).toEqual([
        [1, { id: 'c1', to: 'doing' }],
        [2, { id: 'c1', to: 'done' }],
      ])
    }
    expect(alice.dispatched.filter(outbox.acked.match).flatMap((a) => a.payload.acks)).toHaveLength(
      2,
    )
    // Bob's rejoin resumed from his cursor: the replay brought what his dead link lost.
    const bobJoins = bob.dispatched.filter(bob.actions.rooms.joined.match)
    expect(bobJoins.filter((a) => a.payload.room === 'board').at(-1)?.payload).toMatchObject({
      resumed: true,
      fromSeq: 0,
    })
  })

  it('accepts a duplicated message once, and one whose ack was lost once more after a cut, with its first seq', async () => {
    world = await createWorld()
    const relay = await createFrameRelay({
      target: world.server.url,
      seed: 9,
      toServer: { duplicate: 1 },
      toClient: { drop: ['ack'] },
    })
    proxies.push(relay)
    const alice = await world.client('alice', { rooms: ['board'], url: relay.url })
    const bob = await world.client('bob', { rooms: ['board'] })
    const sent = [1, 2, 3].map((n) =>
      alice.store.dispatch(
        alice.actions.publish({ room: 'board', type: 'card_moved', data: { id: `c${n}` } }),
      ),
    )
    const ids = sent.map((s) => s.payload.id)
    await waitForIds(bob, ids)
    expect(alice.selectors.selectPendingMessages(alice.store.getState())).toHaveLength(3)

    relay.setFaults({ toServer: false, toClient: false })
    relay.cutAll()
    const acks = await Promise.all(sent.map((s) => s.unwrap()))
    expect(acks.map((a) => a.seq)).toEqual([1, 2, 3])
    await waitForIds(alice, ids)
    expect(receivedIds(bob)).toEqual(ids)
    expect(receivedIds(alice)).toEqual(ids)
  })

  it('waits in a persistent outbox across a reload and goes out once after the next auth_ok', async () => {
    world = await createWorld()
    const bob = await world.client('bob', { rooms: ['board'] })
    const storage = createMemoryStorage()
    const before = await createTestClient(world.server.url, 'alice', { storage })
    before.store.dispatch(before.actions.joinRoom('board'))
    const { id } = before.store.dispatch(
      before.actions.publish({ room: 'board', type: 'card_moved', data: { id: 'c1' } }),
    ).payload
    expect(before.selectors.selectPendingMessages(before.store.getState())).toEqual([
      expect.objectContaining({ id, type: 'app_message', room: 'board' }),
    ])
    before.dispose()

    const after = await world.client('alice', { rooms: ['board'], storage })
    await waitForIds(bob, [id])
    await after.waitFor((s) => after.selectors.selectPendingMessages(s).length === 0)
    expect(received(bob)).toEqual([
      expect.objectContaining({ id, type: 'card_moved', seq: 1, data: { id: 'c1' } }),
    ])
  })

  it("asks authorize({ action: 'publish', type }) and fails a refused message with FORBIDDEN", async () => {
    const asked: AuthorizeRequest[] = []
    world = await createWorld({
      authorize: (request) => {
        if (request.action === 'publish') asked.push(request)
        return !(request.action === 'publish' && request.type === 'board_reset')
      },
    })
    const alice = await world.client('alice', { rooms: ['board'] })
    const bob = await world.client('bob', { rooms: ['board'] })

    const reset = alice.store.dispatch(
      alice.actions.publish({ room: 'board', type: 'board_reset', data: null }),
    )
    await expect(reset.unwrap()).rejects.toMatchObject({ code: 'FORBIDDEN' })
    const failures = alice.dispatched.filter(outbox.failed.match).flatMap((a) => a.payload.failures)
    expect(failures).toEqual([
      {
        id: reset.payload.id,
        room: 'board',
        error: expect.objectContaining({ code: 'FORBIDDEN' }),
      },
    ])
    // A refused volatile one was written (its unwrap resolves) and is refused by an error frame.
    const volatile = alice.store.dispatch(
      alice.actions.publish({ room: 'board', type: 'board_reset', data: 1, volatile: true }),
    )
    await expect(volatile.unwrap()).resolves.toEqual({ id: volatile.payload.id })
    await alice.waitFor(() => errorsFor(alice, volatile.payload.id).length > 0)
    expect(errorsFor(alice, volatile.payload.id)).toEqual([
      expect.objectContaining({ code: 'FORBIDDEN' }),
    ])

    const allowed = await alice.store
      .dispatch(alice.actions.publish({ room: 'board', type: 'card_moved', data: { id: 'c1' } }))
      .unwrap()
    await waitForIds(bob, [allowed.id])
    expect(receivedIds(bob)).toEqual([allowed.id])
    expect(asked).toEqual([
      { userId: 'alice', room: 'board', action: 'publish', type: 'board_reset' },
      { userId: 'alice', room: 'board', action: 'publish', type: 'board_reset' },
      { userId: 'alice', room: 'board', action: 'publish', type: 'card_moved' },
    ])
  })

  it('fails a message validateMessage refuses with INVALID_MESSAGE naming its id and the reason', async () => {
    const seen: unknown[] = []
    world = await createWorld({
      validateMessage: (type, data, context) => {
        seen.push([type, data, context])
        const to = (data as { to?: unknown } | null)?.to
        return type !== 'card_moved' || typeof to === 'string' || 'to must be a column name'
      },
    })
    const alice = await world.client('alice', { rooms: ['board'] })
    const bad = alice.store.dispatch(
      alice.actions.publish({ room: 'board', type: 'card_moved', data: { id: 'c1', to: 5 } }),
    )
    const error = await bad.unwrap().catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'INVALID_MESSAGE', refId: bad.payload.id })
    expect((error as Error).message).toContain(bad.payload.id)
    expect((error as Error).message).toContain('to must be a column name')
    expect(seen).toEqual([['card_moved', { id: 'c1', to: 5 }, { userId: 'alice', room: 'board' }]])
    await expect(
      alice.store
        .dispatch(
          alice.actions.publish({ room: 'board', type: 'card_moved', data: { id: 'c1', to: 'x' } }),
        )
        .unwrap(),
    ).resolves.toMatchObject({ seq: 1 })
  })

  it('refuses an invalid type name: the command throws, the server answers an error naming the id', async () => {
    world = await createWorld()
    const alice = await world.client('alice', { rooms: ['board'] })
    const publish = (type: string) => alice.actions.publish({ room: 'board', type, data: null })
    expect(() => publish('Card Moved')).toThrow(/type must be a lowercase name matching/)
    expect(() => publish('chat_message')).toThrow(/neither a protocol type/)
    expect(() => publish('constructor')).toThrow(/Object.prototype member name/)
    expect(() => publish('x'.repeat(65))).toThrow(TypeError)

    const raw = await connectRaw(world.server.url)
    raws.push(raw)
    await raw.authenticate(await tokenFor('mallory'))
    raw.sendFrame('join', { room: 'board', data: {} })
    await raw.nextOfType('joined')
    for (const type of ['Card Moved', 'chat_message', 'toString']) {
      const sent = raw.send(
        JSON.stringify({
          v: 1,
          id: `bad-${type.length}`,
          type: 'app_message',
          timestamp: 1,
          room: 'board',
          data: { type, data: 1 },
        }),
      )
      void sent
      const error = await raw.nextOfType('error', (e) => e.data.refId === `bad-${type.length}`)
      expect(error.data).toMatchObject({ code: 'INVALID_FRAME' })
      expect(error.data.message).toContain('data.type must be a lowercase name')
    }
    expect(receivedIds(alice)).toEqual([])
  })
})

describe('publish({ volatile: true })', () => {
  it('is never queued offline or before its room is joined: unwrap rejects and nothing goes out later', async () => {
    world = await createWorld()
    const bob = await world.client('bob', { rooms: ['board'] })
    const alice = await world.client('alice')
    const cursor = (x: number) =>
      alice.store.dispatch(
        alice.actions.publish({ room: 'board', type: 'cursor', data: { x, y: 0 }, volatile: true }),
      )

    await expect(cursor(1).unwrap()).rejects.toMatchObject({ code: 'NOT_JOINED' })
    alice.store.dispatch(alice.actions.disconnect())
    await alice.waitFor((s) => !alice.selectors.selectIsConnected(s))
    alice.store.dispatch(alice.actions.joinRoom('board'))
    const offline = cursor(2)
    await expect(offline.unwrap()).rejects.toMatchObject({ code: 'NOT_CONNECTED' })
    expect(alice.selectors.selectPendingMessages(alice.store.getState())).toEqual([])

    alice.store.dispatch(alice.actions.connect())
    await alice.waitForRoom('board')
    const online = await cursor(3).unwrap()
    expect(online).toEqual({ id: expect.any(String) })
    await waitForIds(bob, [online.id])
    expect(received(bob)).toEqual([
      {
        id: online.id,
        type: 'cursor',
        room: 'board',
        userId: 'alice',
        timestamp: expect.any(Number),
        data: { x: 3, y: 0 },
      },
    ])
    // Relayed to the other members only, with no seq and no ack.
    expect(receivedIds(alice)).toEqual([])
    expect(alice.dispatched.filter(outbox.acked.match)).toEqual([])
  })

  it('is latest-wins per room and type while waiting for the flow-control budget', async () => {
    world = await createWorld({ rateLimit: { messages: 100, perMs: 1000 } })
    const alice = await world.client('alice', { rooms: ['board'] })
    const bob = await world.client('bob', { rooms: ['board'] })
    const { actions } = alice
    // More durable messages than the budget: the rest wait, and volatile ones wait behind them.
    const backlog = Array.from({ length: 120 }, (_, i) =>
      alice.store.dispatch(
        actions.publish({ room: 'board', type: 'card_moved', data: { id: `c${i}` } }),
      ),
    )
    const cursors = [1, 2, 3].map((x) =>
      alice.store.dispatch(
        actions.publish({ room: 'board', type: 'cursor', data: { x, y: 0 }, volatile: true }),
      ),
    )
    const other = alice.store.dispatch(
      actions.publish({ room: 'board', type: 'selection', data: ['c1'], volatile: true }),
    )
    const [first, second, last] = cursors as [
      (typeof cursors)[0],
      (typeof cursors)[0],
      (typeof cursors)[0],
    ]
    await expect(first.unwrap()).rejects.toMatchObject({ code: 'SUPERSEDED' })
    await expect(second.unwrap()).rejects.toMatchObject({ code: 'SUPERSEDED' })
    await expect(last.unwrap()).resolves.toEqual({ id: last.payload.id })
    await expect(other.unwrap()).resolves.toEqual({ id: other.payload.id })
    await Promise.all(backlog.map((b) => b.unwrap()))

    await waitForIds(bob, [last.payload.id, other.payload.id, ...backlog.map((b) => b.payload.id)])
    const volatiles = received(bob).filter((m) => m.seq === undefined)
    expect(volatiles.map((m) => m.data)).toEqual([{ x: 3, y: 0 }, ['c1']])
    expect(received(bob).filter((m) => m.seq !== undefined)).toHaveLength(120)
  })
})
