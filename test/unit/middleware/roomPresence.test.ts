import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { FrameOfType } from '../../../src/protocol/frames'
import {
  FakeSocket,
  WINDOW,
  answerJoins,
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
  vi.useRealTimers()
})

const sentPresence = (socket: FakeSocket) =>
  socket.frames().filter((f): f is FrameOfType<'room_presence'> => f.type === 'room_presence')

const ack = (refId: string, room = 'board') => serverFrame('ack', { room, data: { refId } })

/** Alice, authenticated, with `board` asked for; `answer` delivers its `joined`. */
async function inBoard(limits: Record<string, unknown> = {}) {
  const h = createHarness()
  const { actions } = h.realtime
  h.store.dispatch(actions.joinRoom('board'))
  h.store.dispatch(actions.connect())
  await tick()
  const socket = FakeSocket.latest()
  socket.open()
  for (let waited = 0; !socket.types().includes('auth') && waited < 1_000; waited += 10)
    await tick(10)
  socket.deliver(
    serverFrame('auth_ok', {
      data: { userId: 'alice', sessionId: 's1', epoch: 'epoch-1', ...limits },
    }),
  )
  await tick(WINDOW)
  const set = (data: unknown) =>
    h.store.dispatch(actions.setRoomPresence({ room: 'board', data: data as never }))
  return { h, socket, actions, set }
}

describe('room presence: your data in a room', () => {
  it('waits for the room to be joined on this socket, then sends the latest data', async () => {
    const { socket, set } = await inBoard()
    set({ x: 1 })
    set({ x: 2 })
    expect(sentPresence(socket)).toEqual([])
    await answerJoins(socket)
    expect(sentPresence(socket).map((f) => [f.room, f.data])).toEqual([
      ['board', { data: { x: 2 } }],
    ])
  })

  it('keeps one frame per room in flight: calls until its ack send only the last', async () => {
    const { socket, set } = await inBoard()
    await answerJoins(socket)
    set('a')
    set('b')
    set('c')
    expect(sentPresence(socket).map((f) => f.data.data)).toEqual(['a'])
    socket.deliver(ack(sentPresence(socket)[0]!.id))
    await tick(WINDOW)
    expect(sentPresence(socket).map((f) => f.data.data)).toEqual(['a', 'c'])
    // An ack naming something else, or a repeated ack, sends nothing more.
    socket.deliver(ack(sentPresence(socket)[0]!.id))
    socket.deliver(ack('unrelated'))
    await tick(WINDOW)
    expect(sentPresence(socket)).toHaveLength(2)
  })

  it('sends again after every join on a new socket, and forgets a room left', async () => {
    const { h, socket, actions, set } = await inBoard()
    h.store.dispatch(actions.joinRoom('lobby'))
    await answerJoins(socket)
    set('here')
    h.store.dispatch(actions.setRoomPresence({ room: 'lobby', data: 'there' }))
    expect(sentPresence(socket).map((f) => f.room)).toEqual(['board', 'lobby'])

    socket.serverClose(1006)
    await tick(6_000)
    const next = FakeSocket.latest()
    expect(next).not.toBe(socket)
    next.open()
    for (let waited = 0; !next.types().includes('auth') && waited < 1_000; waited += 10)
      await tick(10)
    next.deliver(serverFrame('auth_ok', { data: { userId: 'alice', sessionId: 's2', epoch: 'e' } }))
    await tick(WINDOW)
    expect(sentPresence(next)).toEqual([])
    await answerJoins(next)
    expect(sentPresence(next).map((f) => [f.room, f.data.data])).toEqual([
      ['board', 'here'],
      ['lobby', 'there'],
    ])

    h.store.dispatch(actions.leaveRoom('lobby'))
    h.store.dispatch(actions.joinRoom('lobby'))
    next.deliver(joined('lobby'))
    await tick(WINDOW)
    expect(sentPresence(next)).toHaveLength(2)
    expect(() => h.store.dispatch(actions.setRoomPresence({ room: 'gone', data: 1 }))).toThrow(
      /Dispatch joinRoom\('gone'\) first/,
    )
  })

  it('waits for the flow control bucket when it is empty, then sends', async () => {
    // 80 % of 2 per second is a bucket of 1 refilled each second; the two joins (board and the
    // private stream) leave it at -1, so the next frame may go 2 s later.
    const { socket, set } = await inBoard({ rateLimit: { messages: 2, perMs: 1000 } })
    await answerJoins(socket)
    set('early')
    set('late')
    expect(sentPresence(socket)).toEqual([])
    await tick(1_900)
    expect(sentPresence(socket)).toEqual([])
    await tick(100)
    expect(sentPresence(socket).map((f) => f.data.data)).toEqual(['late'])
  })

  it('sends again after RATE_LIMITED (after retryAfterMs), not after a refusal', async () => {
    const { socket, set } = await inBoard()
    await answerJoins(socket)
    set('first')
    socket.deliver(errorFrame('RATE_LIMITED', sentPresence(socket)[0]!.id, { retryAfterMs: 500 }))
    await tick(WINDOW)
    expect(sentPresence(socket)).toHaveLength(1)
    await tick(500)
    expect(sentPresence(socket).map((f) => f.data.data)).toEqual(['first', 'first'])

    socket.deliver(errorFrame('INVALID_FRAME', sentPresence(socket)[1]!.id))
    await tick(2_000)
    expect(sentPresence(socket)).toHaveLength(2)
    // The next call goes at once: nothing is left in flight.
    set('second')
    expect(sentPresence(socket).map((f) => f.data.data)).toEqual(['first', 'first', 'second'])
  })
})
