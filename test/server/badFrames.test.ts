import { describe, expect, it } from 'vitest'
import type { RawClient } from '../support/rawClient'
import { connect, joinedAs, startServer } from './harness'

async function expectStillServed(client: RawClient, room: string): Promise<void> {
  const sent = client.sendFrame('chat_message', { room, data: { content: 'still fine' } })
  await client.nextOfType('ack', (frame) => frame.data.refId === sent.id)
}

const now = () => Date.now()

describe('server bad frames', () => {
  const garbage: Array<[string, string | Buffer, string, RegExp]> = [
    ['invalid JSON', '{"v":1,', 'INVALID_FRAME', /not valid JSON/],
    [
      'a __proto__ key',
      `{"v":1,"id":"p1","type":"ping","timestamp":1,"data":{"__proto__":{"admin":true}}}`,
      'INVALID_FRAME',
      /__proto__/,
    ],
    [
      'an unknown type',
      JSON.stringify({ v: 1, id: 'u1', type: 'launch_missiles', timestamp: 1, data: {} }),
      'INVALID_FRAME',
      /unknown frame type/,
    ],
    [
      'a wrong shape',
      JSON.stringify({
        v: 1,
        id: 'w1',
        type: 'chat_message',
        timestamp: 1,
        room: 'general',
        data: { content: 5 },
      }),
      'INVALID_FRAME',
      /content/,
    ],
    [
      'a wrong version',
      JSON.stringify({ v: 2, id: 'v2', type: 'ping', timestamp: 1, data: {} }),
      'INVALID_FRAME',
      /v must be 1/,
    ],
    ['a binary frame', Buffer.from('{"v":1}'), 'INVALID_FRAME', /text/],
  ]

  for (const [name, payload, code, message] of garbage) {
    it(`answers ${name} with an error frame and keeps serving everyone`, async () => {
      const server = await startServer()
      const attacker = await joinedAs(server.url, 'eve', 'general')
      const bystander = await joinedAs(server.url, 'bob', 'general')
      attacker.send(payload)
      const error = await attacker.nextOfType('error')
      expect(error.data.code).toBe(code)
      expect(error.data.message).toMatch(message)
      await expectStillServed(attacker, 'general')
      await expectStillServed(bystander, 'general')
      expect(bystander.received.some((frame) => frame.type === 'error')).toBe(false)
    })
  }

  it('names the refused frame by id when it could be read', async () => {
    const server = await startServer()
    const client = await joinedAs(server.url, 'eve', 'general')
    client.send(JSON.stringify({ v: 1, id: 'bad-room', type: 'join', timestamp: 1, data: {} }))
    expect((await client.nextOfType('error')).data).toMatchObject({
      code: 'INVALID_FRAME',
      refId: 'bad-room',
    })
  })

  it('refuses server-only types from a client', async () => {
    const server = await startServer()
    const client = await joinedAs(server.url, 'eve', 'general')
    client.send({
      v: 1,
      id: 'fake-ack',
      type: 'ack',
      timestamp: now(),
      data: { refId: 'x', seq: 1 },
    })
    expect((await client.nextOfType('error')).data).toEqual({
      code: 'INVALID_FRAME',
      message: 'clients cannot send ack',
      refId: 'fake-ack',
    })
  })

  it('closes with 1009 a frame over maxPayload, leaving other clients alone', async () => {
    const server = await startServer({ maxPayload: 1024 })
    const attacker = await joinedAs(server.url, 'eve', 'general')
    const bystander = await joinedAs(server.url, 'bob', 'general')
    attacker.sendFrame('chat_message', { room: 'general', data: { content: 'x'.repeat(2000) } })
    expect((await attacker.closed).code).toBe(1009)
    await expectStillServed(bystander, 'general')
  })

  it('answers a frame a little over maxPayload with MESSAGE_TOO_LARGE naming its id, and keeps the connection', async () => {
    const server = await startServer({ maxPayload: 1024 })
    const client = await joinedAs(server.url, 'alice', 'general')
    const sent = client.sendFrame('chat_message', {
      room: 'general',
      data: { content: 'x'.repeat(1200) },
    })
    expect((await client.nextOfType('error')).data).toMatchObject({
      code: 'MESSAGE_TOO_LARGE',
      refId: sent.id,
    })
    await expectStillServed(client, 'general')
  })

  it('keeps serving a connection after a handler fails unexpectedly', async () => {
    let failNext = true
    const server = await startServer({
      history: {
        append: (_room, frame) => {
          if (failNext) {
            failNext = false
            throw new Error('disk full')
          }
          return { seq: 1, duplicate: false, frame: { ...frame, seq: 1 } }
        },
        since: () => ({ frames: [], firstSeq: 1, headSeq: 0 }),
      },
    })
    const client = await joinedAs(server.url, 'alice', 'general')
    const sent = client.sendFrame('chat_message', { room: 'general', data: { content: 'x' } })
    expect((await client.nextOfType('error')).data).toMatchObject({
      code: 'SERVER_ERROR',
      refId: sent.id,
    })
    // A store failure: the refused message goes again first (as the outbox does), then the rest.
    client.send(sent)
    await client.nextOfType('ack', (frame) => frame.data.refId === sent.id)
    await expectStillServed(client, 'general')
  })
})

describe('server origin check', () => {
  it('rejects an upgrade from an origin that is not allowed with 403', async () => {
    const server = await startServer({ allowedOrigins: ['https://app.example'] })
    await expect(connect(server.url, { origin: 'https://evil.example' })).rejects.toThrow(/403/)
    await expect(connect(server.url)).rejects.toThrow(/403/)
    await expect(connect(server.url, { origin: 'https://app.example' })).resolves.toBeTruthy()
  })

  it('accepts any origin, or none, when allowedOrigins is unset', async () => {
    const server = await startServer()
    await expect(connect(server.url, { origin: 'https://anywhere.example' })).resolves.toBeTruthy()
    await expect(connect(server.url)).resolves.toBeTruthy()
  })
})
