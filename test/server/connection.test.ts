import { describe, expect, it } from 'vitest'
import { createMemoryHistory } from '../../src/server'
import type { HistoryStore } from '../../src/server'
import { framesOf, joinedAs, startServer } from './harness'

/** A history whose appends wait until `open()`, so frames pile up unanswered. */
function gatedHistory() {
  const memory = createMemoryHistory(100)
  let open = (): void => undefined
  const gate = new Promise<void>((resolve) => (open = resolve))
  const history: HistoryStore = {
    append: async (room, frame, key) => {
      await gate
      return memory.append(room, frame, key)
    },
    since: (room, afterSeq) => memory.since(room, afterSeq),
  }
  return { history, open: () => open() }
}

describe('server connection: maxInFlight', () => {
  it('refuses frames beyond maxInFlight with RATE_LIMITED and retryAfterMs 50, and takes them once the others are answered', async () => {
    const { history, open } = gatedHistory()
    const server = await startServer({ history, maxInFlight: 3, rateLimit: false })
    const alice = await joinedAs(server.url, 'alice', 'general')
    const sent = [0, 1, 2, 3, 4].map((i) =>
      alice.sendFrame('chat_message', { room: 'general', data: { content: `m${i}` } }),
    )
    // The first waits in the store, two wait behind it: the last two are refused at once.
    for (const refused of sent.slice(3)) {
      const error = await alice.nextOfType('error')
      expect(error.data).toEqual({
        code: 'RATE_LIMITED',
        message: 'more than 3 frames in flight; retry after 50 ms',
        retryAfterMs: 50,
        refId: refused.id,
      })
    }
    open()
    await alice.nextOfType('ack', (frame) => frame.data.refId === sent[2]?.id)
    alice.send({ ...(sent[3] as (typeof sent)[number]), timestamp: Date.now() })
    await alice.nextOfType('ack', (frame) => frame.data.refId === sent[3]?.id)
    expect(framesOf(alice, 'ack').map((ack) => ack.data.seq)).toEqual([1, 2, 3, 4])
  })

  it('still takes a ping while the limit is reached', async () => {
    const { history, open } = gatedHistory()
    const server = await startServer({ history, maxInFlight: 2, rateLimit: false })
    const alice = await joinedAs(server.url, 'alice', 'general')
    for (const content of ['a', 'b'])
      alice.sendFrame('chat_message', { room: 'general', data: { content } })
    const ping = alice.sendFrame('ping', { data: {} })
    open()
    await alice.nextOfType('pong', (frame) => frame.data.echo === ping.timestamp)
    expect(framesOf(alice, 'error')).toEqual([])
  })
})
