import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createId } from '../../src/protocol'
import { createRedisHistory } from '../../src/server/redis/history'
import type { RedisHistoryOptions } from '../../src/server/redis/history'
import type { HistoryStore } from '../../src/server'
import { useRedisServer } from '../support/redisServer'
import { chatFrame, describeHistoryStore } from './historyStoreCases'

const redisServer = useRedisServer()
const clients: Redis[] = []

/** A client of the test's Redis, quit after the file. */
function client(): Redis {
  const redis = new Redis(redisServer.current.url, { maxRetriesPerRequest: 50 })
  clients.push(redis)
  return redis
}

let shared: Redis
beforeAll(() => {
  shared = client()
})
afterAll(async () => {
  await Promise.all(clients.splice(0).map((redis) => redis.quit().catch(() => undefined)))
})

/** A store on the shared client with a prefix of its own, so each test starts empty. */
const fresh = (historySize: number, extra: Partial<RedisHistoryOptions> = {}) =>
  createRedisHistory({ redis: shared, historySize, prefix: `t${createId(8)}:`, ...extra })

describeHistoryStore('createRedisHistory', { make: fresh, namesEpochs: true, propertyRuns: 40 })

describe('createRedisHistory', () => {
  it('gives two instances appending to one stream at once a continuous seq with no duplicates', async () => {
    const prefix = `t${createId(8)}:`
    const a = createRedisHistory({ redis: client(), historySize: 5000, prefix })
    const b = createRedisHistory({ redis: client(), historySize: 5000, prefix })
    const writes = (history: HistoryStore, who: string) =>
      Promise.all(
        Array.from({ length: 1000 }, async (_, i) =>
          history.append('general', chatFrame(`${who}${i}`), `${who}\u0000${who}${i}`),
        ),
      )
    const [fromA, fromB] = await Promise.all([writes(a, 'a'), writes(b, 'b')])
    const seqs = [...fromA, ...fromB].map((result) => result.seq).sort((x, y) => x - y)
    expect(seqs).toEqual(Array.from({ length: 2000 }, (_, i) => i + 1))
    expect([...fromA, ...fromB].some((result) => result.duplicate || result.conflict)).toBe(false)
    const view = await a.since('general', 0)
    expect(view.frames.map((frame) => frame.seq)).toEqual(seqs)
    expect(new Set(view.frames.map((frame) => frame.id)).size).toBe(2000)
    expect(new Set([...fromA, ...fromB].map((result) => result.epoch))).toEqual(
      new Set([view.epoch]),
    )
  })

  it('takes a repeat sent after the first instance died as a duplicate, in the same epoch', async () => {
    const prefix = `t${createId(8)}:`
    const firstClient = client()
    const first = createRedisHistory({ redis: firstClient, historySize: 100, prefix })
    await first.append('general', chatFrame('m1'), 'alice\u0000m1')
    const original = await first.append('general', chatFrame('m2'), 'alice\u0000m2')
    await firstClient.quit()
    const second = createRedisHistory({ redis: client(), historySize: 100, prefix })
    const repeat = await second.append('general', chatFrame('m2'), 'alice\u0000m2')
    expect(repeat).toEqual({ ...original, duplicate: true })
    expect(await second.since('general', 1)).toMatchObject({
      epoch: original.epoch,
      headSeq: 2,
      frames: [original.frame],
    })
    expect((await second.append('general', chatFrame('m3'), 'alice\u0000m3')).seq).toBe(3)
  })

  it('reports what MAXLEN trimmed away: firstSeq moves past it and nothing older is replayed', async () => {
    const redis = client()
    const prefix = `t${createId(8)}:`
    const history = createRedisHistory({ redis, historySize: 10, prefix })
    for (let i = 0; i < 300; i++) await history.append('general', chatFrame(`m${i}`), `k${i}`)
    // Trimming is by whole nodes (100 entries by default): the log really lost old entries.
    expect(await redis.xlen(`${prefix}{general}:log`)).toBeLessThan(300)
    const view = await history.since('general', 5)
    expect(view).toMatchObject({ firstSeq: 291, headSeq: 300 })
    expect(view.frames.map((frame) => frame.seq)).toEqual(
      Array.from({ length: 10 }, (_, i) => 291 + i),
    )
    // A log emptied behind the store's back leaves no partial replay either.
    await redis.xtrim(`${prefix}{general}:log`, 'MAXLEN', 0)
    expect(await history.since('general', 295)).toMatchObject({
      frames: [],
      firstSeq: 301,
      headSeq: 300,
    })
  })

  it('starts a new epoch, with no old frames, when the stream state is gone', async () => {
    const redis = client()
    const prefix = `t${createId(8)}:`
    const history = createRedisHistory({ redis, historySize: 10, prefix })
    const before = await history.append('general', chatFrame('m1'), 'k1')
    await redis.del(`${prefix}{general}:meta`)
    const after = await history.append('general', chatFrame('m2'), 'k2')
    expect(after).toMatchObject({ seq: 1, duplicate: false })
    expect(after.epoch).not.toBe(before.epoch)
    expect((await history.since('general', 0)).frames.map((frame) => frame.id)).toEqual(['m2'])
  })

  it('keeps every room name to its own keys: braces, percent signs and look-alikes', async () => {
    const redis = client()
    const prefix = `t${createId(8)}:`
    const history = createRedisHistory({ redis, historySize: 10, prefix })
    const rooms = ['a', 'a}:log', '{a}', '%7Ba%7D', 'a}:key:k', 'a:meta', '}', '{', '%']
    for (const [i, room] of rooms.entries())
      await history.append(room, chatFrame(`m${i}`, room), 'k')
    for (const [i, room] of rooms.entries()) {
      const view = await history.since(room, 0)
      expect(view.frames.map((frame) => [frame.id, frame.seq])).toEqual([[`m${i}`, 1]])
    }
    // Every key carries one hash tag with no brace inside: one cluster slot per stream.
    const keys = await redis.keys(`${prefix}*`)
    expect(keys.length).toBeGreaterThan(0)
    for (const key of keys) expect(key.slice(prefix.length)).toMatch(/^\{[^{}]*\}:/)
  })

  it('holds an append made while Redis is paused (CLIENT PAUSE) and completes it after', async () => {
    const history = fresh(10)
    expect((await history.append('general', chatFrame('m1'), 'k1')).seq).toBe(1)
    await redisServer.current.pause(300)
    const during = history.append('general', chatFrame('m2'), 'k2')
    expect(await during).toMatchObject({ seq: 2, duplicate: false })
    expect((await history.since('general', 0)).headSeq).toBe(2)
  })

  it('keeps appending after SCRIPT FLUSH and after a Redis restart (the script is sent again)', async () => {
    const redis = client()
    const prefix = `t${createId(8)}:`
    const history = createRedisHistory({ redis, historySize: 100, prefix })
    expect((await history.append('general', chatFrame('m1'), 'k1')).seq).toBe(1)
    expect(await redisServer.current.command('SCRIPT', 'FLUSH')).toBe('+OK')
    expect((await history.append('general', chatFrame('m2'), 'k2')).seq).toBe(2)
    const epoch = (await history.since('general', 0)).epoch
    // Sent while Redis is down: ioredis holds the command and sends it once reconnected.
    await redisServer.current.stop()
    const during = history.append('general', chatFrame('m3'), 'k3')
    await redisServer.current.start()
    const afterRestart = await during
    // Persistence is off: the restarted Redis is empty, so the stream starts a new epoch.
    expect(afterRestart.seq).toBe(1)
    expect(afterRestart.epoch).not.toBe(epoch)
    expect((await history.append('general', chatFrame('m4'), 'k4')).seq).toBe(2)
    expect((await history.since('general', 0)).frames.map((frame) => frame.id)).toEqual([
      'm3',
      'm4',
    ])
  })

  it("sets the TTL of a stream's keys again on every append (streamTtlMs), and only then", async () => {
    const redis = client()
    const prefix = `t${createId(8)}:`
    const history = createRedisHistory({
      redis,
      historySize: 10,
      prefix,
      streamTtlMs: 60_000,
      dedupeTtlMs: 1000,
    })
    const meta = `${prefix}{general}:meta`
    const log = `${prefix}{general}:log`
    // A read that creates the stream gives it the TTL too (a joined room nobody writes to).
    await history.since('general', 0)
    expect(await redis.pttl(meta)).toBeGreaterThan(50_000)
    await history.append('general', chatFrame('m1'), 'k1')
    for (const key of [meta, log]) expect(await redis.pttl(key)).toBeGreaterThan(50_000)
    // Shortened by hand: an append puts the whole TTL back, a read does not.
    await redis.pexpire(meta, 5000)
    await redis.pexpire(log, 5000)
    await history.since('general', 0)
    for (const key of [meta, log]) expect(await redis.pttl(key)).toBeLessThanOrEqual(5000)
    await history.append('general', chatFrame('m2'), 'k2')
    for (const key of [meta, log]) expect(await redis.pttl(key)).toBeGreaterThan(50_000)

    // 0: kept for ever.
    const forever = createRedisHistory({ redis, historySize: 10, prefix, streamTtlMs: 0 })
    await forever.append('kept', chatFrame('m1'), 'k1')
    expect(await redis.pttl(`${prefix}{kept}:meta`)).toBe(-1)
    expect(await redis.pttl(`${prefix}{kept}:log`)).toBe(-1)
  })

  it('refuses options it cannot honour, saying which', () => {
    expect(() => createRedisHistory({ redis: shared, historySize: -1 })).toThrow(/historySize/)
    expect(() => createRedisHistory({ redis: shared, historySize: 1, prefix: 'a{' })).toThrow(
      /prefix must hold no/,
    )
    expect(() => createRedisHistory({ redis: shared, historySize: 1, dedupeTtlMs: 0 })).toThrow(
      /dedupeTtlMs/,
    )
    expect(() =>
      createRedisHistory({ redis: shared, historySize: 1, streamTtlMs: 10, dedupeTtlMs: 20 }),
    ).toThrow(
      /streamTtlMs must be 0 \(keep streams for ever\) or an integer of at least dedupeTtlMs/,
    )
  })
})
