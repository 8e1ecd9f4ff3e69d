import { findNonSerializableValue } from '@reduxjs/toolkit'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocketServer, type WebSocket } from 'ws'
import { createTestClient, type TestClient } from '../support/realtimeClient'

/**
 * A raw `ws` server standing in for a broken or hostile one: it answers auth, then sends what
 * each test scripts. The client must turn every bad frame into an error action and stay valid.
 */
const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

interface Script {
  url: string
  /** Frames the client sent, parsed. */
  received: Array<Record<string, unknown>>
  socket: () => WebSocket
}

async function rawServer(
  onAuthed: (socket: WebSocket) => void,
  onFrame?: (frame: Record<string, unknown>, socket: WebSocket) => void,
): Promise<Script> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' })
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()))
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate()
        wss.close(() => resolve())
      }),
  )
  const received: Script['received'] = []
  let current: WebSocket | undefined
  wss.on('connection', (socket) => {
    current = socket
    socket.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString()) as Record<string, unknown>
      received.push(frame)
      if (frame.type === 'auth') {
        socket.send(
          JSON.stringify({
            v: 1,
            id: 'ok1',
            type: 'auth_ok',
            timestamp: Date.now(),
            data: { userId: 'alice', sessionId: 's1', epoch: 'e1' },
          }),
        )
        onAuthed(socket)
      } else onFrame?.(frame, socket)
    })
  })
  const { port } = wss.address() as { port: number }
  return { url: `ws://127.0.0.1:${port}`, received, socket: () => current as WebSocket }
}

const frame = (fields: Record<string, unknown>) =>
  JSON.stringify({ v: 1, timestamp: Date.now(), ...fields })
/** `refId`: the join it answers (the client ignores a joined it did not ask for). */
const joinedFrame = (room: string, refId: unknown, fromSeq = 0) =>
  frame({
    id: `j-${room}-${fromSeq}`,
    type: 'joined',
    room,
    data: { refId, epoch: 'e1', fromSeq, headSeq: fromSeq, resumed: false, gap: false },
  })
const chatFrame = (seq: number, content = `m${seq}`) =>
  frame({
    id: `c${seq}`,
    type: 'chat_message',
    room: 'general',
    userId: 'bob',
    seq,
    data: { content },
  })

async function client(url: string): Promise<TestClient> {
  const c = await createTestClient(url, 'alice', { maxFrameBytes: 2048, reconnectInterval: 10 })
  cleanups.push(() => c.dispose())
  return c
}

describe('a client facing a broken or hostile server', () => {
  it('rejects every bad frame with an error action, counts it, and stays valid and serializable', async () => {
    const garbage = [
      'not json at all',
      '[1,2,3]',
      '{"v":1,"id":"p1","type":"chat_message","timestamp":1,"room":"general","seq":1,"data":{"content":"x","__proto__":{"polluted":true}}}',
      '{"__proto__":{"polluted":true}}',
      frame({ id: 'u1', type: 'launch_missiles', data: {} }),
      frame({ id: 'w1', type: 'chat_message', room: 'general', seq: 'one', data: { content: 1 } }),
      frame({
        id: '__proto__',
        type: 'chat_message',
        room: 'general',
        seq: 1,
        data: { content: 'x' },
      }),
      frame({ id: 'r1', type: 'chat_message', room: '__proto__', seq: 1, data: { content: 'x' } }),
      frame({
        id: 'big',
        type: 'chat_message',
        room: 'general',
        seq: 1,
        data: { content: 'x'.repeat(3000) },
      }),
      frame({ id: 'a1', type: 'auth', data: { token: 'server-sent auth?' } }),
    ]
    const server = await rawServer(
      () => {},
      (sent, socket) => {
        if (sent.type !== 'join' || sent.room !== 'general') return
        socket.send(joinedFrame('general', sent.id))
        for (const text of garbage) socket.send(text)
        socket.send(Buffer.from([1, 2, 3]), { binary: true })
        socket.send(chatFrame(1, 'the one good message'))
      },
    )
    const c = await client(server.url)
    c.store.dispatch(c.actions.connect())
    c.store.dispatch(c.actions.joinRoom('general'))
    await c.waitFor(
      (s) => c.selectors.selectMessagesByRoom(s, 'general').length === 1,
      5_000,
      'the good message',
    )

    const rejected = c.dispatched
      .filter((a) => a.type === 'realtime/inbound/framesRejected')
      .flatMap((a) =>
        (a.payload as { rejections: Array<{ reason: string }> }).rejections.map((r) => r.reason),
      )
    expect(rejected.sort()).toEqual(
      [
        'invalid_json',
        'not_object',
        'forbidden_key',
        'forbidden_key',
        'unknown_type',
        'invalid_field',
        'bad_id',
        'invalid_field',
        'oversize',
        'unexpected_type',
        'binary',
      ].sort(),
    )
    const state = c.store.getState()
    expect(c.selectors.selectPerformanceMetrics(state).errorCount).toBe(11)
    expect(c.selectors.selectLastError(state)).toMatchObject({ code: 'INVALID_FRAME' })
    expect(c.selectors.selectIsConnected(state)).toBe(true)
    expect(c.messages('general').map((m) => m.data.content)).toEqual(['the one good message'])
    expect(findNonSerializableValue(state)).toBe(false)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.prototype).not.toHaveProperty('polluted')
  })

  it('drops duplicates by seq and resumes from its cursor when a seq gap appears', async () => {
    const server = await rawServer(
      () => {},
      (sent, socket) => {
        if (sent.type !== 'join' || sent.room !== 'general') return
        if ((sent.data as { seq?: number }).seq === undefined) {
          socket.send(joinedFrame('general', sent.id))
          socket.send(chatFrame(1))
          socket.send(chatFrame(1)) // duplicate
          socket.send(chatFrame(3)) // 2 went missing
        } else if ((sent.data as { seq?: number }).seq === 1) {
          socket.send(
            frame({
              id: 'j2',
              type: 'joined',
              room: 'general',
              data: {
                refId: sent.id,
                epoch: 'e1',
                fromSeq: 1,
                headSeq: 3,
                resumed: true,
                gap: false,
              },
            }),
          )
          socket.send(chatFrame(2))
          socket.send(chatFrame(3))
        }
      },
    )
    const c = await client(server.url)
    c.store.dispatch(c.actions.connect())
    c.store.dispatch(c.actions.joinRoom('general'))
    await c.waitFor(
      (s) => c.selectors.selectMessagesByRoom(s, 'general').length === 3,
      5_000,
      'three messages',
    )
    expect(c.messages('general').map((m) => m.seq)).toEqual([1, 2, 3])
    const joins = server.received.filter((f) => f.type === 'join' && f.room === 'general')
    expect(joins.map((j) => j.data)).toEqual([{}, { epoch: 'e1', seq: 1 }])
    expect(c.dispatched.filter((a) => a.type === 'realtime/rooms/gapDetected')).toHaveLength(1)
  })
})
