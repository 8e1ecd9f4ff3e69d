import { SHOULD_AUTOBATCH, type UnknownAction } from '@reduxjs/toolkit'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { joinRoom } from '../../../slices/actions'
import {
  ackFrame,
  answerJoins,
  FakeSocket,
  WINDOW,
  authOk,
  chatFrame,
  connectAndAuthenticate,
  createHarness,
  errorFrame,
  joined,
  serverFrame,
  tick,
} from './harness'

beforeEach(() => {
  vi.useFakeTimers()
  FakeSocket.instances = []
})

afterEach(() => {
  vi.restoreAllMocks()
  vi.useRealTimers()
})

const MINUTE = 60_000

describe('realtime middleware: session', () => {
  it('sends auth as the first frame after open and nothing else before auth_ok', async () => {
    const h = createHarness()
    const { joinRoom: join, sendChatMessage, connect } = h.realtime.actions
    h.store.dispatch(join('general'))
    h.store.dispatch(sendChatMessage({ room: 'general', content: 'early' }))
    h.store.dispatch(connect())
    await tick()
    const socket = FakeSocket.latest()
    expect(socket.sent).toEqual([])
    socket.open()
    await tick(5_000)
    expect(socket.types()).toEqual(['auth'])
    expect(socket.frames()[0]).toMatchObject({ v: 1, type: 'auth', data: { token: 't' } })

    socket.deliver(authOk())
    await tick()
    // The room's join, this user's private stream's join, then (once joined) the queued message.
    expect(socket.types()).toEqual(['auth', 'join', 'join'])
    await answerJoins(socket)
    expect(socket.types()).toEqual(['auth', 'join', 'join', 'chat_message'])
    expect(
      socket
        .frames()
        .filter((f) => f.type === 'join')
        .map((f) => f.room),
    ).toEqual(['general', 'user:alice'])
  })

  it('moves the connection through connecting, authenticating and open', async () => {
    const h = createHarness()
    h.store.dispatch(h.realtime.actions.connect())
    expect(h.state().connection.state).toBe('connecting')
    await tick()
    FakeSocket.latest().open()
    expect(h.state().connection.state).toBe('authenticating')
    await tick()
    FakeSocket.latest().deliver(authOk())
    await tick()
    expect(h.state().connection.state).toBe('open')
    expect(h.state().connection.info).toMatchObject({
      isAuthenticated: true,
      userId: 'alice',
      sessionId: 'session-1',
      serverEpoch: 'epoch-1',
    })
  })

  it('stops reconnecting when a static authToken is refused', async () => {
    const h = createHarness()
    h.store.dispatch(h.realtime.actions.connect())
    await tick()
    const socket = FakeSocket.latest()
    socket.open()
    await tick()
    socket.deliver(errorFrame('AUTHENTICATION_FAILED'))
    await tick()

    const closed = h.ofType('realtime/connection/closed')
    expect(closed).toHaveLength(1)
    expect(closed[0]?.payload).toMatchObject({ willReconnect: false, code: 4001 })
    expect(closed[0]?.payload.reason).toMatch(/authentication/i)
    expect(closed[0]?.payload.error).toMatchObject({ code: 'AUTHENTICATION_FAILED' })
    expect(h.state().connection.state).toBe('closed')
    expect(socket.closedBy?.code).toBe(4001)

    await tick(10 * MINUTE)
    expect(FakeSocket.instances).toHaveLength(1)
    expect(h.ofType('realtime/connection/closed')).toHaveLength(1)
  })

  it('ends closed, not reconnecting, when a refused re-authentication is followed by the server closing', async () => {
    const h = createHarness()
    const socket = await connectAndAuthenticate(h)
    h.store.dispatch(h.realtime.actions.authenticate('expired-token'))
    expect(socket.frames().filter((f) => f.type === 'auth')).toHaveLength(2)
    // The server refuses and hangs up, as the reference server does: error frame, then close 4001.
    // Each arrives as its own task; the error falls in the batch window auth_ok opened.
    socket.deliver(errorFrame('AUTHENTICATION_FAILED'))
    await Promise.resolve()
    socket.serverClose(4001, 'authentication failed')
    await tick(10 * MINUTE)

    const closed = h.ofType('realtime/connection/closed')
    expect(closed[closed.length - 1]?.payload).toMatchObject({ willReconnect: false, code: 4001 })
    expect(h.state().connection.state).toBe('closed')
    expect(h.state().connection.info.nextReconnectAt).toBeUndefined()
    expect(FakeSocket.instances).toHaveLength(1)
  })
})

describe('realtime middleware: commands', () => {
  it('throws a TypeError for joinRoom with a prototype key or a space', () => {
    const h = createHarness()
    expect(() => h.store.dispatch(joinRoom('__proto__'))).toThrow(TypeError)
    expect(() => h.store.dispatch(joinRoom('has space'))).toThrow(TypeError)
    expect(() => joinRoom('has space')).toThrow(/joinRoom\(room\)/)
    expect(h.actions()).toEqual([])
  })
})

describe('realtime middleware: inbound batching', () => {
  async function openInRoom() {
    const h = createHarness()
    h.store.dispatch(h.realtime.actions.joinRoom('general'))
    const socket = await connectAndAuthenticate(h)
    socket.deliver(joined('general'))
    // Let the window that auth_ok opened run out, so the next frame is a leading edge.
    await tick(WINDOW * 3)
    return { h, socket }
  }

  it('reduces a burst delivered in one tick with one messagesReceived action', async () => {
    const { h, socket } = await openInRoom()
    for (let seq = 1; seq <= 5; seq++) socket.deliver(chatFrame('general', seq))
    await tick()
    const received = h.ofType('realtime/chat/messagesReceived')
    expect(received).toHaveLength(1)
    expect(received[0]?.payload.messages.map((m: { seq: number }) => m.seq)).toEqual([
      1, 2, 3, 4, 5,
    ])
    expect(h.state().chat.byRoom.general?.messages).toHaveLength(5)
  })

  it('reduces each frame a microtask after it arrives while the store keeps up (no added latency)', async () => {
    const { h, socket } = await openInRoom()
    const received = () => h.ofType('realtime/chat/messagesReceived')

    socket.deliver(chatFrame('general', 1))
    expect(received()).toHaveLength(0)
    await Promise.resolve()
    expect(received()).toHaveLength(1)
    // Frames right after it are not held for a window: reducing is cheap here.
    socket.deliver(chatFrame('general', 2))
    await Promise.resolve()
    socket.deliver(chatFrame('general', 3))
    await Promise.resolve()
    expect(received()).toHaveLength(3)
    // Marked for RTK's autoBatchEnhancer: subscribers are notified once per frame, not per action.
    expect(received().every((a) => (a.meta as Record<string, unknown>)?.[SHOULD_AUTOBATCH])).toBe(
      true,
    )
  })

  it('opens a window when dispatching falls behind, coalesces until it ends, and closes it once quiet', async () => {
    const { h, socket } = await openInRoom()
    const received = () => h.ofType('realtime/chat/messagesReceived')
    const seqsOf = (a: { payload: { messages: Array<{ seq: number }> } }) =>
      a.payload.messages.map((m) => m.seq)
    // A subscriber taking 12 ms per dispatch (of the faked clock, which performance.now follows
    // too): more than half of the 16 ms window.
    let slow = true
    h.store.subscribe(() => {
      if (slow) vi.advanceTimersByTime(12)
    })

    socket.deliver(chatFrame('general', 1))
    await Promise.resolve()
    expect(received()).toHaveLength(1)
    slow = false
    // The store fell behind: the next frames wait for the window's end, in one dispatch.
    socket.deliver(chatFrame('general', 2))
    socket.deliver(chatFrame('general', 3))
    await Promise.resolve()
    expect(received()).toHaveLength(1)
    await tick(WINDOW)
    expect(received().map(seqsOf)).toEqual([[1], [2, 3]])
    // Two messages in that window: still busy, so one more window…
    socket.deliver(chatFrame('general', 4))
    await Promise.resolve()
    expect(received()).toHaveLength(2)
    await tick(WINDOW)
    expect(received().map(seqsOf)).toEqual([[1], [2, 3], [4]])
    // …and after a window with one message, frames are reduced at once again.
    socket.deliver(chatFrame('general', 5))
    await Promise.resolve()
    expect(received().map(seqsOf)).toEqual([[1], [2, 3], [4], [5]])
  })

  it('applies acks as they arrive even while a window is open, so a busy window never throttles the sender', async () => {
    const { h, socket } = await openInRoom()
    let slow = true
    h.store.subscribe(() => {
      if (slow) vi.advanceTimersByTime(12)
    })
    socket.deliver(chatFrame('general', 1))
    await Promise.resolve()
    slow = false // the window is open now
    const { id } = h.store.dispatch(
      h.realtime.actions.sendChatMessage({ room: 'general', content: 'mine' }),
    ).payload
    socket.deliver(chatFrame('general', 2))
    socket.deliver(ackFrame('general', id, 3))
    await Promise.resolve()
    // Reduced now, with the frame buffered before it (order kept), not at the window's end.
    expect(h.ofType('realtime/outbox/acked')).toHaveLength(1)
    expect(h.ofType('realtime/chat/messagesReceived')).toHaveLength(2)
    expect(h.realtime.selectors.selectPendingCount(h.store.getState())).toBe(0)
  })

  it('reports an invalid frame as framesRejected and keeps the connection', async () => {
    const { h, socket } = await openInRoom()
    socket.deliver('{"v":1,')
    socket.deliver(serverFrame('chat_message', { room: 'general', seq: 1, data: { content: 42 } }))
    await tick()
    const rejected = h.ofType('realtime/inbound/framesRejected')
    expect(rejected).toHaveLength(1)
    expect(rejected[0]?.payload.rejections.map((r: { reason: string }) => r.reason)).toEqual([
      'invalid_json',
      'invalid_field',
    ])
    expect(h.state().connection.metrics.errorCount).toBe(2)
    expect(h.state().connection.state).toBe('open')
    expect(socket.readyState).toBe(FakeSocket.OPEN)
  })
})

describe('realtime middleware: heartbeat', () => {
  it('pings after heartbeatInterval of silence and drops the socket with 4010 when nothing follows', async () => {
    const h = createHarness({ heartbeatInterval: 10_000, heartbeatTimeout: 2_000 })
    const socket = await connectAndAuthenticate(h)
    const pings = () => socket.types().filter((t) => t === 'ping').length

    await tick(9_999)
    expect(pings()).toBe(0)
    await tick(1)
    expect(pings()).toBe(1)
    expect(h.ofType('realtime/connection/pingSent')).toHaveLength(1)

    await tick(1_999)
    expect(h.ofType('realtime/connection/closed')).toHaveLength(0)
    await tick(1_000)
    const closed = h.ofType('realtime/connection/closed')
    expect(closed).toHaveLength(1)
    expect(closed[0]?.payload).toMatchObject({ code: 4010, willReconnect: true })
    expect(socket.closedBy?.code).toBe(4010)
    expect(h.state().connection.state).toBe('reconnecting')

    await tick(100)
    expect(FakeSocket.instances).toHaveLength(2)
  })

  it('keeps a socket on which any frame arrives within heartbeatTimeout of the ping', async () => {
    const h = createHarness({ heartbeatInterval: 10_000, heartbeatTimeout: 2_000 })
    const socket = await connectAndAuthenticate(h)
    await tick(10_000)
    const ping = socket.frames().find((f) => f.type === 'ping')
    expect(ping).toBeDefined()
    await tick(1_000)
    socket.deliver(serverFrame('pong', { data: { echo: ping?.timestamp } }))
    await tick(5_000)
    expect(h.ofType('realtime/connection/closed')).toHaveLength(0)
    expect(h.ofType('realtime/connection/pongReceived')).toHaveLength(1)
    expect(h.state().connection.info.latency).toBe(1_000)
    expect(FakeSocket.instances).toHaveLength(1)
  })
  it('does not mistake a throttled timer (a long gap between ticks) for a dead socket', async () => {
    const h = createHarness({ heartbeatInterval: 10_000, heartbeatTimeout: 2_000 })
    const socket = await connectAndAuthenticate(h)
    await tick(10_000)
    const ping = socket.frames().find((f) => f.type === 'ping')
    socket.deliver(serverFrame('pong', { data: { echo: ping?.timestamp } }))
    await tick(20)
    // A background tab: the clock moves five minutes while no timer fires.
    vi.setSystemTime(Date.now() + 5 * 60_000)
    await tick(2_600) // the first late tick
    expect(h.ofType('realtime/connection/closed')).toHaveLength(0)
    // Quiet for longer than the interval, so it checks the line with a ping instead.
    expect(socket.types().filter((t) => t === 'ping')).toHaveLength(2)
    expect(FakeSocket.instances).toHaveLength(1)
  })
})

describe('realtime middleware: reconnection', () => {
  it('creates a new socket at once on an online event while waiting to reconnect', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.999)
    const h = createHarness({ reconnectInterval: 10_000, maxReconnectDelay: 10_000 })
    const socket = await connectAndAuthenticate(h)
    socket.serverClose(1006)
    await tick()
    const closed = h.ofType('realtime/connection/closed')
    expect(closed[0]?.payload).toMatchObject({ willReconnect: true, code: 1006 })
    expect(closed[0]?.payload.retryInMs).toBeGreaterThan(9_000)

    await tick(1_000)
    expect(FakeSocket.instances).toHaveLength(1)
    h.network.dispatchEvent(new Event('online'))
    await tick()
    expect(FakeSocket.instances).toHaveLength(2)
  })

  it('gives up after maxReconnectAttempts failed attempts with RECONNECT_FAILED', async () => {
    const h = createHarness({
      maxReconnectAttempts: 2,
      reconnectInterval: 100,
      maxReconnectDelay: 1_000,
    })
    h.store.dispatch(h.realtime.actions.connect())
    await tick()
    for (let i = 0; i < 10 && FakeSocket.instances.length > i; i++) {
      FakeSocket.instances[i]?.fail()
      await tick(2_000)
    }
    const closed = h.ofType('realtime/connection/closed')
    const last = closed[closed.length - 1]
    expect(last?.payload).toMatchObject({ willReconnect: false })
    expect(last?.payload.error).toMatchObject({ code: 'RECONNECT_FAILED' })
    expect(closed.slice(0, -1).every((a) => a.payload.willReconnect === true)).toBe(true)
    // The first attempt and two reconnect attempts.
    expect(FakeSocket.instances).toHaveLength(3)
    expect(h.state().connection.state).toBe('closed')
    expect(h.state().connection.lastError).toMatchObject({ code: 'RECONNECT_FAILED' })

    await tick(10 * MINUTE)
    expect(FakeSocket.instances).toHaveLength(3)
  })

  it('stops for good on disconnect while waiting to reconnect, and connects again on connect', async () => {
    const h = createHarness()
    const socket = await connectAndAuthenticate(h)
    socket.serverClose(1006)
    await tick()
    expect(h.state().connection.state).toBe('reconnecting')
    h.store.dispatch(h.realtime.actions.disconnect())
    await tick(10 * MINUTE)
    expect(FakeSocket.instances).toHaveLength(1)
    expect(h.state().connection.state).toBe('closed')
    expect(h.state().connection.transition).toMatchObject({
      from: 'reconnecting',
      to: 'closed',
      code: 1000,
    })

    h.store.dispatch(h.realtime.actions.connect())
    await tick()
    expect(FakeSocket.instances).toHaveLength(2)
    FakeSocket.latest().open()
    await tick()
    FakeSocket.latest().deliver(authOk())
    await tick()
    expect(h.state().connection.state).toBe('open')
  })

  it('resets the backoff after a connection stayed open for stableConnectionMs', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.999)
    const h = createHarness({
      reconnectInterval: 1_000,
      maxReconnectDelay: MINUTE,
      maxReconnectAttempts: 2,
      stableConnectionMs: 5_000,
    })
    await connectAndAuthenticate(h)
    for (let round = 0; round < 4; round++) {
      await tick(6_000)
      FakeSocket.latest().serverClose(1006)
      await tick(1_000)
      FakeSocket.latest().open()
      await tick()
      FakeSocket.latest().deliver(authOk())
      await tick()
    }
    const closed = h.ofType('realtime/connection/closed')
    expect(closed.map((a) => a.payload.retryInMs)).toEqual([999, 999, 999, 999])
    expect(closed.every((a) => a.payload.willReconnect === true && a.payload.attempt === 1)).toBe(
      true,
    )
    expect(h.state().connection.state).toBe('open')
    expect(h.state().connection.metrics.reconnectionCount).toBe(4)
  })

  it('grows the delay while attempts keep failing', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.999)
    const h = createHarness({ reconnectInterval: 1_000, maxReconnectDelay: MINUTE })
    await connectAndAuthenticate(h)
    FakeSocket.latest().serverClose(1006)
    for (let i = 0; i < 3; i++) {
      const closes = h.ofType('realtime/connection/closed')
      await tick(closes[closes.length - 1]?.payload.retryInMs)
      expect(FakeSocket.instances).toHaveLength(i + 2)
      FakeSocket.latest().fail()
    }
    await tick()
    const closed = h.ofType('realtime/connection/closed')
    expect(closed.map((a) => [a.payload.attempt, a.payload.retryInMs])).toEqual([
      [1, 999],
      [2, 1998],
      [3, 3996],
      [4, 7992],
    ])
  })

  it('resumes a room whose cursor fell behind the retained history without asking again', async () => {
    const h = createHarness({ reconnectInterval: 100, maxReconnectDelay: 100 })
    h.store.dispatch(h.realtime.actions.joinRoom('general'))
    const first = await connectAndAuthenticate(h)
    first.deliver(joined('general'))
    first.deliver(chatFrame('general', 1))
    first.deliver(chatFrame('general', 2))
    await tick(WINDOW)
    expect(h.state().chat.byRoom.general?.seq).toBe(2)

    first.serverClose(1006)
    await tick(100)
    const second = FakeSocket.latest()
    second.open()
    await tick()
    second.deliver(authOk())
    await tick()
    expect(second.frames().find((f) => f.type === 'join' && f.room === 'general')).toMatchObject({
      room: 'general',
      data: { epoch: 'epoch-1', seq: 2 },
    })
    // Seqs 3..10 are no longer retained: the server replays from 11 and says so.
    second.deliver(joined('general', { fromSeq: 10, headSeq: 12, resumed: false, gap: true }))
    second.deliver(chatFrame('general', 11))
    second.deliver(chatFrame('general', 12))
    await tick(WINDOW * 2)

    expect(h.state().rooms.general).toMatchObject({ status: 'joined', gap: true })
    expect(h.state().chat.byRoom.general?.messages.map((m) => m.seq)).toEqual([1, 2, 11, 12])
    expect(h.ofType('realtime/rooms/gapDetected')).toHaveLength(0)
    expect(second.frames().filter((f) => f.type === 'join' && f.room === 'general')).toHaveLength(1)
  })

  it('after a server restart, applies the replayed history without doubling what it holds, and counts only new messages', async () => {
    const h = createHarness({ reconnectInterval: 100, maxReconnectDelay: 100 })
    h.store.dispatch(h.realtime.actions.joinRoom('general'))
    const first = await connectAndAuthenticate(h)
    first.deliver(joined('general'))
    first.deliver(chatFrame('general', 1, 'x', 'a'))
    first.deliver(chatFrame('general', 2, 'x', 'b'))
    await tick(WINDOW)

    first.serverClose(1001)
    await tick(100)
    const second = FakeSocket.latest()
    second.open()
    await tick()
    second.deliver(authOk('epoch-2'))
    await tick()
    // The new server does not know epoch-1: it replays everything it has under new seqs.
    second.deliver(
      joined('general', { epoch: 'epoch-2', fromSeq: 0, headSeq: 3, resumed: false, gap: true }),
    )
    second.deliver(chatFrame('general', 1, 'x', 'a'))
    second.deliver(chatFrame('general', 2, 'x', 'b'))
    second.deliver(chatFrame('general', 3, 'x', 'c'))
    await tick(WINDOW * 2)

    expect(h.state().chat.byRoom.general?.messages.map((m) => m.id)).toEqual(['a', 'b', 'c'])
    expect(h.state().chat.byRoom.general).toMatchObject({ epoch: 'epoch-2', seq: 3, gap: true })
    expect(h.state().connection.metrics.messagesReceived).toBe(3)
  })
})

describe('realtime middleware: reconnect accounting', () => {
  it('never gives up on a link that flaps after every successful auth, but backs off', async () => {
    const h = createHarness({
      maxReconnectAttempts: 3,
      reconnectInterval: 100,
      maxReconnectDelay: 10_000,
      stableConnectionMs: 5_000,
    })
    h.store.dispatch(h.realtime.actions.connect())
    for (let session = 0; session < 8; session++) {
      // The next socket appears after the backoff; it connects at once.
      for (let waited = 0; FakeSocket.instances.length <= session && waited < 20_000; waited += 10)
        await tick(10)
      const socket = FakeSocket.latest()
      socket.open()
      await tick()
      socket.deliver(authOk())
      await tick(300)
      socket.serverClose(1006)
    }
    await tick(20_000)
    const closed = h.ofType('realtime/connection/closed')
    const sessions = closed.slice(0, 8)
    expect(sessions).toHaveLength(8)
    // Each authenticated session resets the count: every close is attempt 1, never a give-up.
    expect(sessions.map((a) => [a.payload.willReconnect, a.payload.attempt])).toEqual(
      Array.from({ length: 8 }, () => [true, 1]),
    )
    expect(h.state().connection.lastError?.code).not.toBe('RECONNECT_FAILED')
    // The backoff still grows: the cap is reached while the link keeps flapping.
    const ceilings = sessions.map((a) => a.payload.retryInMs as number)
    expect(Math.max(...ceilings.slice(4))).toBeGreaterThan(100 * 2 ** 2)
  })
})

describe('realtime middleware: replayed events (Redux DevTools) only reduce', () => {
  it('sends no second auth for a re-dispatched socketOpened, and keeps sending after a re-dispatched closed', async () => {
    const h = createHarness()
    h.store.dispatch(h.realtime.actions.joinRoom('general'))
    const socket = await connectAndAuthenticate(h)
    await answerJoins(socket)
    const before = socket.sent.length
    const recorded = JSON.parse(JSON.stringify(h.actions())) as UnknownAction[]
    // Every event of the log, as an imported log re-dispatches them.
    for (const action of recorded) {
      if (!/^realtime\/[a-z]+\//.test(action.type)) continue
      h.store.dispatch(action)
    }
    // Less than a heartbeat interval: nothing at all may go out, no timer may fire a frame.
    await tick(10_000)
    expect(socket.types().slice(before)).toEqual([])
    expect(FakeSocket.instances).toHaveLength(1)
    const { id } = h.store.dispatch(
      h.realtime.actions.sendChatMessage({ room: 'general', content: 'after the replay' }),
    ).payload
    expect(
      socket
        .frames()
        .filter((f) => f.type === 'chat_message')
        .map((f) => f.id),
    ).toEqual([id])
  })
})

describe('realtime middleware: outcomes come from the server, never from state', () => {
  it('does not settle a send for a re-dispatched acked, and settles it on the real ack with its seq', async () => {
    const h = createHarness()
    h.store.dispatch(h.realtime.actions.joinRoom('general'))
    const socket = await connectAndAuthenticate(h)
    await answerJoins(socket)
    const action = h.realtime.actions.sendChatMessage({ room: 'general', content: 'hi' })
    const id = action.payload.id
    let settled: unknown = 'pending'
    void h.realtime.outcomes
      .wait('message', id, () => h.store.dispatch(action))
      .then((value) => (settled = value))
    // Time travel or an imported log: the ack "happened" in state, not on the wire.
    h.store.dispatch({
      type: 'realtime/outbox/acked',
      payload: { acks: [{ refId: id, seq: 1, room: 'general' }], at: Date.now() },
    })
    await tick(WINDOW)
    expect(settled).toBe('pending')
    socket.deliver(ackFrame('general', id, 7))
    await tick(WINDOW)
    expect(settled).toEqual({ id, seq: 7 })
  })

  it('rejects a join the server refuses and a send queued behind it with the same error', async () => {
    const h = createHarness()
    const socket = await connectAndAuthenticate(h)
    const join = h.realtime.outcomes.wait('join', 'staff', () =>
      h.store.dispatch(h.realtime.actions.joinRoom('staff')),
    )
    const send = h.realtime.actions.sendChatMessage({ room: 'staff', content: 'hi' })
    const sent = h.realtime.outcomes.wait('message', send.payload.id, () => h.store.dispatch(send))
    const outcomes = Promise.allSettled([join, sent])
    socket.deliver(errorFrame('FORBIDDEN', socket.lastJoinId('staff')))
    await tick(WINDOW)
    const [joined, message] = await outcomes
    expect(joined).toMatchObject({ status: 'rejected', reason: { code: 'FORBIDDEN' } })
    expect(message).toMatchObject({ status: 'rejected', reason: { code: 'FORBIDDEN' } })
  })
})

describe('realtime middleware: a replayed auth_ok', () => {
  it('answers nothing the client sent: no rejoin, no reload, no second session', async () => {
    const h = createHarness()
    h.store.dispatch(h.realtime.actions.joinRoom('general'))
    const socket = await connectAndAuthenticate(h)
    await answerJoins(socket)
    const before = socket.types().length
    socket.deliver(authOk())
    socket.deliver(authOk())
    await tick(WINDOW * 2)
    expect(h.ofType('realtime/connection/opened')).toHaveLength(1)
    expect(socket.types().slice(before)).toEqual([])
    // A real refresh still works: it sends an auth, and its answer is taken.
    h.store.dispatch(h.realtime.actions.authenticate('fresh-token'))
    socket.deliver(authOk())
    await tick(WINDOW)
    expect(h.ofType('realtime/connection/opened')).toHaveLength(2)
    expect(socket.types().slice(before)).toEqual(['auth'])
  })
})

describe('realtime middleware: token lifecycle', () => {
  const authOkExpiring = (inMs: number, sessionId = 'session-1') =>
    serverFrame('auth_ok', {
      data: { userId: 'alice', sessionId, epoch: 'epoch-1', expiresAt: Date.now() + inMs },
    })

  async function opened(h: ReturnType<typeof createHarness>, expiresInMs: number) {
    h.store.dispatch(h.realtime.actions.connect())
    await tick()
    const socket = FakeSocket.latest()
    socket.open()
    await tick()
    socket.deliver(authOkExpiring(expiresInMs))
    await tick()
    await answerJoins(socket)
    return socket
  }

  const auths = (socket: FakeSocket) =>
    socket.frames().flatMap((f) => (f.type === 'auth' ? [f.data.token] : []))

  it('refreshes in-band at 80 % of the lifetime (at least 5 s before), with no reconnect', async () => {
    let n = 0
    // No pings in the way (the fake socket answers none).
    const h = createHarness({
      authToken: undefined,
      getToken: () => `token-${++n}`,
      heartbeatInterval: 10 * MINUTE,
    })
    h.store.dispatch(h.realtime.actions.joinRoom('general'))
    const socket = await opened(h, 60_000)
    expect(auths(socket)).toEqual(['token-1'])
    await tick(47_900 - WINDOW)
    expect(auths(socket)).toEqual(['token-1'])
    await tick(200)
    expect(auths(socket)).toEqual(['token-1', 'token-2'])
    // A 10 s token is refreshed 5 s before its end, not at 8 s.
    socket.deliver(authOkExpiring(10_000))
    await tick(4_900)
    expect(auths(socket)).toHaveLength(2)
    await tick(200)
    expect(auths(socket)).toEqual(['token-1', 'token-2', 'token-3'])
    expect(FakeSocket.instances).toHaveLength(1)
    expect(h.ofType('realtime/connection/closed')).toHaveLength(0)
    // The refresh kept the rooms: no second join.
    expect(socket.types().filter((t) => t === 'join')).toHaveLength(2)
  })

  it('on TOKEN_EXPIRED refreshes at once and resends the refused message after the new auth_ok', async () => {
    let n = 0
    const h = createHarness({ authToken: undefined, getToken: () => `token-${++n}` })
    h.store.dispatch(h.realtime.actions.joinRoom('general'))
    const socket = await opened(h, 60_000)
    const { id } = h.store.dispatch(
      h.realtime.actions.sendChatMessage({ room: 'general', content: 'late' }),
    ).payload
    socket.deliver(errorFrame('TOKEN_EXPIRED', id))
    await tick(WINDOW)
    expect(auths(socket)).toEqual(['token-1', 'token-2'])
    expect(h.ofType('realtime/outbox/failed')).toHaveLength(0)
    const chats = () =>
      socket
        .frames()
        .filter((f) => f.type === 'chat_message')
        .map((f) => f.id)
    expect(chats()).toEqual([id])
    socket.deliver(authOkExpiring(60_000))
    await tick(WINDOW)
    expect(chats()).toEqual([id, id])
  })

  it('keeps messages through a 4002 close and sends them on the reconnect with a fresh token', async () => {
    let n = 0
    const h = createHarness({
      authToken: undefined,
      getToken: () => `token-${++n}`,
      reconnectInterval: 100,
      maxReconnectDelay: 100,
    })
    h.store.dispatch(h.realtime.actions.joinRoom('general'))
    const socket = await opened(h, 60_000)
    const { id } = h.store.dispatch(
      h.realtime.actions.sendChatMessage({ room: 'general', content: 'kept' }),
    ).payload
    socket.deliver(errorFrame('TOKEN_EXPIRED', id))
    socket.serverClose(4002, 'token expired')
    await tick(200)
    const next = FakeSocket.latest()
    expect(next).not.toBe(socket)
    next.open()
    await tick()
    expect(auths(next)).toEqual([`token-${n}`])
    next.deliver(authOkExpiring(60_000, 'session-2'))
    await tick()
    await answerJoins(next)
    expect(
      next
        .frames()
        .filter((f) => f.type === 'chat_message')
        .map((f) => f.id),
    ).toEqual([id])
    expect(h.ofType('realtime/outbox/failed')).toHaveLength(0)
  })
})

describe('realtime middleware: no WebSocket available', () => {
  it('connect() with no WebSocket class is an error action and a closed state, not a throw', async () => {
    // Node 20 has no global WebSocket: the harness passes none.
    expect((globalThis as { WebSocket?: unknown }).WebSocket).toBeUndefined()
    const h = createHarness({ WebSocket: undefined })
    // (The mock store's dispatch is untyped: the realtime middleware adds unwrap at run time.)
    const connecting = h.store.dispatch(h.realtime.actions.connect()) as unknown as {
      unwrap(): Promise<unknown>
    }
    const outcome = connecting.unwrap().then(
      () => 'resolved',
      (error: { code: string }) => error.code,
    )
    await tick()
    expect(h.state().connection.state).toBe('closed')
    expect(h.state().connection.lastError).toMatchObject({
      code: 'CONNECTION_FAILED',
      message: expect.stringMatching(/no global WebSocket.*Pass one/),
    })
    await expect(outcome).resolves.toBe('CONNECTION_FAILED')
  })
})
