import { describe, expect, it } from 'vitest'
import type { OutboxStorage } from '../../../../middleware/storage'
import { createLocalStorage } from '../../../../middleware/storage/localStorage'
import {
  chat,
  createFakeLockManager,
  createFakeStorage,
  createFakeTime,
  createLaggyStorage,
  settle,
} from './fakes'

const ids = async (storage: OutboxStorage) => (await storage.load()).map((entry) => entry.id)
const ownerOf = (storage: ReturnType<typeof createFakeStorage>, id: string) =>
  (JSON.parse(storage.getItem(`redux-realtime:entry:${id}`)!) as { owner: string }).owner

describe('ownership with Web Locks', () => {
  function setup() {
    const shared = createFakeStorage()
    const origin = createFakeLockManager()
    const open = () => {
      const tab = origin.tab()
      return Object.assign(createLocalStorage({ storage: shared, locks: tab.locks }), {
        crash: tab.crash,
      })
    }
    return { shared, origin, open }
  }

  it('holds a lock named after its owner id for its life and releases it on close', async () => {
    const { origin, open } = setup()
    const a = open()
    await a.save(chat('a1', 1))
    expect(origin.heldNames()).toEqual([
      expect.stringMatching(/^redux-realtime:localStorage:redux-realtime:owner:/),
    ])
    a.close()
    await settle()
    expect(origin.heldNames()).toEqual([])
  })

  it('lets each of two live instances load only its own entries', async () => {
    const { open } = setup()
    const a = open()
    const b = open()
    await a.save(chat('a1', 1))
    await b.save(chat('b1', 2))
    await a.save(chat('a2', 3))
    expect(await ids(a)).toEqual(['a1', 'a2'])
    expect(await ids(b)).toEqual(['b1'])
    a.close()
    b.close()
  })

  it('gives a closed instance’s entries to the next one that loads, exactly once', async () => {
    const { shared, open } = setup()
    const a = open()
    const b = open()
    const c = open()
    await a.save(chat('a1', 1))
    await b.save(chat('b1', 2))
    await a.save(chat('a2', 3))
    a.close()
    await settle()
    expect(await ids(b)).toEqual(['a1', 'b1', 'a2'])
    expect(await ids(c)).toEqual([])
    expect(await ids(b)).toEqual(['a1', 'b1', 'a2'])
    expect(ownerOf(shared, 'a1')).toBe(ownerOf(shared, 'b1'))
    b.close()
    c.close()
  })

  it('gives a crashed tab’s entries (locks gone without close) to one of two tabs loading at once', async () => {
    const { open } = setup()
    const a = open()
    const b = open()
    const c = open()
    for (let i = 0; i < 20; i++) await a.save(chat(`a${i}`, i))
    a.crash()
    const [fromB, fromC] = await Promise.all([ids(b), ids(c)])
    const all = [...fromB, ...fromC]
    expect(all).toHaveLength(20)
    expect(new Set(all).size).toBe(20)
    expect([fromB.length, fromC.length].sort()).toEqual([0, 20])
    b.close()
    c.close()
  })

  it('gives a crashed tab’s entries to one of two tabs even when writes reach other tabs late', async () => {
    const time = createFakeTime()
    const laggy = createLaggyStorage(time, 10)
    const origin = createFakeLockManager()
    const open = () => {
      const tab = origin.tab()
      const storage = createLocalStorage({
        storage: laggy.view(),
        locks: tab.locks,
        timers: time.timersFor(),
      })
      return Object.assign(storage, { crash: tab.crash })
    }
    const a = open()
    const b = open()
    const c = open()
    for (let i = 0; i < 5; i++) await a.save(chat(`a${i}`, i))
    await time.advance(10)
    a.crash()
    const loading = Promise.all([ids(b), ids(c)])
    await time.advance(1000)
    const [fromB, fromC] = await loading
    expect([...fromB, ...fromC].sort()).toEqual(['a0', 'a1', 'a2', 'a3', 'a4'])
    b.close()
    c.close()
  })

  it('takes a reloaded page’s entries over in their order', async () => {
    const { open } = setup()
    const before = open()
    for (const id of ['m1', 'm2', 'm3']) await before.save(chat(id, 1000))
    before.crash()
    const after = open()
    expect(await ids(after)).toEqual(['m1', 'm2', 'm3'])
    await after.save(chat('m4', 1000))
    expect(await ids(after)).toEqual(['m1', 'm2', 'm3', 'm4'])
    after.close()
  })
})

describe('ownership without Web Locks (heartbeat lease)', () => {
  const PERIOD = 2000

  function setup() {
    const shared = createFakeStorage()
    const time = createFakeTime()
    const open = (onError?: (error: Error) => void) => {
      const timers = time.timersFor()
      return Object.assign(createLocalStorage({ storage: shared, locks: null, timers, onError }), {
        freeze: timers.freeze,
        timers,
      })
    }
    /** A load that may wait `settleMs` to confirm its claims. */
    const load = async (storage: OutboxStorage) => {
      const loading = storage.load()
      await time.advance(100)
      return (await loading).map((entry) => entry.id)
    }
    return { shared, time, open, load }
  }

  it('writes a heartbeat every period and removes it on close', async () => {
    const { shared, time, open } = setup()
    const a = open()
    await a.save(chat('a1', 1))
    const heartbeat = () =>
      [...shared.items].find(([key]) => key.startsWith('redux-realtime:owner:'))?.[1]
    expect(JSON.parse(heartbeat()!)).toEqual({ v: 1, at: time.now() })
    await time.advance(PERIOD)
    expect(JSON.parse(heartbeat()!)).toEqual({ v: 1, at: time.now() })
    a.close()
    await settle()
    expect(heartbeat()).toBeUndefined()
    expect(a.timers.pending()).toBe(0)
  })

  it('lets each of two live instances load only its own entries, however long they live', async () => {
    const { time, open, load } = setup()
    const a = open()
    const b = open()
    await a.save(chat('a1', 1))
    await b.save(chat('b1', 2))
    await time.advance(10 * PERIOD)
    expect(await load(a)).toEqual(['a1'])
    expect(await load(b)).toEqual(['b1'])
    a.close()
    b.close()
  })

  it('gives a closed instance’s entries to the next one that loads, exactly once', async () => {
    const { time, open, load } = setup()
    const a = open()
    const b = open()
    const c = open()
    await a.save(chat('a1', 1))
    await b.save(chat('b1', 2))
    a.close()
    await time.advance(1)
    expect(await load(b)).toEqual(['a1', 'b1'])
    expect(await load(c)).toEqual([])
    expect(await load(b)).toEqual(['a1', 'b1'])
    b.close()
    c.close()
  })

  it('counts an instance whose heartbeat stopped as alive for 3 periods, then dead', async () => {
    const { shared, time, open, load } = setup()
    const a = open()
    const b = open()
    await a.save(chat('a1', 1))
    await a.save(chat('a2', 2))
    a.freeze() // a crashed (or throttled) tab: its heartbeat timer no longer runs
    await time.advance(2 * PERIOD)
    expect(await load(b)).toEqual([])
    await time.advance(PERIOD + 1)
    expect(await load(b)).toEqual(['a1', 'a2'])
    // Its expired heartbeat is tidied away.
    expect([...shared.items.keys()].filter((key) => key.includes(':owner:'))).toHaveLength(1)
    b.close()
  })

  it('does not return an entry whose claim a concurrent instance overwrote before the check', async () => {
    const { shared, time, open, load } = setup()
    const a = open()
    await a.save(chat('a1', 1))
    a.close()
    const b = open()
    // Another tab's claim of a1 lands right after b's own write (a race localStorage cannot exclude).
    shared.onWrite((key) => {
      if (key !== 'redux-realtime:entry:a1') return
      shared.onWrite(undefined)
      const record = JSON.parse(shared.getItem(key)!) as { owner: string }
      shared.setItem(key, JSON.stringify({ ...record, owner: 'another-tab' }))
    })
    await time.advance(1)
    expect(await load(b)).toEqual([])
    expect(ownerOf(shared, 'a1')).toBe('another-tab')
    b.close()
  })

  it('gives a dead instance’s entries to one of two instances loading at once, despite late writes', async () => {
    const time = createFakeTime()
    const laggy = createLaggyStorage(time, 10)
    const open = () =>
      createLocalStorage({ storage: laggy.view(), locks: null, timers: time.timersFor() })
    const a = open()
    const b = open()
    const c = open()
    for (let i = 0; i < 5; i++) await a.save(chat(`a${i}`, i))
    a.close()
    await time.advance(10)
    const loading = Promise.all([ids(b), ids(c)])
    await time.advance(1000)
    const [fromB, fromC] = await loading
    expect([...fromB, ...fromC].sort()).toEqual(['a0', 'a1', 'a2', 'a3', 'a4'])
    b.close()
    c.close()
  })

  it('reports a heartbeat it could not write and keeps beating', async () => {
    const { shared, time, open } = setup()
    const errors: string[] = []
    const a = open((error) => errors.push(error.message))
    await a.save(chat('a1', 1))
    shared.failWritesWith(() => new DOMException('full', 'QuotaExceededError'))
    await time.advance(PERIOD)
    shared.failWritesWith(undefined)
    await time.advance(PERIOD)
    expect(errors).toEqual([
      `localStorage "redux-realtime": could not refresh this instance's heartbeat (other instances may take its messages over): storage is full (QuotaExceededError: full)`,
    ])
    expect(a.timers.pending()).toBe(1)
    a.close()
  })
})
