import { Redis } from 'ioredis'
import { afterEach, describe, expect, it } from 'vitest'
import type { Frame } from '../../src/protocol'
import { createId } from '../../src/protocol'
import { createRedisHistory } from '../../src/server/redis/history'
import type { RawClient } from '../support/rawClient'
import { useRedisServer } from '../support/redisServer'
import { connectAs, join, startServer } from './harness'

const redisServer = useRedisServer()
const clients: Redis[] = []
afterEach(async () => {
  await Promise.all(clients.splice(0).map((redis) => redis.quit().catch(() => undefined)))
})

/** A server process's worth of Redis history: its own connection, the test's key prefix. */
function redisHistory(prefix: string) {
  const redis = new Redis(redisServer.current.url)
  clients.push(redis)
  return createRedisHistory({ redis, historySize: 1000, prefix })
}

/** Chat [content, seq] pairs received, replayed batches included, in arrival order. */
function chats(frames: Frame[]): Array<[string, number | undefined]> {
  return frames.flatMap((frame): Array<[string, number | undefined]> => {
    if (frame.type === 'batch') return chats(frame.data.frames)
    return frame.type === 'chat_message' ? [[frame.data.content, frame.seq]] : []
  })
}

async function say(client: RawClient, contents: string[]): Promise<number[]> {
  const seqs: number[] = []
  for (const content of contents) {
    const sent = client.sendFrame('chat_message', { room: 'general', data: { content } })
    const ack = await client.nextOfType('ack', (frame) => frame.data.refId === sent.id)
    seqs.push(ack.data.seq ?? -1)
  }
  return seqs
}

describe('two servers on one Redis history (no broker: replay on join only)', () => {
  it("numbers one room's messages continuously across both and replays all of them on either", async () => {
    const prefix = `t${createId(8)}:`
    const a = await startServer({ history: redisHistory(prefix) })
    const b = await startServer({ history: redisHistory(prefix) })
    const alice = await connectAs(a.url, 'alice')
    const bob = await connectAs(b.url, 'bob')
    const onA = await join(alice, 'general')
    const onB = await join(bob, 'general')
    // One stream, one epoch, whichever process answers; auth_ok still names each process.
    expect(onB.data.epoch).toBe(onA.data.epoch)
    expect(onA.data.epoch).not.toBe(a.epoch)
    expect(a.epoch).not.toBe(b.epoch)
    expect(await say(alice, ['a1', 'a2'])).toEqual([1, 2])
    expect(await say(bob, ['b1'])).toEqual([3])
    expect(await say(alice, ['a3'])).toEqual([4])

    for (const server of [a, b]) {
      const carol = await connectAs(server.url, 'carol')
      const joined = await join(carol, 'general', { epoch: onA.data.epoch, seq: 1 })
      expect(joined.data).toMatchObject({ fromSeq: 1, headSeq: 4, resumed: true, gap: false })
      await carol.nextOfType('batch')
      expect(chats(carol.received)).toEqual([
        ['a2', 2],
        ['b1', 3],
        ['a3', 4],
      ])
    }
  })

  it('acks a repeat sent to the other server with the original seq, storing nothing new', async () => {
    const prefix = `t${createId(8)}:`
    const a = await startServer({ history: redisHistory(prefix) })
    const b = await startServer({ history: redisHistory(prefix) })
    const alice = await connectAs(a.url, 'alice')
    await join(alice, 'general')
    expect(await say(alice, ['before'])).toEqual([1])
    const sent = alice.sendFrame('chat_message', { room: 'general', data: { content: 'once' } })
    const first = await alice.nextOfType('ack', (frame) => frame.data.refId === sent.id)
    // The same device reconnects to the other process and resends (its ack was lost).
    const again = await connectAs(b.url, 'alice')
    const joined = await join(again, 'general')
    again.sendFrame('chat_message', { id: sent.id, room: 'general', data: { content: 'once' } })
    const second = await again.nextOfType('ack', (frame) => frame.data.refId === sent.id)
    expect([first.data.seq, second.data.seq]).toEqual([2, 2])
    const bob = await connectAs(b.url, 'bob')
    const view = await join(bob, 'general', { epoch: joined.data.epoch, seq: 0 })
    expect(view.data.headSeq).toBe(2)
    await bob.nextOfType('batch')
    expect(chats(bob.received)).toEqual([
      ['before', 1],
      ['once', 2],
    ])
  })
})
