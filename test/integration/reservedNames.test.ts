import { findNonSerializableValue } from '@reduxjs/toolkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocketServer, type WebSocket } from 'ws'
import { createRealtimeServer, type RealtimeServer } from '../../src/server'
import { connectRaw, type RawClient } from '../support/rawClient'
import { TEST_SECRET, tokenFor } from '../support/tokens'
import { createTestClient, type TestClient } from '../support/realtimeClient'

/** Every name that reaches a builtin through a plain object: the whole of Object.prototype. */
const NAMES = [
  ...new Set([...Object.getOwnPropertyNames(Object.prototype), '__proto__', 'prototype']),
]

/** What each builtin a record could reach owns, to show afterwards that none gained anything. */
function builtinsSnapshot(): string {
  const owners: Array<[string, object]> = [
    ['Object.prototype', Object.prototype],
    ['Array.prototype', Array.prototype],
    ['Function.prototype', Function.prototype],
    ['Object', Object],
  ]
  for (const name of Object.getOwnPropertyNames(Object.prototype)) {
    const value = (Object.prototype as Record<string, unknown>)[name]
    if (typeof value === 'function') owners.push([`Object.prototype.${name}`, value])
  }
  return JSON.stringify(
    owners.map(([label, owner]) => [label, Reflect.ownKeys(owner).map(String).sort()]),
  )
}

let server: RealtimeServer
let bob: TestClient
let raw: RawClient
let before: string

beforeAll(async () => {
  before = builtinsSnapshot()
  server = await createRealtimeServer({
    port: 0,
    host: '127.0.0.1',
    jwt: { secret: TEST_SECRET },
    rateLimit: false,
  })
  bob = await createTestClient(server.url, 'bob', {})
  bob.store.dispatch(bob.actions.connect())
  bob.store.dispatch(bob.actions.joinRoom('general'))
  await bob.waitForRoom('general')
  raw = await connectRaw(server.url)
  await raw.authenticate(await tokenFor('alice'))
  raw.sendFrame('join', { room: 'general', data: {} })
  await raw.nextOfType('joined')
})

afterAll(async () => {
  raw?.close()
  bob?.dispose()
  await server?.close()
})

describe(`every Object.prototype member name (${NAMES.length}) as a room, user, message, notification and event id`, () => {
  it('is refused at the API with an error that names the rule', () => {
    const a = bob.actions
    const attempts: Array<[string, (name: string) => unknown]> = [
      ['joinRoom', (n) => a.joinRoom(n)],
      ['leaveRoom', (n) => a.leaveRoom(n)],
      ['startTyping', (n) => a.startTyping(n)],
      ['markAsRead room', (n) => a.markAsRead({ room: n, messageId: 'm1' })],
      ['markAsRead messageId', (n) => a.markAsRead({ room: 'general', messageId: n })],
      ['sendChatMessage room', (n) => a.sendChatMessage({ room: n, content: 'x' })],
      [
        'sendMessage id',
        (n) =>
          a.sendMessage({ type: 'chat_message', room: 'general', id: n, data: { content: 'x' } }),
      ],
      ['sendDirectMessage to', (n) => a.sendDirectMessage({ to: n, content: 'x' })],
      ['subscribeToUser', (n) => a.subscribeToUser(n)],
      ['markNotificationRead', (n) => a.markNotificationRead(n)],
      ['dismissNotification', (n) => a.dismissNotification(n)],
    ]
    for (const name of NAMES) {
      for (const [what, attempt] of attempts) {
        expect(() => attempt(name), `${what}(${name})`).toThrow(/Object\.prototype member name/)
      }
    }
  })

  it('is refused by the server from a client that skips the API, and changes nothing for the members', async () => {
    const errorsBefore = raw.received.filter((f) => f.type === 'error').length
    for (const name of NAMES) {
      const frames: unknown[] = [
        { type: 'join', room: name, data: {} },
        { type: 'chat_message', room: name, data: { content: 'x' } },
        { type: 'typing_start', room: name, data: {} },
        { type: 'read_receipt', room: name, data: { messageId: 'm1', seq: 1 } },
        { type: 'read_receipt', room: 'general', data: { messageId: name, seq: 1 } },
        { type: 'chat_message', id: name, room: 'general', data: { content: 'x' } },
        { type: 'direct_message', data: { to: name, content: 'x' } },
        { type: 'subscribe', data: { topic: 'user', userId: name } },
        { type: 'notification_update', data: { op: 'read', id: name } },
      ]
      for (const frame of frames) {
        raw.send(
          JSON.stringify({
            v: 1,
            id: `f${Math.random().toString(36).slice(2)}`,
            timestamp: Date.now(),
            ...(frame as object),
          }),
        )
      }
    }
    // A frame that goes through after all of them: the room still works for everyone.
    const last = raw.sendFrame('chat_message', {
      room: 'general',
      data: { content: 'still works' },
    })
    await raw.nextOfType('ack', (f) => f.data.refId === last.id, 10_000)
    await bob.waitFor((s) =>
      bob.selectors.selectMessagesByRoom(s, 'general').some((m) => m.id === last.id),
    )
    const refused = raw.received.filter((f) => f.type === 'error').length - errorsBefore
    expect(refused).toBe(NAMES.length * 9)
    const state = bob.store.getState()
    expect(bob.messages('general').map((m) => m.data.content)).toEqual(['still works'])
    expect(bob.selectors.selectTypingUsers(state, 'general')).toEqual([])
    expect(findNonSerializableValue(state)).toBe(false)
    expect(builtinsSnapshot()).toBe(before)
  })

  it('cannot be a user id: a token whose sub is one is refused', async () => {
    for (const name of NAMES) {
      const client = await connectRaw(server.url)
      await expect(client.authenticate(await tokenFor(name)), name).rejects.toThrow(
        /reserved|valid user id/,
      )
      client.close()
    }
  })

  it('cannot be pushed by the server as a user or an event id', () => {
    for (const name of NAMES) {
      expect(
        () => server.notify(name, { title: 't', kind: 'info', severity: 'info' }),
        name,
      ).toThrow(TypeError)
      expect(
        () =>
          server.publishEvent({
            id: name,
            title: 't',
            startsAt: Date.now() + 60_000,
            status: 'scheduled',
          }),
        name,
      ).toThrow(TypeError)
    }
  })

  it('from a hostile server, as room, user and message id of every frame type, is rejected and changes nothing', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' })
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()))
    const { port } = wss.address() as { port: number }
    wss.on('connection', (socket: WebSocket) => {
      socket.on('message', (data: Buffer) => {
        const frame = JSON.parse(data.toString()) as { type: string; id: string; room?: string }
        const send = (f: object) =>
          socket.send(JSON.stringify({ v: 1, timestamp: Date.now(), data: {}, ...f }))
        if (frame.type === 'auth') {
          send({ id: 'ok', type: 'auth_ok', data: { userId: 'carol', sessionId: 's', epoch: 'e' } })
        } else if (frame.type === 'join' && frame.room === 'general') {
          send({
            id: 'j',
            type: 'joined',
            room: 'general',
            data: {
              refId: frame.id,
              epoch: 'e',
              fromSeq: 0,
              headSeq: 0,
              resumed: false,
              gap: false,
            },
          })
          let seq = 0
          for (const name of NAMES) {
            send({ id: `a${seq}`, type: 'typing_start', room: name, userId: 'x' })
            send({
              id: `b${seq}`,
              type: 'read_receipt',
              room: name,
              userId: 'x',
              data: { messageId: 'm', seq: 1 },
            })
            send({
              id: `c${seq}`,
              type: 'read_receipt',
              room: 'general',
              userId: name,
              data: { messageId: 'm', seq: 1 },
            })
            send({
              id: name,
              type: 'chat_message',
              room: 'general',
              seq: ++seq,
              userId: 'x',
              data: { content: 'x' },
            })
            send({ id: `d${seq}`, type: 'user_online', data: { userId: name, status: 'online' } })
            send({
              id: `e${seq}`,
              type: 'notification',
              room: 'user:carol',
              seq: 1,
              data: { title: 't', kind: 'k', severity: 'info', eventId: name },
            })
          }
          send({
            id: 'good',
            type: 'chat_message',
            room: 'general',
            seq: 1,
            userId: 'x',
            data: { content: 'the good one' },
          })
        }
      })
    })
    const carol = await createTestClient(`ws://127.0.0.1:${port}`, 'carol', {})
    try {
      carol.store.dispatch(carol.actions.connect())
      carol.store.dispatch(carol.actions.joinRoom('general'))
      await carol.waitFor((s) => carol.selectors.selectMessagesByRoom(s, 'general').length === 1)
      await new Promise((r) => setTimeout(r, 100))
      const state = carol.store.getState()
      expect(carol.messages('general').map((m) => m.data.content)).toEqual(['the good one'])
      const rejected = carol.dispatched
        .filter((a) => a.type === 'realtime/inbound/framesRejected')
        .flatMap((a) => (a.payload as { rejections: unknown[] }).rejections)
      expect(rejected.length).toBe(NAMES.length * 6)
      expect(carol.selectors.selectOnlineUsers(state)).toEqual([])
      expect(findNonSerializableValue(state)).toBe(false)
      expect(builtinsSnapshot()).toBe(before)
    } finally {
      carol.dispose()
      for (const client of wss.clients) client.terminate()
      await new Promise<void>((resolve) => wss.close(() => resolve()))
    }
  })
})
