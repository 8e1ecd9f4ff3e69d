import { describe, expect, it } from 'vitest'
import { createMemoryHistory } from '../../src/server'
import { retryDelay } from '../../src/server/serverWrites'
import type { HistoryStore } from '../../src/server'
import type { RawClient } from '../support/rawClient'
import { framesOf, joinedAs, quietLogger, roundTrip, startServer } from './harness'

/**
 * What the server appends itself (`notify`, `publishEvent`'s updates, reminders) while the
 * history store fails or hangs: queued per stream, tried again with backoff, stored once and in
 * order when the store is back — never logged and lost.
 */

/**
 * 'landsLate': the append is made, but its answer comes after the server's timeout (once; then
 * 'ok'), as a Redis reply that outlives `historyStoreTimeoutMs`.
 */
type Mode = 'ok' | 'fail' | 'hang' | 'landsLate'

/** The memory history, failing on demand for every stream or only for those in `failing`. */
function flakyHistory() {
  const inner = createMemoryHistory(100)
  const state = {
    append: 'ok' as Mode,
    /** Streams whose appends fail whatever `append` says. */
    failing: new Set<string>(),
    /** Appends that reached the gate (tries), and those that reached the memory store. */
    tries: 0,
    appends: 0,
  }
  const store: HistoryStore = {
    append(room, frame, key) {
      state.tries++
      const mode = state.failing.has(room) ? 'fail' : state.append
      if (mode === 'fail') return Promise.reject(new Error('store unavailable'))
      if (mode === 'hang') return new Promise(() => {})
      state.appends++
      const result = inner.append(room, frame, key)
      if (mode === 'ok') return result
      state.append = 'ok'
      return new Promise((resolve) => setTimeout(() => resolve(result), 200))
    },
    since: (room, afterSeq) => inner.since(room, afterSeq),
    conflicts: (room, id, key) => inner.conflicts?.(room, id, key) ?? false,
  }
  return { store, state, inner }
}

/** Polls `condition` every 10 ms, at most 500 times. */
async function eventually(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (condition()) return
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  throw new Error(`never happened: ${what}`)
}

const FAST = { retryBaseMs: 10, retryCapMs: 40, closeGraceMs: 200 }

/** [id, title, seq] of the notifications a client received, in arrival order. */
const notifications = (client: RawClient) =>
  framesOf(client, 'notification').map((frame) => [frame.id, frame.data.title, frame.seq])

/** [id, title, seq] of what the store holds for a stream. */
async function storedNotifications(history: HistoryStore, stream: string) {
  const { frames } = await history.since(stream, 0)
  return frames.map((frame) => [
    frame.id,
    frame.type === 'notification' ? frame.data.title : frame.type,
    frame.seq,
  ])
}

describe("the server's own appends while the history store is down", () => {
  it('stores a notification made while appends fail once the store is back, and the connected user gets it once', async () => {
    const { store, state, inner } = flakyHistory()
    const logger = quietLogger()
    const server = await startServer({ history: store, logger, serverWrites: FAST })
    const alice = await joinedAs(server.url, 'alice', 'user:alice')

    state.append = 'fail'
    const id = server.notify('alice', { title: 'Build finished' })
    await eventually(() => state.tries >= 3, 'three failed tries')
    expect(state.appends).toBe(0)
    expect(logger.logged.some((line) => /tried again until it does/.test(line))).toBe(true)

    state.append = 'ok'
    await eventually(() => notifications(alice).length > 0, 'the notification')
    await roundTrip(alice)
    expect(notifications(alice)).toEqual([[id, 'Build finished', 1]])
    expect(await storedNotifications(inner, 'user:alice')).toEqual([[id, 'Build finished', 1]])
  })

  it("keeps one user's notifications in order across a failure", async () => {
    const { store, state, inner } = flakyHistory()
    const server = await startServer({ history: store, serverWrites: FAST })
    const alice = await joinedAs(server.url, 'alice', 'user:alice')
    const before = server.notify('alice', { title: 'n0' })
    await eventually(() => notifications(alice).length === 1, 'n0')

    state.append = 'fail'
    const ids = [1, 2, 3, 4, 5].map((n) => server.notify('alice', { title: `n${n}` }))
    await eventually(() => state.tries >= 4, 'failed tries')
    state.append = 'ok'
    await eventually(() => notifications(alice).length === 6, 'all six')

    const expected = [before, ...ids].map((id, n) => [id, `n${n}`, n + 1])
    expect(notifications(alice)).toEqual(expected)
    expect(await storedNotifications(inner, 'user:alice')).toEqual(expected)
  })

  it("stores another user's notification at once while one user's stream fails", async () => {
    const { store, state, inner } = flakyHistory()
    const server = await startServer({ history: store, serverWrites: FAST })
    const bob = await joinedAs(server.url, 'bob', 'user:bob')

    state.failing.add('user:alice')
    const forAlice = server.notify('alice', { title: 'for alice' })
    await eventually(() => state.tries >= 2, "alice's failed tries")
    const forBob = server.notify('bob', { title: 'for bob' })
    await eventually(() => notifications(bob).length === 1, "bob's notification")
    expect(notifications(bob)).toEqual([[forBob, 'for bob', 1]])
    expect(await storedNotifications(inner, 'user:alice')).toEqual([])

    state.failing.clear()
    await eventually(() => state.appends === 2, "alice's notification stored")
    expect(await storedNotifications(inner, 'user:alice')).toEqual([[forAlice, 'for alice', 1]])
  })

  it('does not double a notification whose append landed after the server stopped waiting; the connected user gets it once', async () => {
    const { store, state, inner } = flakyHistory()
    const server = await startServer({
      history: store,
      historyStoreTimeoutMs: 50,
      serverWrites: FAST,
    })
    const alice = await joinedAs(server.url, 'alice', 'user:alice')

    state.append = 'landsLate'
    const id = server.notify('alice', { title: 'once' })
    // The late try and the one after it (a duplicate of the stored frame, acked with its seq).
    await eventually(() => notifications(alice).length > 0, 'the notification')
    expect(state.appends).toBeGreaterThanOrEqual(2)
    const marker = server.notify('alice', { title: 'marker' })
    await eventually(() => notifications(alice).length === 2, 'the marker')
    expect(notifications(alice)).toEqual([
      [id, 'once', 1],
      [marker, 'marker', 2],
    ])
    expect(await storedNotifications(inner, 'user:alice')).toEqual([
      [id, 'once', 1],
      [marker, 'marker', 2],
    ])
  })

  it('stores a notification whose appends hang (historyStoreTimeoutMs) once the store answers again', async () => {
    const { store, state, inner } = flakyHistory()
    const server = await startServer({
      history: store,
      historyStoreTimeoutMs: 30,
      serverWrites: FAST,
    })
    state.append = 'hang'
    const id = server.notify('alice', { title: 'after the hang' })
    await eventually(() => state.tries >= 2, 'two hung tries')
    state.append = 'ok'
    await eventually(() => state.appends === 1, 'stored')
    expect(await storedNotifications(inner, 'user:alice')).toEqual([[id, 'after the hang', 1]])
  })

  it("appends publishEvent's updates and its reminder to every subscriber once the store is back", async () => {
    const { store, state } = flakyHistory()
    const server = await startServer({ history: store, serverWrites: FAST })
    const alice = await joinedAs(server.url, 'alice', 'user:alice')
    const bob = await joinedAs(server.url, 'bob', 'user:bob')
    for (const client of [alice, bob]) {
      client.sendFrame('subscribe', { data: { topic: 'events' } })
      await roundTrip(client)
    }

    state.append = 'fail'
    const startsAt = Date.now() + 3_600_000
    server.publishEvent({ id: 'launch', title: 'Launch', startsAt })
    const remindAt = Date.now() + 20
    server.publishEvent({ id: 'launch', title: 'Launch v2', startsAt, remindAt: [remindAt] })
    // The reminder fires while the store still fails: its notifications wait too.
    await eventually(() => Date.now() > remindAt + 50 && state.tries >= 6, 'failed tries')
    state.append = 'ok'
    for (const client of [alice, bob]) {
      await eventually(() => framesOf(client, 'event_update').length === 2, 'both updates')
      expect(framesOf(client, 'event_update').map((f) => [f.data.title, f.seq])).toEqual([
        ['Launch', 1],
        ['Launch v2', 2],
      ])
      await eventually(() => notifications(client).length === 1, 'the reminder')
      expect(framesOf(client, 'notification').map((f) => [f.data.kind, f.seq])).toEqual([
        ['event_reminder', 3],
      ])
    }
  })

  it('logs an outage once however many streams wait, and once when the store takes them again', async () => {
    const { store, state, inner } = flakyHistory()
    const logger = quietLogger()
    const server = await startServer({ history: store, logger, serverWrites: FAST })
    state.append = 'fail'
    const users = Array.from({ length: 20 }, (_, i) => `user${i}`)
    for (const userId of users) server.notify(userId, { title: 'hello' })
    await eventually(() => state.tries >= 40, 'every stream failed twice')
    state.append = 'ok'
    await eventually(() => state.appends === users.length, 'all stored')
    for (const userId of users)
      expect(await storedNotifications(inner, `user:${userId}`)).toHaveLength(1)
    expect(logger.logged.filter((line) => /tried again until it does/.test(line))).toHaveLength(1)
    await eventually(
      () =>
        logger.logged.some((line) => /takes the server's appends again \(0 pending\)/.test(line)),
      'the recovery logged',
    )
    expect(logger.logged.filter((line) => /appends again/.test(line))).toHaveLength(1)
  })

  it('refuses, logs and counts server appends past maxPending without throwing; the queued ones are stored', async () => {
    const { store, state, inner } = flakyHistory()
    const logger = quietLogger()
    const server = await startServer({
      history: store,
      logger,
      serverWrites: { ...FAST, maxPending: 3 },
    })
    state.append = 'fail'
    const ids = [1, 2, 3, 4, 5].map((n) =>
      server.notify(n % 2 ? 'alice' : 'bob', { title: `n${n}` }),
    )
    expect(ids).toHaveLength(5)
    const refusals = logger.logged.filter((line) => /refused: 3 server appends/.test(line))
    expect(refusals).toHaveLength(1)

    state.append = 'ok'
    await eventually(() => state.appends === 3, 'the three queued')
    expect(await storedNotifications(inner, 'user:alice')).toEqual([
      [ids[0], 'n1', 1],
      [ids[2], 'n3', 2],
    ])
    expect(await storedNotifications(inner, 'user:bob')).toEqual([[ids[1], 'n2', 1]])
    await eventually(
      () =>
        logger.logged.some((line) => /2 server appends .* were refused while 3 waited/.test(line)),
      'the refusals counted',
    )
  })

  it('gives pending appends closeGraceMs on close: stored when the store comes back meanwhile, else logged as lost', async () => {
    const { store, state, inner } = flakyHistory()
    const server = await startServer({
      history: store,
      serverWrites: { ...FAST, closeGraceMs: 5000 },
    })
    state.append = 'fail'
    const id = server.notify('alice', { title: 'at close' })
    await eventually(() => state.tries >= 1, 'a failed try')
    const closed = server.close()
    state.append = 'ok'
    await closed
    expect(await storedNotifications(inner, 'user:alice')).toEqual([[id, 'at close', 1]])

    const logger = quietLogger()
    const second = await startServer({ history: store, logger, serverWrites: FAST })
    state.append = 'fail'
    second.notify('bob', { title: 'lost' })
    await second.close()
    expect(logger.logged).toContainEqual(
      expect.stringMatching(/closed with 1 server appends .* within 200 ms: they are lost/),
    )
    expect(await storedNotifications(inner, 'user:bob')).toEqual([])
  })
})

describe('serverWrites options', () => {
  it('refuses a bound that cannot work, naming it', async () => {
    await expect(startServer({ serverWrites: { maxPending: 0 } })).rejects.toThrow(
      /serverWrites\.maxPending must be a positive integer, got 0/,
    )
    await expect(startServer({ serverWrites: { retryCapMs: 1.5 } })).rejects.toThrow(
      /serverWrites\.retryCapMs must be a positive integer \(ms\)/,
    )
  })
})

describe('retryDelay', () => {
  it('waits a random time below base × 2^(failures − 1), capped (full jitter)', () => {
    const most = () => 0.999999
    expect(
      [1, 2, 3, 4, 5, 6, 7, 40].map((n) => Math.ceil(retryDelay(n, 250, 10_000, most))),
    ).toEqual([250, 500, 1000, 2000, 4000, 8000, 10_000, 10_000])
    expect(retryDelay(3, 250, 10_000, () => 0)).toBe(0)
    expect(retryDelay(3, 250, 10_000, () => 0.5)).toBe(500)
  })
})
