import { describe, expect, it } from 'vitest'
import { makeFrame } from '../../src/protocol'
import {
  AUTH_BUDGET,
  CONTROL_BUDGET,
  createFrameBudget,
  frameKind,
} from '../../src/server/frameBudget'
import { tokenFor } from '../support/tokens'
import { connect, connectAs, framesOf, joinedAs, roundTrip, startServer } from './harness'

describe('createFrameBudget', () => {
  it('charges ping and pong to the control budget, auth to its own, everything else to rateLimit', () => {
    expect(['ping', 'pong'].map(frameKind)).toEqual(['control', 'control'])
    expect(frameKind('auth')).toBe('auth')
    expect(['chat_message', 'join', 'batch', undefined].map(frameKind)).toEqual([
      'flow',
      'flow',
      'flow',
      'flow',
    ])
  })

  it('never refuses a client pinging every 100 ms and refreshing its 2 s token at 80 %, for an hour', () => {
    const budget = createFrameBudget({ messages: 100, perMs: 10_000 })
    for (let now = 0; now < 3_600_000; now += 100) {
      expect(budget.take('control', now)).toEqual({ allowed: true })
      if (now % 1600 === 0) expect(budget.take('auth', now)).toEqual({ allowed: true })
    }
  })

  it('keeps ping, pong and auth bounded when rateLimit is false', () => {
    const budget = createFrameBudget(false)
    expect(budget.take('flow', 0)).toEqual({ allowed: true })
    const pings = Array.from({ length: 100 }, () => budget.take('control', 0))
    expect(pings.filter((d) => d.allowed)).toHaveLength(CONTROL_BUDGET.messages)
    const auths = Array.from({ length: 100 }, () => budget.take('auth', 0))
    expect(auths.filter((d) => d.allowed)).toHaveLength(AUTH_BUDGET.messages)
    expect(auths.at(-1)).toMatchObject({ allowed: false, abusive: true })
  })
})

describe('server frame budget', () => {
  it('answers a flood of 2,000 pings with at most a budget of pongs and closes it with 4008, leaving others alone', async () => {
    const server = await startServer()
    const flooder = await connectAs(server.url, 'eve')
    const bystander = await joinedAs(server.url, 'bob', 'general')
    const ping = JSON.stringify(makeFrame('ping', { data: {} }))
    for (let i = 0; i < 2000; i++) flooder.send(ping)
    expect((await flooder.closed).code).toBe(4008)
    // Refusals skip the queue, so the close may come before even the admitted pings are answered.
    expect(framesOf(flooder, 'pong').length).toBeLessThanOrEqual(CONTROL_BUDGET.messages)
    const refused = framesOf(flooder, 'error').filter((e) => e.data.code === 'RATE_LIMITED')
    expect(refused.length).toBeLessThanOrEqual(2 * CONTROL_BUDGET.messages + 1)
    expect(refused[0]?.data.message).toMatch(/too many ping frames; retry after \d+ ms/)
    await roundTrip(bystander)
  })

  it('answers a flood of 300 token refreshes with at most 10 auth_oks and closes it with 4008', async () => {
    const server = await startServer()
    const client = await connectAs(server.url, 'alice')
    const auth = JSON.stringify(makeFrame('auth', { data: { token: await tokenFor('alice') } }))
    for (let i = 0; i < 300; i++) client.send(auth)
    expect((await client.closed).code).toBe(4008)
    expect(framesOf(client, 'auth_ok').length).toBeLessThanOrEqual(AUTH_BUDGET.messages)
  })

  it('counts pong frames against the control budget too', async () => {
    const server = await startServer()
    const client = await connectAs(server.url, 'eve')
    const pong = JSON.stringify(makeFrame('pong', { data: { echo: 1 } }))
    for (let i = 0; i < 200; i++) client.send(pong)
    expect((await client.closed).code).toBe(4008)
    const errors = framesOf(client, 'error').map((e) => e.data.code)
    const answered = errors.filter((code) => code === 'INVALID_FRAME')
    expect(answered.length).toBeLessThanOrEqual(CONTROL_BUDGET.messages)
    expect(errors).toContain('RATE_LIMITED')
  })

  it('refuses a ping over its budget with RATE_LIMITED and retryAfterMs, and answers pings again once refilled', async () => {
    const server = await startServer()
    const client = await connect(server.url)
    await client.authenticate(await tokenFor('alice'))
    const sent = Array.from({ length: CONTROL_BUDGET.messages + 1 }, () =>
      client.sendFrame('ping', { data: {} }),
    )
    const refusal = await client.nextOfType('error')
    expect(refusal.data).toMatchObject({ code: 'RATE_LIMITED', refId: sent.at(-1)?.id })
    const wait = refusal.data.retryAfterMs ?? 0
    expect(wait).toBeGreaterThan(0)
    await new Promise((resolve) => setTimeout(resolve, wait + 20))
    await roundTrip(client)
  })
})
