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
  tick,
  WINDOW,
} from './harness'

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
    expect(h.state().outbox.entries.map((e) => e.id)).toEqual(ids)
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
    expect(h.state().outbox.entries.map((e) => e.id)).toEqual([id])
    socket.deliver(ackFrame('general', id, 1))
    await tick(WINDOW)
    expect(h.ofType('realtime/outbox/acked')).toHaveLength(1)
    expect(h.state().outbox.entries).toEqual([])
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
    expect(h.state().outbox.entries).toHaveLength(2)
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
    await tick(WINDOW)
    expect(h.ofType('realtime/connection/errorsReceived')).toHaveLength(1)
    expect(h.ofType('realtime/outbox/failed')).toHaveLength(0)
    expect(h.state().outbox.entries.map((e) => e.id)).toEqual([id])
    expect(h.state().chat.byRoom.general?.messages[0]?.status).toBe('pending')

    await tick(499)
    expect(chatFramesSent(socket).map((f) => f.id)).toEqual([id])
    await tick(1)
    expect(chatFramesSent(socket).map((f) => f.id)).toEqual([id, id])
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
    expect(h.state().outbox.entries).toEqual([])
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
    expect(h.state().outbox.entries).toEqual([])
  })
})
