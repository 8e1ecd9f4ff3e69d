import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createTokenBucket } from '../../src/protocol/tokenBucket'
import { createRateLimiter } from '../../src/server/rateLimit'
import { tokenFor } from '../support/tokens'
import { connect, framesOf, join, joinedAs, startServer } from './harness'

describe('createRateLimiter', () => {
  it('allows a burst of `messages`, then one more each time a token refills', () => {
    const limiter = createRateLimiter({ messages: 2, perMs: 1000 })
    expect(limiter.take(0)).toEqual({ allowed: true })
    expect(limiter.take(100)).toEqual({ allowed: true })
    // 0.2 tokens refilled by 100 ms: one token is 400 ms away.
    expect(limiter.take(100)).toEqual({ allowed: false, retryAfterMs: 400, abusive: false })
    expect(limiter.take(500)).toEqual({ allowed: true })
    expect(limiter.take(500)).toEqual({ allowed: false, retryAfterMs: 500, abusive: false })
    expect(limiter.take(2000)).toEqual({ allowed: true })
    expect(limiter.take(2000)).toEqual({ allowed: true })
  })

  it('flags a client that is refused more than 2 × messages times in a burst', () => {
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

  it('counts refusals for other reasons towards the same threshold', () => {
    const limiter = createRateLimiter({ messages: 2, perMs: 1000 })
    expect([1, 2, 3, 4].map(() => limiter.refuse(0))).toEqual([false, false, false, false])
    expect(limiter.refuse(0)).toBe(true)
  })

  it('never flags a client that backs off after each refusal, however long it keeps going', () => {
    const limiter = createRateLimiter({ messages: 5, perMs: 1000 })
    let now = 0
    for (let i = 0; i < 1000; i++) {
      const decision = limiter.take(now)
      if (!decision.allowed) {
        expect(decision.abusive).toBe(false)
        now += decision.retryAfterMs
      }
    }
  })

  it('never refuses a client pacing itself with a slightly smaller bucket, whatever the jitter', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 200 }),
        fc.integer({ min: 100, max: 60_000 }),
        fc.array(fc.tuple(fc.nat(2000), fc.double({ min: 0, max: 1, noNaN: true })), {
          minLength: 1,
          maxLength: 300,
        }),
        (messages, perMs, plan) => {
          // The client's bucket: 90% of the stated limit, as a client leaving room for jitter.
          const client = createTokenBucket({ capacity: messages * 0.9, perMs })
          const server = createRateLimiter({ messages, perMs })
          // Arrival jitter the 10% margin absorbs: up to (capacity - client's) / client's rate.
          const maxDelay = ((messages * 0.1) / (messages * 0.9)) * perMs
          let sentAt = 0
          let arrivedAt = 0
          for (const [pause, delay] of plan) {
            sentAt += pause
            sentAt += client.waitMs(sentAt)
            expect(client.take(sentAt)).toBe(true)
            // In order on one socket: never before the previous frame.
            arrivedAt = Math.max(arrivedAt, sentAt + delay * maxDelay)
            expect(server.take(arrivedAt)).toEqual({ allowed: true })
          }
        },
      ),
    )
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
    // One token of 3 per minute: 20 s at most.
    expect(error.data.retryAfterMs).toBeLessThanOrEqual(20_000)
    alice.sendFrame('ping', { data: {} })
    await alice.nextOfType('pong')
    const acks = alice.received.filter((frame) => frame.type === 'ack')
    expect(acks.map((ack) => ack.type === 'ack' && ack.data.seq)).toEqual([1, 2])
  })

  it('never refuses a client that paces itself with a smaller bucket built from auth_ok', async () => {
    const server = await startServer({ rateLimit: { messages: 20, perMs: 200 } })
    const alice = await connect(server.url)
    const { rateLimit } = (await alice.authenticate(await tokenFor('alice'))).data
    const { messages = 1, perMs = 1 } = rateLimit ?? {}
    // Half the burst and 90% of the rate: room for the event loop's jitter.
    const capacity = messages / 2
    const bucket = createTokenBucket({ capacity, perMs: capacity / ((0.9 * messages) / perMs) })
    const paced = async () => {
      await new Promise((resolve) => setTimeout(resolve, bucket.waitMs(Date.now())))
      bucket.take(Date.now())
    }
    await paced()
    await join(alice, 'general')
    for (let i = 0; i < 60; i++) {
      await paced()
      const sent = alice.sendFrame('chat_message', { room: 'general', data: { content: `m${i}` } })
      await alice.nextOfType('ack', (frame) => frame.data.refId === sent.id)
    }
    expect(framesOf(alice, 'error')).toEqual([])
  })

  it('does not charge ping and auth to rateLimit: they have budgets of their own', async () => {
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
