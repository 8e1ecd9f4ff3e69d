import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { ChatMessageFrame } from '../../../src/protocol/frames'
import {
  FakeSocket,
  ackFrame,
  answerJoins,
  connectAndAuthenticate,
  createHarness,
  errorFrame,
  joined,
  serverFrame,
  tick,
  WINDOW,
} from './harness'
import {
  createLocalStorage,
  createMemoryStorage,
  type OutboxStorage,
} from '../../../middleware/storage'
import type { OutboxEntry } from '../../../slices/types'

beforeEach(() => {
  vi.useFakeTimers()
  FakeSocket.instances = []
})

afterEach(() => {
  vi.useRealTimers()
})

function chatFramesSent(socket: FakeSocket): ChatMessageFrame[] {
  return socket.frames().filter((f): f is ChatMessageFrame => f.type === 'chat_message')
}

describe('outbox middleware', () => {
  it('after auth_ok sends the joins of every joined room before any queued chat message', async () => {
    const h = createHarness()
    const { joinRoom, sendChatMessage } = h.realtime.actions
    h.store.dispatch(joinRoom('general'))
    h.store.dispatch(sendChatMessage({ room: 'general', content: 'one' }))
    h.store.dispatch(joinRoom('random'))
    h.store.dispatch(sendChatMessage({ room: 'random', content: 'two' }))
    const socket = await connectAndAuthenticate(h)
    // Messages wait for their room's joined on this socket.
    expect(socket.types()).toEqual(['auth', 'join', 'join', 'join'])
    await answerJoins(socket)
    expect(socket.types()).toEqual(['auth', 'join', 'join', 'join', 'chat_message', 'chat_message'])
    expect(
      socket
        .frames()
        .filter((f) => f.type === 'join')
        .map((f) => f.room),
    ).toEqual(['general', 'random', 'user:alice'])
  })

  it('keeps messages sent offline in the outbox and sends them in order after auth_ok', async () => {
    const h = createHarness()
    const { joinRoom, sendChatMessage } = h.realtime.actions
    h.store.dispatch(joinRoom('general'))
    const ids = ['a', 'b', 'c'].map(
      (content) => h.store.dispatch(sendChatMessage({ room: 'general', content })).payload.id,
    )
    expect(h.ofType('realtime/outbox/enqueued').map((a) => a.payload.entry.id)).toEqual(ids)
    expect(h.realtime.selectors.selectPendingMessages(h.store.getState()).map((e) => e.id)).toEqual(
      ids,
    )
    expect(h.state().chat.byRoom.general?.messages.map((m) => m.status)).toEqual([
      'pending',
      'pending',
      'pending',
    ])

    const socket = await connectAndAuthenticate(h)
    await answerJoins(socket)
    expect(chatFramesSent(socket).map((f) => f.id)).toEqual(ids)
    expect(chatFramesSent(socket).map((f) => f.data.content)).toEqual(['a', 'b', 'c'])
  })

  it('removes a message from the outbox when the server acks it', async () => {
    const h = createHarness()
    h.store.dispatch(h.realtime.actions.joinRoom('general'))
    const socket = await connectAndAuthenticate(h)
    const { id } = h.store.dispatch(
      h.realtime.actions.sendChatMessage({ room: 'general', content: 'hi' }),
    ).payload
    expect(h.realtime.selectors.selectPendingMessages(h.store.getState()).map((e) => e.id)).toEqual(
      [id],
    )
    socket.deliver(ackFrame('general', id, 1))
    await tick(WINDOW)
    expect(h.ofType('realtime/outbox/acked')).toHaveLength(1)
    expect(h.realtime.selectors.selectPendingMessages(h.store.getState())).toEqual([])
    expect(h.state().chat.byRoom.general?.messages[0]?.status).toBe('sent')
  })

  it('re-sends unacknowledged messages on the next connection, with the same id', async () => {
    const h = createHarness({ reconnectInterval: 100, maxReconnectDelay: 100 })
    h.store.dispatch(h.realtime.actions.joinRoom('general'))
    const first = await connectAndAuthenticate(h)
    await answerJoins(first)
    const { id } = h.store.dispatch(
      h.realtime.actions.sendChatMessage({ room: 'general', content: 'hi' }),
    ).payload
    expect(chatFramesSent(first).map((f) => f.id)).toEqual([id])

    first.serverClose(1006)
    await tick(100)
    const second = FakeSocket.latest()
    expect(second).not.toBe(first)
    second.open()
    await tick()
    second.deliver({
      v: 1,
      id: 'ok-2',
      type: 'auth_ok',
      timestamp: Date.now(),
      data: { userId: 'alice', sessionId: 's2', epoch: 'epoch-1' },
    })
    await tick()
    expect(chatFramesSent(second)).toEqual([])
    await answerJoins(second)
    expect(chatFramesSent(second).map((f) => f.id)).toEqual([id])
  })

  it('dispatches outbox/overflowed with QUEUE_FULL when the queue already holds messageQueueSize messages', () => {
    const h = createHarness({ messageQueueSize: 2 })
    const { joinRoom, sendChatMessage } = h.realtime.actions
    h.store.dispatch(joinRoom('general'))
    h.store.dispatch(sendChatMessage({ room: 'general', content: 'one' }))
    h.store.dispatch(sendChatMessage({ room: 'general', content: 'two' }))
    const { id } = h.store.dispatch(sendChatMessage({ room: 'general', content: 'three' })).payload

    const overflowed = h.ofType('realtime/outbox/overflowed')
    expect(overflowed).toHaveLength(1)
    expect(overflowed[0]?.payload.entry.id).toBe(id)
    expect(overflowed[0]?.payload.error).toMatchObject({ code: 'QUEUE_FULL', refId: id })
    expect(h.ofType('realtime/outbox/enqueued')).toHaveLength(2)
    expect(h.realtime.selectors.selectPendingMessages(h.store.getState())).toHaveLength(2)
    // Not dropped silently: the message is in state, failed, with the reason.
    const message = h.state().chat.byRoom.general?.messages.find((m) => m.id === id)
    expect(message).toMatchObject({ status: 'failed', error: { code: 'QUEUE_FULL' } })
    expect(h.state().connection.lastError).toMatchObject({ code: 'QUEUE_FULL' })
  })

  it('keeps a RATE_LIMITED message queued and re-sends it after retryAfterMs', async () => {
    const h = createHarness()
    h.store.dispatch(h.realtime.actions.joinRoom('general'))
    const socket = await connectAndAuthenticate(h)
    socket.deliver(joined('general'))
    await tick()
    const { id } = h.store.dispatch(
      h.realtime.actions.sendChatMessage({ room: 'general', content: 'hi' }),
    ).payload
    expect(chatFramesSent(socket).map((f) => f.id)).toEqual([id])

    socket.deliver(errorFrame('RATE_LIMITED', id, { retryAfterMs: 500 }))
    await tick()
    expect(h.ofType('realtime/connection/errorsReceived')).toHaveLength(1)
    expect(h.ofType('realtime/outbox/failed')).toHaveLength(0)
    expect(h.realtime.selectors.selectPendingMessages(h.store.getState()).map((e) => e.id)).toEqual(
      [id],
    )
    expect(h.state().chat.byRoom.general?.messages[0]?.status).toBe('pending')

    await tick(499)
    expect(chatFramesSent(socket).map((f) => f.id)).toEqual([id])
    await tick(1)
    expect(chatFramesSent(socket).map((f) => f.id)).toEqual([id, id])
  })

  it('keeps a SERVER_ERROR message and the ones after it on its stream, resends them in order after retryAfterMs, backing off while the server keeps failing', async () => {
    const h = createHarness()
    const { joinRoom, sendChatMessage } = h.realtime.actions
    h.store.dispatch(joinRoom('general'))
    h.store.dispatch(joinRoom('random'))
    const socket = await connectWithLimits(h, {})
    const [a, b, c] = ['a', 'b', 'c'].map(
      (content) => h.store.dispatch(sendChatMessage({ room: 'general', content })).payload.id,
    )
    const other = h.store.dispatch(sendChatMessage({ room: 'random', content: 'x' })).payload.id
    await tick()
    expect(chatFramesSent(socket).map((f) => f.id)).toEqual([a, b, c, other])

    // The store failed for b; the server refuses c (sent after it) too, but that error is still
    // on its way: c goes again behind b all the same.
    socket.deliver(ackFrame('general', a as string, 1))
    socket.deliver(errorFrame('SERVER_ERROR', b, { retryAfterMs: 500, room: 'general' }))
    await tick()
    expect(h.ofType('realtime/outbox/failed')).toHaveLength(0)
    await tick(499)
    expect(chatFramesSent(socket)).toHaveLength(4)
    await tick(1)
    expect(
      chatFramesSent(socket)
        .map((f) => f.id)
        .slice(4),
    ).toEqual([b, c])

    // Still failing: the next wait is at least retryAfterMs and at most twice it.
    socket.deliver(errorFrame('SERVER_ERROR', b, { retryAfterMs: 500, room: 'general' }))
    await tick(499)
    expect(chatFramesSent(socket)).toHaveLength(6)
    await tick(501)
    expect(
      chatFramesSent(socket)
        .map((f) => f.id)
        .slice(6),
    ).toEqual([b, c])

    for (const [id, seq] of [
      [b, 2],
      [c, 3],
    ] as const)
      socket.deliver(ackFrame('general', id as string, seq))
    socket.deliver(ackFrame('random', other, 1))
    await tick()
    expect(h.ofType('realtime/outbox/failed')).toHaveLength(0)
    expect(h.realtime.selectors.selectPendingMessages(h.store.getState())).toEqual([])
    expect(h.state().chat.byRoom.general?.messages.map((m) => m.status)).toEqual([
      'sent',
      'sent',
      'sent',
    ])
  })

  it('fails only the message an error refers to, and later messages still go out', async () => {
    const h = createHarness()
    const { joinRoom, sendChatMessage } = h.realtime.actions
    h.store.dispatch(joinRoom('general'))
    const socket = await connectAndAuthenticate(h)
    socket.deliver(joined('general'))
    await tick()
    const big = h.store.dispatch(sendChatMessage({ room: 'general', content: 'big' })).payload.id

    socket.deliver(errorFrame('MESSAGE_TOO_LARGE', big))
    await tick(WINDOW)
    const failed = h.ofType('realtime/outbox/failed')
    expect(failed).toHaveLength(1)
    expect(failed[0]?.payload.failures).toEqual([
      expect.objectContaining({
        id: big,
        room: 'general',
        error: expect.objectContaining({ code: 'MESSAGE_TOO_LARGE' }),
      }),
    ])
    expect(h.realtime.selectors.selectPendingMessages(h.store.getState())).toEqual([])
    expect(h.state().chat.byRoom.general?.messages[0]).toMatchObject({ id: big, status: 'failed' })

    const next = h.store.dispatch(sendChatMessage({ room: 'general', content: 'small' })).payload.id
    expect(chatFramesSent(socket).map((f) => f.id)).toEqual([big, next])
  })

  it('throws when sending to a room that was never joined, saying to dispatch joinRoom first', () => {
    const h = createHarness()
    const send = () =>
      h.store.dispatch(h.realtime.actions.sendChatMessage({ room: 'elsewhere', content: 'hi' }))
    expect(send).toThrow(Error)
    expect(send).toThrow(/Dispatch joinRoom\('elsewhere'\) first/)
    expect(h.ofType('realtime/outbox/enqueued')).toHaveLength(0)
  })

  it('fails the messages still waiting for a room when the room is left', () => {
    const h = createHarness()
    const { joinRoom, leaveRoom, sendChatMessage } = h.realtime.actions
    h.store.dispatch(joinRoom('general'))
    const { id } = h.store.dispatch(sendChatMessage({ room: 'general', content: 'hi' })).payload
    h.store.dispatch(leaveRoom('general'))
    const failed = h.ofType('realtime/outbox/failed')
    expect(failed[0]?.payload.failures).toEqual([
      expect.objectContaining({ id, error: expect.objectContaining({ code: 'NOT_JOINED' }) }),
    ])
    expect(h.realtime.selectors.selectPendingMessages(h.store.getState())).toEqual([])
  })
})

/** connect → open → auth_ok with these limits → every join answered. */
async function connectWithLimits(
  h: ReturnType<typeof createHarness>,
  limits: Record<string, unknown>,
): Promise<FakeSocket> {
  h.store.dispatch(h.realtime.actions.connect())
  await tick()
  const socket = FakeSocket.latest()
  socket.open()
  // The auth goes out once storage is loaded; the server answers it.
  for (let waited = 0; !socket.types().includes('auth') && waited < 5_000; waited += 10)
    await tick(10)
  socket.deliver(
    serverFrame('auth_ok', {
      data: { userId: 'alice', sessionId: 's1', epoch: 'epoch-1', ...limits },
    }),
  )
  await tick()
  await answerJoins(socket)
  return socket
}

const entry = (id: string, room: string, createdAt: number): OutboxEntry => ({
  id,
  type: 'chat_message',
  room,
  createdAt,
  userId: 'alice',
  data: { content: id },
})

describe('outbox flow control and scheduling', () => {
  it('paces itself under the rate the server states, so it never trips the limit', async () => {
    const h = createHarness()
    h.store.dispatch(h.realtime.actions.joinRoom('general'))
    const socket = await connectWithLimits(h, {
      rateLimit: { messages: 20, perMs: 1000 },
      maxInFlight: 1000,
    })
    const counted = () => socket.frames().filter((f) => f.type !== 'auth' && f.type !== 'ping')
    const base = counted().length // the joins count against the limit too
    for (let i = 0; i < 100; i++) {
      h.store.dispatch(h.realtime.actions.sendChatMessage({ room: 'general', content: `${i}` }))
    }
    // The first goes at once, the others of the task together at its end.
    await Promise.resolve()
    // 80 % of the stated 20 per second, minus the two joins already spent.
    expect(counted().length).toBe(16)
    expect(chatFramesSent(socket)).toHaveLength(16 - base)
    // Then one every 1000 / 16 ms, never more than the bucket refills.
    for (let second = 1; second <= 5; second++) {
      await tick(1000)
      expect(counted().length).toBeLessThanOrEqual(16 + 16 * second)
      expect(counted().length).toBeGreaterThanOrEqual(16 + 16 * second - 1)
    }
    for (const f of chatFramesSent(socket)) socket.deliver(ackFrame('general', f.id, 1))
    await tick(WINDOW)
  })

  it('does not refill its bucket or reload the outbox on a token refresh (the server did not refill)', async () => {
    const h = createHarness()
    h.store.dispatch(h.realtime.actions.joinRoom('general'))
    const limits = { rateLimit: { messages: 20, perMs: 1000 }, maxInFlight: 1000 }
    const socket = await connectWithLimits(h, limits)
    for (let i = 0; i < 50; i++) {
      h.store.dispatch(h.realtime.actions.sendChatMessage({ room: 'general', content: `${i}` }))
    }
    await Promise.resolve()
    const counted = () => socket.frames().filter((f) => f.type !== 'auth' && f.type !== 'ping')
    expect(counted()).toHaveLength(16)
    h.store.dispatch(h.realtime.actions.authenticate('fresh-token'))
    socket.deliver(
      serverFrame('auth_ok', {
        data: { userId: 'alice', sessionId: 's1', epoch: 'epoch-1', ...limits },
      }),
    )
    await tick(WINDOW)
    expect(h.ofType('realtime/connection/opened')).toHaveLength(2)
    expect(counted()).toHaveLength(16)
    expect(h.ofType('realtime/outbox/restored')).toHaveLength(0)
  })

  it('keeps at most maxInFlight messages unacknowledged and sends more as acks arrive', async () => {
    const h = createHarness()
    h.store.dispatch(h.realtime.actions.joinRoom('general'))
    const socket = await connectWithLimits(h, { maxInFlight: 5 })
    for (let i = 0; i < 12; i++) {
      h.store.dispatch(h.realtime.actions.sendChatMessage({ room: 'general', content: `${i}` }))
    }
    await Promise.resolve()
    expect(chatFramesSent(socket)).toHaveLength(5)
    for (const f of chatFramesSent(socket).slice(0, 3)) socket.deliver(ackFrame('general', f.id, 1))
    await tick(WINDOW)
    expect(chatFramesSent(socket)).toHaveLength(8)
  })

  it('writes what one task queues as batch frames, within maxInFlight and the frame limit', async () => {
    const h = createHarness()
    h.store.dispatch(h.realtime.actions.joinRoom('general'))
    const limit = 2048
    const socket = await connectWithLimits(h, { maxInFlight: 40, maxFrameBytes: limit })
    const before = socket.sent.length
    for (let i = 0; i < 60; i++) {
      const content = `${i} ${'x'.repeat(150)}`
      h.store.dispatch(h.realtime.actions.sendChatMessage({ room: 'general', content }))
    }
    await Promise.resolve()
    const writes = socket.sent.slice(before).map((text) => JSON.parse(text) as { type: string })
    expect(chatFramesSent(socket)).toHaveLength(40)
    // The first at once, the other 39 in batches as large as the limit allows (6 of these
    // ~280-byte frames), not 39 writes.
    expect(writes[0]?.type).toBe('chat_message')
    expect(writes.slice(1).every((w) => w.type === 'batch')).toBe(true)
    expect(writes.length).toBe(1 + Math.ceil(39 / 6))
    expect(socket.sent.slice(before).every((text) => text.length <= limit)).toBe(true)
    // Acks free slots: the next ones go out batched too.
    for (const f of chatFramesSent(socket).slice(0, 20))
      socket.deliver(ackFrame('general', f.id, 1))
    await tick(WINDOW)
    expect(chatFramesSent(socket)).toHaveLength(60)
    expect(socket.sent.length - before).toBe(8 + Math.ceil(20 / 6))
  })

  it('settles a batch of acks in one dispatch, each message sent once and its promise resolved', async () => {
    const h = createHarness()
    h.store.dispatch(h.realtime.actions.joinRoom('general'))
    const socket = await connectWithLimits(h, { maxInFlight: 100 })
    // The mock store's dispatch is untyped: the realtime middleware adds unwrap at run time.
    const sent = Array.from(
      { length: 50 },
      (_, i) =>
        h.store.dispatch(
          h.realtime.actions.sendChatMessage({ room: 'general', content: `${i}` }),
        ) as unknown as { unwrap(): Promise<{ seq?: number }> },
    )
    await Promise.resolve()
    const frames = chatFramesSent(socket).map((f, i) => ackFrame('general', f.id, i + 1))
    socket.deliver(serverFrame('batch', { data: { frames } }))
    await tick(WINDOW)
    const acked = h.ofType('realtime/outbox/acked')
    expect(acked).toHaveLength(1)
    expect(acked[0]?.payload.acks).toHaveLength(50)
    const results = await Promise.all(sent.map((s) => s.unwrap()))
    expect(results.map((r) => r.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1))
    expect(chatFramesSent(socket)).toHaveLength(50)
    expect(h.realtime.selectors.selectPendingMessages(h.store.getState())).toEqual([])
  })

  it('sends nothing of a room after its leave: messages of the task still waiting fail with NOT_JOINED', async () => {
    const h = createHarness()
    h.store.dispatch(h.realtime.actions.joinRoom('general'))
    const socket = await connectWithLimits(h, {})
    const before = socket.frames().length
    const ids = ['a', 'b', 'c'].map(
      (content) =>
        h.store.dispatch(h.realtime.actions.sendChatMessage({ room: 'general', content })).payload
          .id,
    )
    h.store.dispatch(h.realtime.actions.leaveRoom('general'))
    await tick(WINDOW)
    const types = socket
      .frames()
      .slice(before)
      .map((f) => f.type)
    expect(types.slice(types.indexOf('leave') + 1)).not.toContain('chat_message')
    const failures = h.ofType('realtime/outbox/failed').flatMap((a) => a.payload.failures)
    expect(failures.map((f: { id: string }) => f.id).sort()).toEqual([...ids].sort())
    expect(h.realtime.selectors.selectPendingMessages(h.store.getState())).toEqual([])
  })

  it('resends after a RATE_LIMITED pause even when its timer fires before the pause ends', async () => {
    const h = createHarness()
    h.store.dispatch(h.realtime.actions.joinRoom('general'))
    const socket = await connectWithLimits(h, {})
    const { id } = h.store.dispatch(
      h.realtime.actions.sendChatMessage({ room: 'general', content: 'hi' }),
    ).payload
    socket.deliver(errorFrame('RATE_LIMITED', id, { retryAfterMs: 500 }))
    await tick(WINDOW)
    // The clock steps back a little: the retry timer fires while Date.now() is before the end.
    vi.setSystemTime(Date.now() - 20)
    await tick(500)
    expect(chatFramesSent(socket).map((f) => f.id)).toEqual([id])
    await tick(25)
    expect(chatFramesSent(socket).map((f) => f.id)).toEqual([id, id])
  })

  it('fails every message of a room left while they were in flight, and none stays pending after a cut', async () => {
    const h = createHarness({ reconnectInterval: 100, maxReconnectDelay: 100 })
    h.store.dispatch(h.realtime.actions.joinRoom('general'))
    const socket = await connectWithLimits(h, {})
    const ids = ['a', 'b'].map(
      (content) =>
        h.store.dispatch(h.realtime.actions.sendChatMessage({ room: 'general', content })).payload
          .id,
    )
    await Promise.resolve()
    expect(chatFramesSent(socket).map((f) => f.id)).toEqual(ids)
    h.store.dispatch(h.realtime.actions.leaveRoom('general'))
    socket.serverClose(1006)
    await tick(1000)
    const failures = h.ofType('realtime/outbox/failed').flatMap((a) => a.payload.failures)
    expect(failures.map((f: { id: string }) => f.id)).toEqual(ids)
    expect(failures.every((f: { error: { code: string } }) => f.error.code === 'NOT_JOINED')).toBe(
      true,
    )
    expect(h.realtime.selectors.selectPendingMessages(h.store.getState())).toEqual([])
  })

  it('sends restored messages first, in their original order, before one sent right after the reload', async () => {
    const storage = createMemoryStorage()
    void storage.save(entry('old-1', 'general', 1))
    void storage.save(entry('old-2', 'general', 2))
    const h = createHarness({ storage })
    h.store.dispatch(h.realtime.actions.joinRoom('general'))
    const { id } = h.store.dispatch(
      h.realtime.actions.sendChatMessage({ room: 'general', content: 'new' }),
    ).payload
    const socket = await connectWithLimits(h, {})
    expect(chatFramesSent(socket).map((f) => f.id)).toEqual(['old-1', 'old-2', id])
    expect(h.state().chat.byRoom.general?.messages.map((m) => m.id)).toEqual(['old-1', 'old-2', id])
  })

  it('fails a restored message whose room is not joined again within rejoinGraceMs of connecting', async () => {
    const storage = createMemoryStorage()
    void storage.save(entry('orphan', 'elsewhere', 1))
    void storage.save(entry('kept', 'general', 2))
    const h = createHarness({ storage, rejoinGraceMs: 2_000 })
    h.store.dispatch(h.realtime.actions.joinRoom('general'))
    const socket = await connectWithLimits(h, {})
    expect(chatFramesSent(socket).map((f) => f.id)).toEqual(['kept'])
    // The grace runs from the auth_ok (a few ms ago).
    await tick(1_900)
    expect(h.ofType('realtime/outbox/failed')).toHaveLength(0)
    await tick(100)
    const failed = h.ofType('realtime/outbox/failed')
    expect(failed[0]?.payload.failures).toEqual([
      expect.objectContaining({
        id: 'orphan',
        room: 'elsewhere',
        error: expect.objectContaining({
          code: 'NOT_JOINED',
          message: expect.stringMatching(/elsewhere/),
        }),
      }),
    ])
    expect(h.realtime.selectors.selectPendingMessages(h.store.getState()).map((e) => e.id)).toEqual(
      ['kept'],
    )
  })

  it('a restored message whose room is joined again in time goes out', async () => {
    const storage = createMemoryStorage()
    void storage.save(entry('late', 'elsewhere', 1))
    const h = createHarness({ storage, rejoinGraceMs: 2_000 })
    const socket = await connectWithLimits(h, {})
    await tick(1_000)
    h.store.dispatch(h.realtime.actions.joinRoom('elsewhere'))
    await answerJoins(socket)
    await tick(5_000)
    expect(chatFramesSent(socket).map((f) => f.id)).toEqual(['late'])
    expect(h.ofType('realtime/outbox/failed')).toHaveLength(0)
  })

  it('reports a failing storage as an error action and still sends from memory', async () => {
    const broken: OutboxStorage = {
      load: () => [],
      save: () => {
        throw new Error('QuotaExceededError')
      },
      remove: () => Promise.reject(new Error('disk gone')),
    }
    const h = createHarness({ storage: broken })
    h.store.dispatch(h.realtime.actions.joinRoom('general'))
    const socket = await connectWithLimits(h, {})
    const { id } = h.store.dispatch(
      h.realtime.actions.sendChatMessage({ room: 'general', content: 'hi' }),
    ).payload
    expect(chatFramesSent(socket).map((f) => f.id)).toEqual([id])
    socket.deliver(ackFrame('general', id, 1))
    await tick(WINDOW)
    const errors = h.ofType('realtime/connection/errorOccurred').map((a) => a.payload.error)
    expect(errors).toEqual([
      expect.objectContaining({ code: 'STORAGE_FAILED', message: expect.stringMatching(/Quota/) }),
      expect.objectContaining({
        code: 'STORAGE_FAILED',
        message: expect.stringMatching(/disk gone/),
      }),
    ])
    expect(h.realtime.selectors.selectPendingMessages(h.store.getState())).toEqual([])
  })
})

describe('outbox storage problems become error actions', () => {
  it('reports a corrupt record the storage skipped, and still sends the readable ones', async () => {
    const backing = new Map<string, string>()
    const storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem' | 'key' | 'length'> = {
      getItem: (k) => backing.get(k) ?? null,
      setItem: (k, v) => void backing.set(k, v),
      removeItem: (k) => void backing.delete(k),
      key: (i) => [...backing.keys()][i] ?? null,
      get length() {
        return backing.size
      },
    }
    const first = createLocalStorage({ key: 'app', storage, locks: null, onError: () => {} })
    await first.save(entry('good', 'general', 1))
    first.close()
    backing.set('app:entry:broken', '{ not json')
    const h = createHarness({ storage: createLocalStorage({ key: 'app', storage, locks: null }) })
    h.store.dispatch(h.realtime.actions.joinRoom('general'))
    const socket = await connectWithLimits(h, {})
    await tick(1_000)
    expect(chatFramesSent(socket).map((f) => f.id)).toEqual(['good'])
    const errors = h.ofType('realtime/connection/errorOccurred').map((a) => a.payload.error)
    expect(errors).toEqual([
      expect.objectContaining({
        code: 'STORAGE_FAILED',
        message: expect.stringMatching(/app:entry:broken.*invalid JSON/),
      }),
    ])
    // Left as it was: nothing overwrote what could not be read.
    expect(backing.get('app:entry:broken')).toBe('{ not json')
  })
})

describe('outbox restore never revives a settled message', () => {
  it('ignores entries of a load snapshot that were acked while the load was under way', async () => {
    const saved = new Map<string, OutboxEntry>()
    let release: (() => void) | undefined
    const slow: OutboxStorage = {
      // The snapshot is taken when asked; the answer comes later (as IndexedDB's does).
      load: () => {
        const snapshot = [...saved.values()]
        return new Promise((resolve) => (release = () => resolve(snapshot)))
      },
      save: (e) => void saved.set(e.id, e),
      remove: (id) => void saved.delete(id),
    }
    const h = createHarness({ storage: slow, reconnectInterval: 100, maxReconnectDelay: 100 })
    h.store.dispatch(h.realtime.actions.joinRoom('general'))
    release?.()
    const first = await connectWithLimits(h, {})
    const { id } = h.store.dispatch(
      h.realtime.actions.sendChatMessage({ room: 'general', content: 'once' }),
    ).payload
    first.serverClose(1006)
    await tick(100)
    const second = FakeSocket.latest()
    second.open()
    await tick()
    second.deliver(
      serverFrame('auth_ok', { data: { userId: 'alice', sessionId: 's2', epoch: 'epoch-1' } }),
    )
    await tick()
    // The reconnect's load is under way (its snapshot holds the message) when the ack lands.
    await answerJoins(second)
    second.deliver(ackFrame('general', id, 1))
    await tick(WINDOW)
    release?.()
    await tick(WINDOW)
    expect(h.ofType('realtime/outbox/restored')).toHaveLength(0)
    expect(h.realtime.selectors.selectPendingMessages(h.store.getState())).toEqual([])
    expect(h.state().chat.byRoom.general?.messages.map((m) => [m.id, m.status])).toEqual([
      [id, 'sent'],
    ])
  })
})

describe('volatile publish in the outbox', () => {
  it('goes out under the budget left by queued messages, latest-wins per room and type while waiting, and never waits for a socket that closed', async () => {
    const h = createHarness()
    const { joinRoom, leaveRoom, publish } = h.realtime.actions
    h.store.dispatch(joinRoom('board'))
    h.store.dispatch(joinRoom('other'))
    // A bucket of 4 (80 % of 5), refilled one per 2.5 s; the three joins spend 3.
    const socket = await connectWithLimits(h, { rateLimit: { messages: 5, perMs: 10_000 } })
    const appFrames = () => socket.frames().filter((f) => f.type === 'app_message')
    // The mock store's dispatch is untyped: the realtime middleware adds unwrap at run time.
    const send = (input: Parameters<typeof publish>[0]) =>
      h.store.dispatch(publish(input)) as ReturnType<typeof publish> & {
        unwrap(): Promise<unknown>
      }
    const volatile = (room: string, type: string, x: number) =>
      send({ room, type, data: { x }, volatile: true })

    const durable = send({ room: 'board', type: 'card_moved', data: 'c1' })
    const first = volatile('board', 'cursor', 1)
    const second = volatile('board', 'cursor', 2)
    const elsewhere = volatile('other', 'cursor', 1)
    const later = volatile('board', 'selection', 1)
    await expect(first.unwrap()).rejects.toMatchObject({ code: 'SUPERSEDED' })
    expect(appFrames().map((f) => f.id)).toEqual([durable.payload.id])

    await tick(2_600)
    expect(appFrames().map((f) => [f.id, f.data])).toEqual([
      [durable.payload.id, { type: 'card_moved', data: 'c1' }],
      [second.payload.id, { type: 'cursor', data: { x: 2 }, volatile: true }],
    ])
    await expect(second.unwrap()).resolves.toEqual({ id: second.payload.id })
    // Only the durable one waits for an ack.
    expect(h.realtime.selectors.selectPendingMessages(h.store.getState()).map((e) => e.id)).toEqual(
      [durable.payload.id],
    )

    h.store.dispatch(leaveRoom('board'))
    await expect(later.unwrap()).rejects.toMatchObject({ code: 'NOT_JOINED' })
    socket.serverClose(1006)
    await tick()
    await expect(elsewhere.unwrap()).rejects.toMatchObject({ code: 'NOT_CONNECTED' })
    expect(appFrames()).toHaveLength(2)
  })
})
