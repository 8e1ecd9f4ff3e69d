import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { ReadReceiptFrame } from '../../../src/protocol/frames'
import {
  FakeSocket,
  WINDOW,
  authOk,
  chatFrame,
  connectAndAuthenticate,
  createHarness,
  joined,
  tick,
} from './harness'

beforeEach(() => {
  vi.useFakeTimers()
  FakeSocket.instances = []
})

afterEach(() => {
  vi.useRealTimers()
})

function receiptsSent(socket: FakeSocket): ReadReceiptFrame[] {
  return socket.frames().filter((f): f is ReadReceiptFrame => f.type === 'read_receipt')
}

/** Authenticated as alice in `general`, holding bob's messages m-general-1..3. */
async function withHistory() {
  const h = createHarness({ reconnectInterval: 100, maxReconnectDelay: 100 })
  h.store.dispatch(h.realtime.actions.joinRoom('general'))
  const socket = await connectAndAuthenticate(h)
  socket.deliver(joined('general'))
  for (let seq = 1; seq <= 3; seq++) socket.deliver(chatFrame('general', seq))
  await tick(WINDOW * 2)
  const markAsRead = (seq: number) =>
    h.store.dispatch(
      h.realtime.actions.markAsRead({ room: 'general', messageId: `m-general-${seq}` }),
    )
  const unread = () => h.realtime.selectors.selectRoomUnreadCount(h.store.getState(), 'general')
  const own = () => h.state().receipts.general?.alice
  return { h, socket, markAsRead, unread, own }
}

/** Drops the socket and brings up the next one to auth_ok (no joined yet). */
async function reconnect(socket: FakeSocket): Promise<FakeSocket> {
  socket.serverClose(1006)
  await tick(100)
  const next = FakeSocket.latest()
  expect(next).not.toBe(socket)
  next.open()
  await tick()
  next.deliver(authOk())
  await tick()
  return next
}

describe('read receipts', () => {
  it('throws an Error naming the fix for a message id the room does not hold', async () => {
    const { h, socket } = await withHistory()
    const markUnknown = () =>
      h.store.dispatch(h.realtime.actions.markAsRead({ room: 'general', messageId: 'nope' }))
    expect(markUnknown).toThrow(Error)
    expect(markUnknown).toThrow(/no message "nope" in room "general".*selectMessagesByRoom/)
    expect(receiptsSent(socket)).toEqual([])
    expect(h.ofType('realtime/chat/readReceiptsReceived')).toEqual([])
  })

  it('does nothing for an own message the server has not confirmed yet', async () => {
    const { h, socket } = await withHistory()
    const { id } = h.store.dispatch(
      h.realtime.actions.sendChatMessage({ room: 'general', content: 'mine' }),
    ).payload
    expect(h.state().chat.byRoom.general?.messages.at(-1)).toMatchObject({ id, status: 'pending' })
    h.store.dispatch(h.realtime.actions.markAsRead({ room: 'general', messageId: id }))
    expect(receiptsSent(socket)).toEqual([])
    expect(h.ofType('realtime/chat/readReceiptsReceived')).toEqual([])
  })

  it('shows the receipt at once for this user and sends it', async () => {
    const { h, socket, markAsRead, unread, own } = await withHistory()
    expect(unread()).toBe(3)
    markAsRead(2)
    expect(h.ofType('realtime/chat/readReceiptsReceived').map((a) => a.payload.receipts)).toEqual([
      [{ room: 'general', userId: 'alice', messageId: 'm-general-2', seq: 2 }],
    ])
    expect(own()).toEqual({ messageId: 'm-general-2', seq: 2 })
    expect(unread()).toBe(1)
    expect(receiptsSent(socket)).toMatchObject([
      { room: 'general', data: { messageId: 'm-general-2', seq: 2 } },
    ])
  })

  it('does not send a receipt at or below one already sent', async () => {
    const { socket, markAsRead, own } = await withHistory()
    markAsRead(3)
    markAsRead(2)
    markAsRead(3)
    expect(receiptsSent(socket).map((f) => f.data.seq)).toEqual([3])
    expect(own()?.seq).toBe(3)
  })

  it('keeps a receipt made offline and sends it after the next auth_ok and join', async () => {
    const { h, socket, markAsRead, own } = await withHistory()
    socket.serverClose(1006)
    await tick()
    expect(h.state().connection.state).toBe('reconnecting')
    markAsRead(3)
    expect(own()?.seq).toBe(3)
    expect(receiptsSent(socket)).toEqual([])

    await tick(100)
    const next = FakeSocket.latest()
    next.open()
    await tick()
    next.deliver(authOk())
    await tick()
    next.deliver(joined('general', { fromSeq: 3, headSeq: 3, resumed: true }))
    await tick(WINDOW * 2)
    expect(receiptsSent(next)).toMatchObject([
      { room: 'general', data: { messageId: 'm-general-3', seq: 3 } },
    ])
    const types = next.types()
    expect(types.indexOf('read_receipt')).toBeGreaterThan(types.indexOf('join'))
    expect(types.indexOf('read_receipt')).toBeGreaterThan(types.indexOf('auth'))
  })

  it('sends the newest receipt again on the next connection', async () => {
    const { socket, markAsRead } = await withHistory()
    markAsRead(1)
    markAsRead(2)
    const next = await reconnect(socket)
    next.deliver(joined('general', { fromSeq: 3, headSeq: 3, resumed: true }))
    await tick(WINDOW * 2)
    expect(receiptsSent(next).map((f) => f.data)).toEqual([{ messageId: 'm-general-2', seq: 2 }])
  })

  it('while offline, keeps the newer receipt when an older message is marked after it', async () => {
    const { socket, markAsRead, own } = await withHistory()
    socket.serverClose(1006)
    await tick()
    markAsRead(3)
    markAsRead(2)
    expect(own()?.seq).toBe(3)
    await tick(100)
    const next = FakeSocket.latest()
    next.open()
    await tick()
    next.deliver(authOk())
    await tick()
    next.deliver(joined('general', { fromSeq: 3, headSeq: 3, resumed: true }))
    await tick(WINDOW * 2)
    expect(receiptsSent(next).map((f) => f.data.seq)).toEqual([3])
  })

  it('drops a receipt waiting to go out when the room is left, so a rejoin does not send it', async () => {
    const { h, socket, markAsRead } = await withHistory()
    socket.serverClose(1006)
    await tick()
    markAsRead(2)
    h.store.dispatch(h.realtime.actions.leaveRoom('general'))
    expect(h.state().receipts.general).toBeUndefined()
    h.store.dispatch(h.realtime.actions.joinRoom('general'))
    await tick(100)
    const next = FakeSocket.latest()
    next.open()
    await tick()
    next.deliver(authOk())
    await tick()
    next.deliver(joined('general'))
    await tick(WINDOW * 2)
    expect(next.frames().filter((f) => f.type === 'join' && f.room === 'general')).toHaveLength(1)
    expect(receiptsSent(next)).toEqual([])
  })
})
