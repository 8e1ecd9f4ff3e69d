import { describe, expect, it } from 'vitest'
import { createRateLimiter } from '../../src/server/rateLimit'
import { joinedAs, startServer } from './harness'

describe('createRateLimiter', () => {
  it('allows `messages` per window and says when the window ends', () => {
    const limiter = createRateLimiter({ messages: 2, perMs: 1000 })
    expect(limiter.take(0)).toEqual({ allowed: true })
    expect(limiter.take(100)).toEqual({ allowed: true })
    expect(limiter.take(400)).toEqual({ allowed: false, retryAfterMs: 600, abusive: false })
    expect(limiter.take(1000)).toEqual({ allowed: true })
  })

  it('flags a client that keeps sending past three times the limit', () => {
    const limiter = createRateLimiter({ messages: 2, perMs: 1000 })
    const decisions = Array.from({ length: 7 }, () => limiter.take(0))
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, false, false, false, false, false])
    expect(decisions.map((d) => !d.allowed && d.abusive)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
      true,
    ])
  })
})

describe('server rate limit', () => {
  it('refuses frames over the limit with RATE_LIMITED and retryAfterMs, and drops them', async () => {
    const server = await startServer({ rateLimit: { messages: 3, perMs: 60_000 } })
    // joining used one frame of the window
    const alice = await joinedAs(server.url, 'alice', 'general')
    const sent = [1, 2, 3].map((i) =>
      alice.sendFrame('chat_message', { room: 'general', data: { content: `m${i}` } }),
    )
    const error = await alice.nextOfType('error')
    expect(error.data).toMatchObject({ code: 'RATE_LIMITED', refId: sent[2]?.id })
    expect(error.data.retryAfterMs).toBeGreaterThan(0)
    expect(error.data.retryAfterMs).toBeLessThanOrEqual(60_000)
    alice.sendFrame('ping', { data: {} })
    await alice.nextOfType('pong')
    const acks = alice.received.filter((frame) => frame.type === 'ack')
    expect(acks.map((ack) => ack.type === 'ack' && ack.data.seq)).toEqual([1, 2])
  })

  it('exempts ping and auth', async () => {
    const server = await startServer({ rateLimit: { messages: 1, perMs: 60_000 } })
    const alice = await joinedAs(server.url, 'alice', 'general')
    for (let i = 0; i < 10; i++) alice.sendFrame('ping', { data: {} })
    await alice.nextOfType(
      'pong',
      () => alice.received.filter((f) => f.type === 'pong').length === 10,
    )
    expect(alice.received.some((frame) => frame.type === 'error')).toBe(false)
  })

  it('closes with 4008 a client that keeps sending far past the limit, leaving others alone', async () => {
    const server = await startServer({ rateLimit: { messages: 5, perMs: 60_000 } })
    const flooder = await joinedAs(server.url, 'eve', 'general')
    const bystander = await joinedAs(server.url, 'bob', 'general')
    for (let i = 0; i < 30; i++)
      flooder.sendFrame('chat_message', { room: 'general', data: { content: 'x' } })
    expect((await flooder.closed).code).toBe(4008)
    const sent = bystander.sendFrame('chat_message', {
      room: 'general',
      data: { content: 'still here' },
    })
    await bystander.nextOfType('ack', (frame) => frame.data.refId === sent.id)
  })
})
