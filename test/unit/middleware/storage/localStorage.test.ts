import { afterEach, describe, expect, it, vi } from 'vitest'
import { createLocalStorage } from '../../../../middleware/storage/localStorage'
import { itBehavesLikeAnOutboxStorage } from './contract'
import { chat, createFakeLockManager, createFakeStorage, createFakeTime, quotaError } from './fakes'

const origin = createFakeLockManager()

/** Each instance is a tab with Web Locks (ownership.test.ts covers the lease fallback). */
function open(
  storage = createFakeStorage(),
  options: Parameters<typeof createLocalStorage>[0] = {},
) {
  return createLocalStorage({ storage, locks: origin.tab().locks, ...options })
}

describe('createLocalStorage', () => {
  itBehavesLikeAnOutboxStorage(() => open())

  it('writes one JSON key per entry and per cursor under its key prefix', async () => {
    const storage = createFakeStorage()
    const outbox = open(storage, { key: 'app' })
    await outbox.save(chat('m1', 1000))
    await outbox.saveCursors([{ room: 'general', epoch: 'e1', seq: 4 }])
    const keys = [...storage.items.keys()].sort()
    expect(keys.filter((key) => !key.startsWith('app:owner:'))).toEqual([
      'app:cursor:general',
      'app:entry:m1',
    ])
    expect(JSON.parse(storage.items.get('app:entry:m1')!)).toMatchObject({
      v: 1,
      entry: chat('m1', 1000),
    })
    expect(JSON.parse(storage.items.get('app:cursor:general')!)).toEqual({
      v: 1,
      room: 'general',
      epoch: 'e1',
      seq: 4,
    })
    outbox.close?.()
  })

  it('has the entry in storage by the time save() returns', () => {
    const storage = createFakeStorage()
    const outbox = open(storage, { locks: null, timers: createFakeTime().timersFor() })
    // The first call writes the heartbeat first; later saves write before returning.
    void outbox.save(chat('m0', 500))
    void outbox.save(chat('m1', 1000))
    return Promise.resolve().then(async () => {
      await outbox.load()
      void outbox.save(chat('m2', 2000))
      expect(storage.items.has('redux-realtime:entry:m2')).toBe(true)
      outbox.close?.()
    })
  })

  it('keeps entries and their order across a reload (a new instance on the same storage)', async () => {
    const storage = createFakeStorage()
    const before = open(storage)
    for (const [i, id] of ['a', 'b', 'c', 'd', 'e'].entries()) {
      await before.save(chat(id, 1000 + (i % 2)))
    }
    await before.remove('c')
    before.close?.()
    const after = open(storage)
    expect((await after.load()).map((entry) => entry.id)).toEqual(['a', 'b', 'd', 'e'])
    await after.save(chat('f', 900))
    expect((await after.load()).map((entry) => entry.id)).toEqual(['a', 'b', 'd', 'e', 'f'])
    after.close?.()
  })

  it('leaves other keys alone, including other prefixes', async () => {
    const storage = createFakeStorage()
    storage.setItem('unrelated', 'x')
    const one = open(storage, { key: 'one' })
    const two = open(storage, { key: 'two' })
    await one.save(chat('m1', 1))
    await two.save(chat('m2', 2))
    expect((await one.load()).map((entry) => entry.id)).toEqual(['m1'])
    expect((await two.load()).map((entry) => entry.id)).toEqual(['m2'])
    expect(storage.getItem('unrelated')).toBe('x')
    one.close?.()
    two.close?.()
  })

  describe('failures', () => {
    const descriptor = Object.getOwnPropertyDescriptor(globalThis, 'localStorage')
    afterEach(() => {
      if (descriptor) Object.defineProperty(globalThis, 'localStorage', descriptor)
      else delete (globalThis as { localStorage?: unknown }).localStorage
    })

    it('uses globalThis.localStorage when no storage is passed', async () => {
      const storage = createFakeStorage()
      Object.defineProperty(globalThis, 'localStorage', { configurable: true, value: storage })
      const outbox = createLocalStorage({ timers: createFakeTime().timersFor() })
      await outbox.save(chat('m1', 1))
      expect(storage.items.has('redux-realtime:entry:m1')).toBe(true)
      outbox.close?.()
    })

    it('rejects save and load with a clear error when localStorage throws on access (private mode)', async () => {
      Object.defineProperty(globalThis, 'localStorage', {
        configurable: true,
        get() {
          throw new DOMException('The operation is insecure.', 'SecurityError')
        },
      })
      const outbox = createLocalStorage({ timers: createFakeTime().timersFor() })
      await expect(outbox.save(chat('m1', 1))).rejects.toThrow(
        /^localStorage "redux-realtime": could not save message "m1": localStorage is not available \(SecurityError: The operation is insecure\.\)/,
      )
      await expect(outbox.load()).rejects.toThrow(/could not load the outbox: .*SecurityError/)
      await expect(outbox.remove('m1')).rejects.toThrow(/could not remove message "m1"/)
      await expect(outbox.loadCursors()).rejects.toThrow(/could not load the room cursors/)
      outbox.close?.()
    })

    it('says there is no localStorage where there is none (Node, SSR)', async () => {
      delete (globalThis as { localStorage?: unknown }).localStorage
      const outbox = createLocalStorage()
      await expect(outbox.load()).rejects.toThrow(
        /could not load the outbox: there is no localStorage here; pass createLocalStorage\(\{ storage \}\)/,
      )
    })

    it('rejects a save over quota, naming the message, and keeps what was stored', async () => {
      const storage = createFakeStorage()
      const outbox = open(storage)
      await outbox.save(chat('m1', 1))
      storage.failWritesWith(quotaError)
      const failure = await Promise.resolve(outbox.save(chat('m2', 2))).catch(
        (error: unknown) => error as Error,
      )
      expect(failure).toBeInstanceOf(Error)
      expect(failure?.message).toBe(
        `localStorage "redux-realtime": could not save message "m2": storage is full (QuotaExceededError: Failed to execute 'setItem' on 'Storage': quota exceeded)`,
      )
      expect((failure as Error).cause).toBeInstanceOf(DOMException)
      await expect(outbox.saveCursors([{ room: 'r', epoch: 'e', seq: 1 }])).rejects.toThrow(
        /could not save the room cursors: storage is full/,
      )
      storage.failWritesWith(undefined)
      expect((await outbox.load()).map((entry) => entry.id)).toEqual(['m1'])
      outbox.close?.()
    })

    it('skips unreadable records, reports each once and leaves them as they were', async () => {
      const storage = createFakeStorage()
      const writer = open(storage)
      await writer.save(chat('m1', 1))
      await writer.save(chat('m3', 3))
      writer.close?.()
      const bad = {
        'redux-realtime:entry:m2': '{"v":1,"owner":"x",', // cut short
        'redux-realtime:entry:m4': JSON.stringify({ v: 2, owner: 'x' }), // a newer version
        'redux-realtime:entry:m5': JSON.stringify({
          ...JSON.parse(storage.getItem('redux-realtime:entry:m1')!),
          entry: chat('other', 1),
        }),
        'redux-realtime:cursor:general': 'not json',
      }
      for (const [key, value] of Object.entries(bad)) storage.setItem(key, value)

      const onError = vi.fn()
      const reader = open(storage, { onError })
      expect((await reader.load()).map((entry) => entry.id)).toEqual(['m1', 'm3'])
      expect(await reader.loadCursors()).toEqual([])
      const messages = onError.mock.calls.map(([error]) => (error as Error).message)
      expect(messages).toEqual([
        expect.stringMatching(
          /^localStorage "redux-realtime": skipped key "redux-realtime:entry:m2": invalid JSON \(SyntaxError: .*\); it was left in storage as is$/,
        ),
        'localStorage "redux-realtime": skipped key "redux-realtime:entry:m4": unknown record version 2; it was left in storage as is',
        'localStorage "redux-realtime": skipped key "redux-realtime:entry:m5": entry id "other" does not match its key; it was left in storage as is',
        expect.stringMatching(/skipped key "redux-realtime:cursor:general": invalid JSON/),
      ])
      for (const [key, value] of Object.entries(bad)) expect(storage.getItem(key)).toBe(value)

      await reader.load()
      await reader.loadCursors()
      expect(onError).toHaveBeenCalledTimes(4)
      // A cursor is only a shortcut for replay: a new one replaces an unreadable one.
      await reader.saveCursors([{ room: 'general', epoch: 'e1', seq: 9 }])
      expect(await reader.loadCursors()).toEqual([{ room: 'general', epoch: 'e1', seq: 9 }])
      reader.close?.()
    })

    it('still loads when onError throws', async () => {
      const storage = createFakeStorage()
      storage.setItem('redux-realtime:entry:bad', '{')
      const outbox = open(storage, {
        onError: () => {
          throw new Error('app bug')
        },
      })
      await outbox.save(chat('m1', 1))
      expect((await outbox.load()).map((entry) => entry.id)).toEqual(['m1'])
      outbox.close?.()
    })
  })
})
