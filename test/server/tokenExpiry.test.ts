import { decodeJwt } from 'jose'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createTokenExpiry } from '../../src/server/tokenExpiry'
import type { RawClient } from '../support/rawClient'
import { tokenFor } from '../support/tokens'
import { connect, connectAs, framesOf, join, joinedAs, roundTrip, startServer } from './harness'

/** A client in `room` whose token expires within 2 s (`exp` is whole seconds). */
async function shortLived(url: string, userId: string, room: string) {
  const client = await connect(url)
  const token = await tokenFor(userId, { expiresIn: 2 })
  const ok = await client.authenticate(token)
  await join(client, room)
  return { client, ok }
}

/** The error the server pushes at expiry: TOKEN_EXPIRED naming no frame. */
function expiryNotice(client: RawClient) {
  return client.nextOfType(
    'error',
    (frame) => frame.data.code === 'TOKEN_EXPIRED' && frame.data.refId === undefined,
    4000,
  )
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('server token lifecycle', () => {
  it("states the token's exp as auth_ok.expiresAt and tells the client when it passes", async () => {
    const server = await startServer()
    const client = await connect(server.url)
    const token = await tokenFor('alice', { expiresIn: 2 })
    const ok = await client.authenticate(token)
    expect(ok.data.expiresAt).toBe((decodeJwt(token).exp ?? 0) * 1000)
    const notice = await expiryNotice(client)
    expect(notice.data.message).toMatch(/send auth with a fresh token within 5000 ms.*4002/)
  })

  it('refuses every frame but auth after expiry with TOKEN_EXPIRED naming it, processes and stores none, then closes with 4002', async () => {
    const server = await startServer({ tokenExpiryGraceMs: 300 })
    const bob = await joinedAs(server.url, 'bob', 'general')
    const { client: alice } = await shortLived(server.url, 'alice', 'general')
    await expiryNotice(alice)
    const sent = [
      alice.sendFrame('chat_message', { room: 'general', data: { content: 'too late' } }),
      alice.sendFrame('ping', { data: {} }),
      alice.sendFrame('join', { room: 'other', data: {} }),
    ]
    for (const frame of sent) {
      const error = await alice.nextOfType('error', (e) => e.data.refId === frame.id)
      expect(error.data.code).toBe('TOKEN_EXPIRED')
    }
    expect(await alice.closed).toEqual({ code: 4002, reason: 'token expired' })
    expect(framesOf(alice, 'ack')).toEqual([])
    expect(framesOf(alice, 'pong')).toEqual([])
    await roundTrip(bob)
    expect(framesOf(bob, 'chat_message')).toEqual([])
    const carol = await connectAs(server.url, 'carol')
    expect((await join(carol, 'general')).data.headSeq).toBe(0)
  })

  it('takes a fresh auth on the live socket after expiry: a new auth_ok and expiresAt, the same session and rooms, no 4002', async () => {
    const server = await startServer({ tokenExpiryGraceMs: 300 })
    const { client: alice, ok: first } = await shortLived(server.url, 'alice', 'general')
    await expiryNotice(alice)
    const fresh = await tokenFor('alice', { expiresIn: '1h' })
    const second = await alice.authenticate(fresh)
    expect(second.data.expiresAt).toBe((decodeJwt(fresh).exp ?? 0) * 1000)
    expect(second.data.sessionId).toBe(first.data.sessionId)
    // No join again: the room is kept.
    const sent = alice.sendFrame('chat_message', { room: 'general', data: { content: 'back' } })
    await alice.nextOfType('ack', (frame) => frame.data.refId === sent.id)
    await sleep(600) // past the old grace
    await roundTrip(alice)
    expect(framesOf(alice, 'joined')).toHaveLength(1)
  })

  it('moves the expiry with a refresh before it: no TOKEN_EXPIRED at the old time', async () => {
    const server = await startServer({ tokenExpiryGraceMs: 100 })
    const { client: alice, ok } = await shortLived(server.url, 'alice', 'general')
    await alice.authenticate(await tokenFor('alice', { expiresIn: '1h' }))
    await sleep(Math.max(0, (ok.data.expiresAt ?? 0) - Date.now()) + 300)
    await roundTrip(alice)
    expect(framesOf(alice, 'error')).toEqual([])
  })
})

describe('createTokenExpiry', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('calls onExpired at expiresAt and onGraceOver graceMs later', () => {
    vi.useFakeTimers({ now: 0 })
    const calls: string[] = []
    const expiry = createTokenExpiry(500, {
      onExpired: () => calls.push(`expired ${Date.now()}`),
      onGraceOver: () => calls.push(`grace over ${Date.now()}`),
    })
    expiry.set(1000)
    expect(expiry.expired(999)).toBe(false)
    vi.advanceTimersByTime(2000)
    expect(calls).toEqual(['expired 1000', 'grace over 1500'])
    expect(expiry.expired(1000)).toBe(true)
  })

  it('waits in steps for an expiry beyond the 24.8-day range of setTimeout', () => {
    vi.useFakeTimers({ now: 0 })
    const onExpired = vi.fn()
    const expiry = createTokenExpiry(0, { onExpired, onGraceOver: () => undefined })
    const thirtyDays = 30 * 24 * 3600 * 1000
    expiry.set(thirtyDays)
    vi.advanceTimersByTime(thirtyDays - 1)
    expect(onExpired).not.toHaveBeenCalled()
    vi.advanceTimersByTime(1)
    expect(onExpired).toHaveBeenCalledOnce()
  })

  it('cancels the grace when a fresh token is set, and leaves no timer after clear', () => {
    vi.useFakeTimers({ now: 0 })
    const onGraceOver = vi.fn()
    const expiry = createTokenExpiry(500, { onExpired: () => undefined, onGraceOver })
    expiry.set(1000)
    vi.advanceTimersByTime(1200)
    expiry.set(10_000)
    expect(expiry.expired(1200)).toBe(false)
    vi.advanceTimersByTime(1000)
    expect(onGraceOver).not.toHaveBeenCalled()
    expiry.clear()
    expect(vi.getTimerCount()).toBe(0)
  })
})
