import { describe, expect, it } from 'vitest'
import { makeFrame } from '../../src/protocol'
import type { Frame } from '../../src/protocol'
import { MAX_AUTH_ATTEMPTS, MAX_FRAMES_BEFORE_AUTH } from '../../src/server/admission'
import type { RawClient } from '../support/rawClient'
import { tokenFor } from '../support/tokens'
import { connect, connectAs, framesOf, joinedAs, roundTrip, startServer } from './harness'

const batchOf = (frames: Frame[]) => makeFrame('batch', { data: { frames } })

/** The client gets AUTHENTICATION_FAILED matching `message`, then close 4001. */
async function expectClosedForAuth(client: RawClient, message: RegExp, refId?: string) {
  const error = await client.nextOfType('error')
  expect(error.data.code).toBe('AUTHENTICATION_FAILED')
  expect(error.data.message).toMatch(message)
  if (refId) expect(error.data.refId).toBe(refId)
  expect((await client.closed).code).toBe(4001)
}

describe('server admission before auth', () => {
  it(`closes with 4001 a connection sending more than ${MAX_AUTH_ATTEMPTS} auths before auth_ok`, async () => {
    const server = await startServer()
    const client = await connect(server.url)
    const token = await tokenFor('alice')
    const auths = [1, 2, 3].map(() => makeFrame('auth', { data: { token } }))
    client.send(batchOf(auths))
    await expectClosedForAuth(client, /more than 2 auth frames before auth_ok/, auths[2]?.id)
    expect(framesOf(client, 'auth_ok')).toEqual([])
  })

  it('drops repeats of a frame before auth_ok uncounted, as a network that duplicates frames sends them', async () => {
    const server = await startServer()
    const client = await connect(server.url)
    const auth = makeFrame('auth', { data: { token: await tokenFor('alice') } })
    const join = makeFrame('join', { room: 'general', data: {} })
    // Copies of the one auth and of a join pipelined behind it: past both bounds if counted.
    const copies = Array.from({ length: MAX_FRAMES_BEFORE_AUTH }, () => [auth, join]).flat()
    client.send(batchOf(copies))
    await client.nextOfType('joined', (frame) => frame.room === 'general')
    await roundTrip(client)
    expect(framesOf(client, 'auth_ok')).toHaveLength(1)
    expect(framesOf(client, 'joined')).toHaveLength(1)
    expect(framesOf(client, 'error')).toEqual([])
  })

  it(`closes with 4001 a connection sending more than ${MAX_FRAMES_BEFORE_AUTH} frames before auth_ok`, async () => {
    const server = await startServer()
    const client = await connect(server.url)
    const auth = makeFrame('auth', { data: { token: await tokenFor('alice') } })
    const joins = Array.from({ length: MAX_FRAMES_BEFORE_AUTH }, (_, i) =>
      makeFrame('join', { room: `r${i}`, data: {} }),
    )
    client.send(batchOf([auth, ...joins]))
    await expectClosedForAuth(client, /more than 16 frames before auth_ok/)
  })

  it('still takes auth and frames pipelined behind it within the bound', async () => {
    const server = await startServer()
    const client = await connect(server.url)
    const auth = makeFrame('auth', { data: { token: await tokenFor('alice') } })
    const joins = Array.from({ length: MAX_FRAMES_BEFORE_AUTH - 1 }, (_, i) =>
      makeFrame('join', { room: `r${i}`, data: {} }),
    )
    client.send(batchOf([auth, ...joins]))
    await client.nextOfType('joined', (frame) => frame.room === `r${MAX_FRAMES_BEFORE_AUTH - 2}`)
  })

  it('closes at once with 4001 an auth frame carrying a 16 KB token, after an error naming it', async () => {
    const server = await startServer()
    const client = await connect(server.url)
    const auth = client.sendFrame('auth', { data: { token: 'x'.repeat(16 * 1024) } })
    await expectClosedForAuth(client, /invalid auth frame: data.token is longer/, auth.id)
  })

  it('closes at once with 4001 a refresh carrying a 16 KB token on a live session', async () => {
    const server = await startServer()
    const client = await connectAs(server.url, 'alice')
    const auth = client.sendFrame('auth', { data: { token: 'x'.repeat(16 * 1024) } })
    await expectClosedForAuth(client, /invalid auth frame/, auth.id)
  })

  it('closes at once with 4001 an auth frame above maxPayload', async () => {
    const server = await startServer({ maxPayload: 2048 })
    const client = await connectAs(server.url, 'alice')
    const auth = client.sendFrame('auth', { data: { token: 'x'.repeat(3000) } })
    await expectClosedForAuth(client, /invalid auth frame: frame larger than 2048 bytes/, auth.id)
  })

  const invalid: Array<[string, string]> = [
    ['invalid JSON', '{"v":1,'],
    ['an unknown type', JSON.stringify({ v: 1, id: 'u1', type: 'nope', timestamp: 1, data: {} })],
    ['a wrong version', JSON.stringify({ v: 2, id: 'v2', type: 'auth', timestamp: 1, data: {} })],
  ]
  for (const [name, payload] of invalid) {
    it(`closes at once with 4001 ${name} before any session`, async () => {
      const server = await startServer()
      const client = await connect(server.url)
      client.send(payload)
      await expectClosedForAuth(client, /^invalid (auth )?frame/)
    })
  }

  it('keeps an authenticated connection open after an invalid frame that is not auth', async () => {
    const server = await startServer()
    const client = await joinedAs(server.url, 'alice', 'general')
    client.send('{"v":1,')
    expect((await client.nextOfType('error')).data.code).toBe('INVALID_FRAME')
    await roundTrip(client)
  })
})
