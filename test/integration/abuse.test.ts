import { afterEach, describe, expect, it } from 'vitest'
import { createRealtimeServer, signDevToken, type RealtimeServer } from '../../src/server'
import {
  churn,
  flood,
  newCounter,
  readSlowly,
  sendOversize,
  write,
  type Counter,
} from '../bench/abusers'
import { BENCH_SECRET } from '../bench/abuseServer'
import { createTestClient, type TestClient } from '../support/realtimeClient'

let server: RealtimeServer | undefined
const clients: TestClient[] = []

afterEach(async () => {
  for (const client of clients.splice(0)) client.dispose()
  await server?.close()
  server = undefined
})

async function control(url: string, userId: string): Promise<TestClient> {
  const c = await createTestClient(url, userId, {
    authToken: await signDevToken(BENCH_SECRET, userId),
    reconnectInterval: 50,
    maxReconnectDelay: 200,
  })
  clients.push(c)
  c.store.dispatch(c.actions.connect())
  c.store.dispatch(c.actions.joinRoom('control'))
  await c.waitForRoom('control')
  return c
}

const seen = (counter: Counter, code: number) => counter.closes.get(code) ?? 0

describe('abusive clients against the default limits', () => {
  it("bounds every abuser while a control client's messages keep flowing, each delivered once", async () => {
    // Default limits: nothing here is tuned for the test.
    server = await createRealtimeServer({
      port: 0,
      host: '127.0.0.1',
      jwt: { secret: BENCH_SECRET },
    })
    const { url } = server
    const sender = await control(url, 'control-a')
    const receiver = await control(url, 'control-b')

    let stop = false
    const stopped = () => stop
    const counters = {
      flood: newCounter(),
      slow: newCounter(),
      churn: newCounter(),
      oversize: newCounter(),
    }
    const abusers = [
      flood(url, stopped, counters.flood),
      ...Array.from({ length: 3 }, (_, i) => write(url, `writer-${i}`, 'busy', stopped)),
      readSlowly(url, 'busy', stopped, counters.slow),
      churn(url, 20, stopped, counters.churn),
      sendOversize(url, 64 * 1024, stopped, counters.oversize),
    ]

    const ids: string[] = []
    try {
      // Sequential sends, one every 100 ms for 3 s of abuse: each must be acked (no timing asserted).
      for (let i = 0; i < 30; i++) {
        await new Promise((r) => setTimeout(r, 100))
        const { id } = sender.store.dispatch(
          sender.actions.sendChatMessage({ room: 'control', content: `control ${i}` }),
        ).payload
        ids.push(id)
        await sender.waitFor(
          (s) => sender.selectors.selectPendingMessages(s).length === 0,
          20_000,
          `control ${i} acked`,
        )
      }
      await receiver.waitFor(
        (s) => receiver.selectors.selectMessagesByRoom(s, 'control').length === 30,
      )
    } finally {
      stop = true
      await Promise.allSettled(abusers)
    }
    expect(receiver.messages('control').map((m) => m.id)).toEqual(ids)
    expect(sender.messages('control').every((m) => m.status === 'sent')).toBe(true)
    // Each abuser met its limit (the slow reader's drop takes longer: test/server/outbound.test.ts).
    expect(seen(counters.flood, 4008)).toBeGreaterThan(0)
    expect(seen(counters.churn, 4029)).toBeGreaterThan(0)
    expect(seen(counters.oversize, 4001) + seen(counters.oversize, 1009)).toBeGreaterThan(0)
    // The control clients were never closed by any of it.
    for (const c of [sender, receiver]) {
      expect(c.dispatched.filter((a) => a.type === 'realtime/connection/closed')).toEqual([])
    }
  })
})
