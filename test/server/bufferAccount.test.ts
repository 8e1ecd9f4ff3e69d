import { describe, expect, it } from 'vitest'
import { createBufferAccount, REPLAY_ALLOWANCE_FACTOR } from '../../src/server/bufferAccount'

const MAX = 1000

describe('createBufferAccount', () => {
  it('is over once more than maxBufferedBytes of live frames wait', () => {
    const account = createBufferAccount(MAX)
    expect(account.over(1000)).toBe(false)
    expect(account.over(1001)).toBe(true)
  })

  it('sets aside a replay until it is written out, and counts live frames behind it', () => {
    const account = createBufferAccount(MAX)
    account.replaySent(3000)
    // Nothing written out: 3000 of replay set aside, 900 live.
    expect(account.over(3900)).toBe(false)
    expect(account.over(4100)).toBe(true)
  })

  it('stops setting a replay aside once written out, whatever the buffer counts', () => {
    const account = createBufferAccount(MAX)
    const written = account.replaySent(3000)
    // With compression the buffer holds compressed bytes: 1,200 buffered, the replay not written
    // out yet, is still a replay draining, not a slow reader.
    expect(account.over(1200)).toBe(false)
    written()
    written() // a second call changes nothing
    expect(account.over(1200)).toBe(true)
  })

  it(`sets aside at most ${REPLAY_ALLOWANCE_FACTOR} × maxBufferedBytes of replays, however many joins ask`, () => {
    const account = createBufferAccount(MAX)
    for (let i = 0; i < 10; i++) account.replaySent(1000)
    expect(account.over(REPLAY_ALLOWANCE_FACTOR * MAX + MAX)).toBe(false)
    expect(account.over(10_000)).toBe(true)
  })

  it('with compression, live frames behind an unwritten replay are not taken for the replay', () => {
    const account = createBufferAccount(MAX)
    // 3,000 bytes of replay and 2,000 of live frames handed over (uncompressed); 1,500 buffered
    // once compressed, the replay not written out yet. "Sent minus buffered" took the whole
    // replay for drained (5,000 - 1,500 > 3,000) and dropped a client still reading it.
    account.replaySent(3000)
    expect(account.over(1500)).toBe(false)
  })
})
