import 'fake-indexeddb/auto'
import { createStore, entries, set } from 'idb-keyval'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { OutboxStorage } from '../../../../middleware/storage'
import { createIndexedDbStorage } from '../../../../middleware/storage/indexedDb'
import type { OutboxEntry } from '../../../../slices/types'
import { itBehavesLikeAnOutboxStorage } from './contract'
import { chat, createFakeLockManager, createFakeTime } from './fakes'

let databases = 0
const freshName = () => `outbox-test-${++databases}`
const origin = createFakeLockManager()
const ids = async (storage: OutboxStorage) => (await storage.load()).map((entry) => entry.id)

describe('createIndexedDbStorage', () => {
  itBehavesLikeAnOutboxStorage(() =>
    createIndexedDbStorage({ name: freshName(), locks: origin.tab().locks }),
  )

  it('keeps one record per entry and per cursor under array keys in its own database', async () => {
    const name = freshName()
    const outbox = createIndexedDbStorage({ name, locks: origin.tab().locks })
    await outbox.save(chat('m1', 1000))
    await outbox.saveCursors([{ room: '__proto__', epoch: 'e1', seq: 3 }])
    const stored = await entries(createStore(name, 'outbox'))
    expect(stored.map(([key]) => key)).toEqual([
      ['cursor', '__proto__'],
      ['entry', 'm1'],
    ])
    expect(stored[1]?.[1]).toMatchObject({ v: 1, entry: chat('m1', 1000) })
    outbox.close()
  })

  it('keeps entries and their order across a reload', async () => {
    const name = freshName()
    const before = createIndexedDbStorage({ name, locks: origin.tab().locks })
    for (const id of ['m1', 'm2', 'm3', 'm4']) await before.save(chat(id, 1000))
    await before.remove('m2')
    before.close()
    const after = createIndexedDbStorage({ name, locks: origin.tab().locks })
    expect(await ids(after)).toEqual(['m1', 'm3', 'm4'])
    await after.save(chat('m5', 999))
    expect(await ids(after)).toEqual(['m1', 'm3', 'm4', 'm5'])
    after.close()
  })

  it('skips an unreadable record, reports it and leaves it as it was', async () => {
    const name = freshName()
    const junk = { v: 1, owner: 'x', at: 'soon', entry: 'nope' }
    await set(['entry', 'bad'], junk, createStore(name, 'outbox'))
    await set(
      ['cursor', 'toString'],
      { v: 1, room: 'toString', epoch: 'e', seq: 1.5 },
      createStore(name, 'outbox'),
    )
    const onError = vi.fn()
    const outbox = createIndexedDbStorage({ name, locks: origin.tab().locks, onError })
    await outbox.save(chat('m1', 1))
    expect(await ids(outbox)).toEqual(['m1'])
    expect(await outbox.loadCursors()).toEqual([])
    expect(onError.mock.calls.map(([error]) => (error as Error).message)).toEqual([
      'IndexedDB "' +
        name +
        '": skipped record ["entry","bad"]: no sort order; it was left in storage as is',
      'IndexedDB "' +
        name +
        '": skipped record ["cursor","toString"]: not a { room, epoch, seq } cursor; it was left in storage as is',
    ])
    const stored = new Map(
      (await entries(createStore(name, 'outbox'))).map(([k, v]) => [JSON.stringify(k), v]),
    )
    expect(stored.get('["entry","bad"]')).toEqual(junk)
    outbox.close()
  })

  it('rejects a save it cannot store with an error naming the message', async () => {
    const outbox = createIndexedDbStorage({ name: freshName(), locks: origin.tab().locks })
    const unclonable = {
      ...chat('m1', 1),
      data: { content: 'x', extra: () => 1 },
    } as unknown as OutboxEntry
    await expect(outbox.save(unclonable)).rejects.toThrow(
      /^IndexedDB "outbox-test-\d+": could not save message "m1": DataCloneError/,
    )
    expect(await ids(outbox)).toEqual([])
    outbox.close()
  })

  describe('without IndexedDB', () => {
    const descriptor = Object.getOwnPropertyDescriptor(globalThis, 'indexedDB')!
    afterEach(() => {
      Object.defineProperty(globalThis, 'indexedDB', descriptor)
    })

    it('rejects with what to use instead', async () => {
      delete (globalThis as { indexedDB?: unknown }).indexedDB
      const outbox = createIndexedDbStorage({ locks: null })
      await expect(outbox.load()).rejects.toThrow(
        /^IndexedDB "redux-realtime": could not load the outbox: there is no IndexedDB here; use createLocalStorage\(\) or createMemoryStorage\(\)/,
      )
      await expect(outbox.save(chat('m1', 1))).rejects.toThrow(/could not save message "m1"/)
      outbox.close()
    })
  })

  describe('two instances on one database', () => {
    it('with Web Locks: each loads its own; a closed one’s entries go to one other, once', async () => {
      const name = freshName()
      const [a, b, c] = [1, 2, 3].map(() =>
        createIndexedDbStorage({ name, locks: origin.tab().locks }),
      ) as [OutboxStorage, OutboxStorage, OutboxStorage]
      await a.save(chat('a1', 1))
      await b.save(chat('b1', 2))
      await a.save(chat('a2', 3))
      expect(await ids(a)).toEqual(['a1', 'a2'])
      expect(await ids(b)).toEqual(['b1'])
      a.close?.()
      const [fromB, fromC] = await Promise.all([ids(b), ids(c)])
      expect([...fromB, ...fromC].sort()).toEqual(['a1', 'a2', 'b1'])
      expect(fromB).toContain('b1')
      b.close?.()
      c.close?.()
    })

    it('with the lease fallback: a dead one’s entries go to one of two loading at once', async () => {
      const name = freshName()
      const time = createFakeTime()
      const [a, b, c] = [1, 2, 3].map(() =>
        createIndexedDbStorage({ name, locks: null, timers: time.timersFor() }),
      ) as [OutboxStorage, OutboxStorage, OutboxStorage]
      for (let i = 0; i < 10; i++) await a.save(chat(`a${i}`, i))
      await b.save(chat('b1', 100))
      expect(await ids(b)).toEqual(['b1'])
      a.close?.()
      const [fromB, fromC] = await Promise.all([ids(b), ids(c)])
      const taken = [...fromB, ...fromC].filter((id) => id.startsWith('a'))
      expect(taken.sort()).toEqual(['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 'a8', 'a9'])
      b.close?.()
      c.close?.()
    })
  })
})
