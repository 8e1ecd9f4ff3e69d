import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  answerJoins,
  FakeSocket,
  WINDOW,
  authOk,
  chatFrame,
  connectAndAuthenticate,
  createHarness,
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

const TIMEOUT = 1_000

const typingStart = (userId: string, room = 'general') =>
  serverFrame('typing_start', { room, userId, data: {} })
const typingStop = (userId: string, room = 'general') =>
  serverFrame('typing_stop', { room, userId, data: {} })

/** A harness in room `general`, authenticated as alice, with the auth_ok window run out. */
async function inGeneral() {
  const h = createHarness({ typingTimeout: TIMEOUT })
  h.store.dispatch(h.realtime.actions.joinRoom('general'))
  const socket = await connectAndAuthenticate(h)
  socket.deliver(joined('general'))
  await tick(WINDOW * 2)
  const count = (type: string) => socket.types().filter((t) => t === type).length
  const typing = (room = 'general') =>
    h.realtime.selectors.selectTypingUsers(h.store.getState(), room)
  return { h, socket, count, typing, actions: h.realtime.actions }
}

describe('typing: own indicator', () => {
  it('sends one typing_start for starts within typingTimeout / 2, and another after', async () => {
    const { h, socket, count, actions } = await inGeneral()
    h.store.dispatch(actions.startTyping('general'))
    expect(count('typing_start')).toBe(1)
    expect(socket.frames().find((f) => f.type === 'typing_start')).toMatchObject({
      room: 'general',
      data: {},
    })
    await tick(TIMEOUT / 2 - 1)
    h.store.dispatch(actions.startTyping('general'))
    expect(count('typing_start')).toBe(1)
    await tick(1)
    h.store.dispatch(actions.startTyping('general'))
    expect(count('typing_start')).toBe(2)
  })

  it('throttles each room on its own', async () => {
    const { h, socket, count, actions } = await inGeneral()
    h.store.dispatch(actions.joinRoom('random'))
    h.store.dispatch(actions.startTyping('general'))
    h.store.dispatch(actions.startTyping('random'))
    expect(count('typing_start')).toBe(2)
    expect(
      socket
        .frames()
        .filter((f) => f.type === 'typing_start')
        .map((f) => f.room),
    ).toEqual(['general', 'random'])
  })

  it('sends typing_stop on stopTyping only after a start was sent, once', async () => {
    const { h, count, actions } = await inGeneral()
    h.store.dispatch(actions.stopTyping('general'))
    expect(count('typing_stop')).toBe(0)
    h.store.dispatch(actions.startTyping('general'))
    h.store.dispatch(actions.stopTyping('general'))
    expect(count('typing_stop')).toBe(1)
    h.store.dispatch(actions.stopTyping('general'))
    expect(count('typing_stop')).toBe(1)
    // A stop ends the throttle: typing again shows at once.
    h.store.dispatch(actions.startTyping('general'))
    expect(count('typing_start')).toBe(2)
  })

  it('sends typing_stop after sending a chat message to the room it was typing in', async () => {
    const { h, socket, count, actions } = await inGeneral()
    h.store.dispatch(actions.sendChatMessage({ room: 'general', content: 'no typing before' }))
    expect(count('typing_stop')).toBe(0)
    h.store.dispatch(actions.startTyping('general'))
    h.store.dispatch(actions.sendChatMessage({ room: 'general', content: 'done' }))
    expect(socket.types().slice(-3)).toEqual(['typing_start', 'chat_message', 'typing_stop'])
    expect(socket.frames().find((f) => f.type === 'typing_stop')?.room).toBe('general')
  })

  it('sends typing_stop after a chat message sent with sendMessage too', async () => {
    const { h, count, actions } = await inGeneral()
    h.store.dispatch(actions.startTyping('general'))
    h.store.dispatch(
      actions.sendMessage({ type: 'chat_message', room: 'general', data: { content: 'done' } }),
    )
    expect(count('typing_stop')).toBe(1)
  })

  it('does not stop typing in a room when a message goes to another room', async () => {
    const { h, count, actions } = await inGeneral()
    h.store.dispatch(actions.joinRoom('random'))
    h.store.dispatch(actions.startTyping('general'))
    h.store.dispatch(actions.sendChatMessage({ room: 'random', content: 'elsewhere' }))
    expect(count('typing_stop')).toBe(0)
    h.store.dispatch(actions.stopTyping('general'))
    expect(count('typing_stop')).toBe(1)
  })

  it('sends nothing while offline, and a later stopTyping sends no typing_stop for it', async () => {
    const h = createHarness({ typingTimeout: TIMEOUT })
    h.store.dispatch(h.realtime.actions.joinRoom('general'))
    h.store.dispatch(h.realtime.actions.startTyping('general'))
    const socket = await connectAndAuthenticate(h)
    expect(socket.types()).not.toContain('typing_start')
    h.store.dispatch(h.realtime.actions.stopTyping('general'))
    expect(socket.types()).not.toContain('typing_stop')
  })

  it('sends typing_start once online even if a start was attempted offline just before', async () => {
    const h = createHarness({ typingTimeout: TIMEOUT })
    h.store.dispatch(h.realtime.actions.joinRoom('general'))
    h.store.dispatch(h.realtime.actions.startTyping('general'))
    const socket = await connectAndAuthenticate(h)
    h.store.dispatch(h.realtime.actions.startTyping('general'))
    expect(socket.types().filter((t) => t === 'typing_start')).toHaveLength(1)
  })

  it('starts afresh on a new connection: the throttle and the stop are forgotten on close', async () => {
    const h = createHarness({
      typingTimeout: TIMEOUT,
      reconnectInterval: 10,
      maxReconnectDelay: 10,
    })
    h.store.dispatch(h.realtime.actions.joinRoom('general'))
    const first = await connectAndAuthenticate(h)
    h.store.dispatch(h.realtime.actions.startTyping('general'))
    expect(first.types()).toContain('typing_start')
    first.serverClose(1006)
    await tick(10)
    const second = FakeSocket.latest()
    expect(second).not.toBe(first)
    second.open()
    await tick()
    second.deliver(authOk())
    await tick()
    h.store.dispatch(h.realtime.actions.stopTyping('general'))
    expect(second.types()).not.toContain('typing_stop')
    h.store.dispatch(h.realtime.actions.startTyping('general'))
    expect(second.types()).toContain('typing_start')
  })
})

describe('typing: others’ indicators', () => {
  it('shows someone else’s typing_start and drops it after typingTimeout without news', async () => {
    const { socket, typing } = await inGeneral()
    socket.deliver(typingStart('bob'))
    await tick()
    expect(typing()).toEqual(['bob'])
    expect(typing('random')).toEqual([])
    await tick(TIMEOUT - 1)
    expect(typing()).toEqual(['bob'])
    await tick(1)
    expect(typing()).toEqual([])
  })

  it('keeps an indicator alive while typing_start keeps coming', async () => {
    const { h, socket, typing } = await inGeneral()
    socket.deliver(typingStart('bob'))
    await tick(600)
    socket.deliver(typingStart('bob'))
    await tick()
    await tick(TIMEOUT - 1)
    expect(typing()).toEqual(['bob'])
    await tick(1)
    expect(typing()).toEqual([])
    expect(h.ofType('realtime/chat/typingStopped')).toHaveLength(1)
  })

  it('ends an indicator at once on typing_stop, and its timer with it', async () => {
    const { h, socket, typing } = await inGeneral()
    socket.deliver(typingStart('bob'))
    socket.deliver(typingStart('carol'))
    await tick(WINDOW * 2)
    expect(typing()).toEqual(['bob', 'carol'])
    socket.deliver(typingStop('bob'))
    await tick()
    expect(typing()).toEqual(['carol'])
    await tick(TIMEOUT)
    expect(typing()).toEqual([])
    // One stop from the frame for bob, one expiry for carol: bob's timer did not fire.
    expect(h.ofType('realtime/chat/typingStopped').map((a) => a.payload.userId)).toEqual([
      'bob',
      'carol',
    ])
  })

  it('ends an indicator when that user’s chat message arrives', async () => {
    const { h, socket, typing } = await inGeneral()
    socket.deliver(typingStart('bob'))
    socket.deliver(typingStart('carol'))
    await tick(WINDOW * 2)
    socket.deliver(chatFrame('general', 1))
    await tick()
    expect(typing()).toEqual(['carol'])
    await tick(TIMEOUT)
    expect(h.ofType('realtime/chat/typingStopped').map((a) => a.payload.userId)).toEqual([
      'bob',
      'carol',
    ])
  })

  it('never shows this client’s own user', async () => {
    const { h, socket, typing } = await inGeneral()
    socket.deliver(typingStart('alice'))
    await tick(WINDOW * 2)
    expect(typing()).toEqual([])
    expect(h.ofType('realtime/chat/typingStarted')).toEqual([])
    socket.deliver(typingStop('alice'))
    await tick(WINDOW * 2)
    expect(h.ofType('realtime/chat/typingStopped')).toEqual([])
  })

  it('clears every indicator when the connection closes, and their timers', async () => {
    const { h, socket, typing } = await inGeneral()
    socket.deliver(typingStart('bob'))
    await tick()
    expect(typing()).toEqual(['bob'])
    socket.serverClose(1006)
    await tick()
    expect(h.state().connection.state).toBe('reconnecting')
    expect(typing()).toEqual([])
    await tick(TIMEOUT * 2)
    expect(h.ofType('realtime/chat/typingStopped')).toEqual([])
  })

  it('clears the indicators of a room this client leaves', async () => {
    const { h, socket, typing, actions } = await inGeneral()
    h.store.dispatch(actions.joinRoom('random'))
    await answerJoins(socket)
    socket.deliver(typingStart('bob'))
    socket.deliver(typingStart('bob', 'random'))
    await tick()
    h.store.dispatch(actions.leaveRoom('general'))
    expect(typing()).toEqual([])
    expect(typing('random')).toEqual(['bob'])
    await tick(TIMEOUT)
    expect(h.ofType('realtime/chat/typingStopped').map((a) => a.payload.room)).toEqual(['random'])
  })
})
