import { describe, expect, it } from 'vitest'
import { createBufferAccount, REPLAY_ALLOWANCE_FACTOR } from '../../src/server/bufferAccount'

const MAX = 1000

describe('createBufferAccount', () => {
  it('is over once more than maxBufferedBytes of live frames wait', () => {
    const account = createBufferAccount(MAX)
    account.sent(1500, false)
    expect(account.over(1000)).toBe(false)
    expect(account.over(1001)).toBe(true)
  })

  it('sets aside the undrained part of a replay, and counts live frames behind it', () => {
    const account = createBufferAccount(MAX)
    account.sent(3000, true)
    account.sent(900, false)
    // Nothing drained: 3000 of replay set aside, 900 live.
    expect(account.over(3900)).toBe(false)
    account.sent(200, false)
    expect(account.over(4100)).toBe(true)
  })

  it('stops setting a replay aside as it drains', () => {
    const account = createBufferAccount(MAX)
    account.sent(3000, true)
    account.sent(1200, false)
    // 3000 drained: the replay is read, the 1200 live bytes are what waits.
    expect(account.over(1200)).toBe(true)
  })

  it(`sets aside at most ${REPLAY_ALLOWANCE_FACTOR} × maxBufferedBytes of replays, however many joins ask`, () => {
    const account = createBufferAccount(MAX)
    for (let i = 0; i < 10; i++) account.sent(1000, true)
    expect(account.over(REPLAY_ALLOWANCE_FACTOR * MAX + MAX)).toBe(false)
    expect(account.over(10_000)).toBe(true)
  })
})
