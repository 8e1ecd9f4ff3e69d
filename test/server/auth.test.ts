import { decodeJwt, SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import { connect, startServer } from './harness'
import { TEST_SECRET, tokenFor } from '../support/tokens'
import type { RawClient } from '../support/rawClient'

async function expectAuthRefused(client: RawClient, token: string, message: RegExp): Promise<void> {
  const auth = client.sendFrame('auth', { data: { token } })
  const error = await client.nextOfType('error')
  expect(error.data).toMatchObject({ code: 'AUTHENTICATION_FAILED', refId: auth.id })
  expect(error.data.message).toMatch(message)
  expect((await client.closed).code).toBe(4001)
}

describe('server auth', () => {
  it('answers a valid token with auth_ok carrying the user, a session id and the epoch', async () => {
    const server = await startServer()
    const client = await connect(server.url)
    const ok = await client.authenticate(await tokenFor('alice'))
    expect(ok.data.userId).toBe('alice')
    expect(ok.data.epoch).toBe(server.epoch)
    expect(ok.data.sessionId).toMatch(/^\S{8,}$/)
  })

  it("states the server's limits and the token's expiry in auth_ok", async () => {
    const server = await startServer({
      maxPayload: 32 * 1024,
      rateLimit: { messages: 20, perMs: 1000 },
      maxInFlight: 64,
    })
    const client = await connect(server.url)
    const token = await tokenFor('alice', { expiresIn: 3600 })
    const ok = await client.authenticate(token)
    expect(ok.data).toMatchObject({
      maxFrameBytes: 32 * 1024,
      expiresAt: (decodeJwt(token).exp ?? 0) * 1000,
      rateLimit: { messages: 20, perMs: 1000 },
      maxInFlight: 64,
    })
  })

  it('defaults to 64 KiB frames, 100 frames per 10 s and 256 in flight, and omits a disabled rate limit', async () => {
    const defaults = await startServer()
    const ok = await (await connect(defaults.url)).authenticate(await tokenFor('alice'))
    expect(ok.data).toMatchObject({
      maxFrameBytes: 64 * 1024,
      rateLimit: { messages: 100, perMs: 10_000 },
      maxInFlight: 256,
    })
    const unlimited = await startServer({ rateLimit: false })
    const free = await (await connect(unlimited.url)).authenticate(await tokenFor('alice'))
    expect(free.data.rateLimit).toBeUndefined()
  })

  it('refuses an auth whose maxFrameBytes is below 1024 and closes with 4001', async () => {
    const server = await startServer()
    const client = await connect(server.url)
    const auth = client.sendFrame('auth', {
      data: { token: await tokenFor('alice'), maxFrameBytes: 512 },
    })
    const error = await client.nextOfType('error')
    expect(error.data).toMatchObject({ code: 'AUTHENTICATION_FAILED', refId: auth.id })
    expect(error.data.message).toMatch(/maxFrameBytes must be at least 1024, got 512/)
    expect((await client.closed).code).toBe(4001)
  })

  it('refuses a token signed with another secret and closes with 4001', async () => {
    const server = await startServer()
    await expectAuthRefused(
      await connect(server.url),
      await tokenFor('alice', { secret: 'forged' }),
      /signature/,
    )
  })

  it('refuses an expired token', async () => {
    const server = await startServer()
    await expectAuthRefused(
      await connect(server.url),
      await tokenFor('alice', { expiresIn: '-1m' }),
      /expired/,
    )
  })

  it('refuses an algorithm outside the allow-list', async () => {
    const server = await startServer({ jwt: { secret: 'test-secret', algorithms: ['HS256'] } })
    const token = await tokenFor('alice', { algorithm: 'HS512' })
    await expectAuthRefused(await connect(server.url), token, /algorithm/)
  })

  it('accepts an allowed non-default algorithm', async () => {
    const server = await startServer({ jwt: { secret: 'test-secret', algorithms: ['HS512'] } })
    const client = await connect(server.url)
    await expect(
      client.authenticate(await tokenFor('alice', { algorithm: 'HS512' })),
    ).resolves.toBeTruthy()
  })

  it('refuses a token that is not valid yet (nbf)', async () => {
    const server = await startServer()
    await expectAuthRefused(
      await connect(server.url),
      await tokenFor('alice', { notBefore: '10m' }),
      /not valid yet/,
    )
  })

  it('checks issuer and audience when configured', async () => {
    const server = await startServer({
      jwt: { secret: 'test-secret', issuer: 'auth.example', audience: 'chat' },
    })
    const good = await connect(server.url)
    await good.authenticate(await tokenFor('alice', { issuer: 'auth.example', audience: 'chat' }))
    await expectAuthRefused(
      await connect(server.url),
      await tokenFor('bob', { issuer: 'evil', audience: 'chat' }),
      /iss/,
    )
    await expectAuthRefused(
      await connect(server.url),
      await tokenFor('eve', { issuer: 'auth.example', audience: 'x' }),
      /aud/,
    )
  })

  it('refuses a token whose subject is not a valid user id', async () => {
    const server = await startServer()
    await expectAuthRefused(await connect(server.url), await tokenFor('has space'), /sub/)
  })

  for (const reserved of ['toString', '__proto__', 'constructor', 'hasOwnProperty']) {
    it(`refuses a token whose subject is the reserved name ${reserved}`, async () => {
      const server = await startServer()
      await expectAuthRefused(
        await connect(server.url),
        await tokenFor(reserved),
        /user id|reserved/,
      )
    })
  }

  it('says a reserved subject is a reserved name', async () => {
    const server = await startServer()
    const client = await connect(server.url)
    client.sendFrame('auth', { data: { token: await tokenFor('toString') } })
    expect((await client.nextOfType('error')).data.message).toBe(
      'token "sub" "toString" is a reserved name and cannot be a user id',
    )
  })

  it('ends the session at iat + jwt.maxTokenAgeSec when that comes before exp', async () => {
    const server = await startServer({ jwt: { secret: TEST_SECRET, maxTokenAgeSec: 60 } })
    const token = await tokenFor('alice', { expiresIn: '1h' })
    const ok = await (await connect(server.url)).authenticate(token)
    expect(ok.data.expiresAt).toBe(((decodeJwt(token).iat ?? 0) + 60) * 1000)
    const short = await tokenFor('alice', { expiresIn: 30 })
    const early = await (await connect(server.url)).authenticate(short)
    expect(early.data.expiresAt).toBe((decodeJwt(short).exp ?? 0) * 1000)
  })

  it('counts a token without iat from its auth under jwt.maxTokenAgeSec', async () => {
    const server = await startServer({ jwt: { secret: TEST_SECRET, maxTokenAgeSec: 60 } })
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('alice')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(TEST_SECRET))
    const before = Date.now()
    const ok = await (await connect(server.url)).authenticate(token)
    expect(ok.data.expiresAt).toBeGreaterThanOrEqual(before + 60_000)
    expect(ok.data.expiresAt).toBeLessThanOrEqual(Date.now() + 60_000)
  })

  it('refuses a token older than jwt.maxTokenAgeSec with 4001', async () => {
    const server = await startServer({ jwt: { secret: TEST_SECRET, maxTokenAgeSec: 60 } })
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('alice')
      .setIssuedAt(Math.floor(Date.now() / 1000) - 120)
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(TEST_SECRET))
    await expectAuthRefused(await connect(server.url), token, /older than jwt.maxTokenAgeSec/)
  })

  it('closes with 4001 "auth timeout" when no auth arrives in time', async () => {
    const server = await startServer({ authTimeoutMs: 100 })
    const client = await connect(server.url)
    expect(await client.closed).toEqual({ code: 4001, reason: 'auth timeout' })
  })

  it('refuses any other frame before auth', async () => {
    const server = await startServer()
    const client = await connect(server.url)
    const join = client.sendFrame('join', { room: 'general', data: {} })
    const error = await client.nextOfType('error')
    expect(error.data).toMatchObject({
      code: 'AUTHENTICATION_FAILED',
      message: 'authenticate first',
      refId: join.id,
    })
    expect((await client.closed).code).toBe(4001)
  })

  it('re-verifies a refreshed token for the same user and keeps the session', async () => {
    const server = await startServer()
    const client = await connect(server.url)
    const first = await client.authenticate(await tokenFor('alice'))
    const second = await client.authenticate(await tokenFor('alice', { expiresIn: '2h' }))
    const { expiresAt: firstExpiry, ...firstSession } = first.data
    const { expiresAt: secondExpiry, ...secondSession } = second.data
    expect(secondSession).toEqual(firstSession)
    expect(secondExpiry).toBeLessThan(firstExpiry ?? 0)
  })

  it('refuses a refreshed token for another user', async () => {
    const server = await startServer()
    const client = await connect(server.url)
    await client.authenticate(await tokenFor('alice'))
    await expectAuthRefused(client, await tokenFor('bob'), /same user/)
  })

  it('handles a batch of auth then join in order', async () => {
    const server = await startServer()
    const client = await connect(server.url)
    const token = await tokenFor('alice')
    client.send({
      v: 1,
      id: 'b1',
      type: 'batch',
      timestamp: Date.now(),
      data: {
        frames: [
          { v: 1, id: 'a1', type: 'auth', timestamp: Date.now(), data: { token } },
          { v: 1, id: 'j1', type: 'join', timestamp: Date.now(), room: 'general', data: {} },
        ],
      },
    })
    await client.nextOfType('auth_ok')
    await client.nextOfType('joined')
  })
})
