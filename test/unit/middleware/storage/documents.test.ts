import 'fake-indexeddb/auto'
import { describe, expect, it, vi } from 'vitest'
import { createMemoryStorage, type OutboxStorage } from '../../../../middleware/storage'
import { createIndexedDbStorage } from '../../../../middleware/storage/indexedDb'
import { createLocalStorage } from '../../../../middleware/storage/localStorage'
import { createFakeLockManager, createFakeStorage } from './fakes'

/**
 * Collaborative documents' local state in every storage adapter (`loadDocument` /
 * `saveDocument`, used by the collab plugin): saved state comes back after a "reload" (a new
 * adapter on the same backing store), keyed by doc id, `__proto__` included; a record that is
 * not a document is skipped and reported, never returned.
 */

const origin = createFakeLockManager()
let databases = 0

const adapters: Array<[string, () => () => Required<OutboxStorage>]> = [
  [
    'createMemoryStorage',
    () => {
      const one = createMemoryStorage()
      return () => one
    },
  ],
  [
    'createLocalStorage',
    () => {
      const storage = createFakeStorage()
      return () => createLocalStorage({ storage, locks: origin.tab().locks })
    },
  ],
  [
    'createIndexedDbStorage',
    () => {
      const name = `documents-test-${++databases}`
      return () => createIndexedDbStorage({ name, locks: origin.tab().locks })
    },
  ],
]

describe.each(adapters)('%s keeps documents', (_name, backing) => {
  it('saves and loads a document by id, a later save replacing it, across a reload', async () => {
    const open = backing()
    const before = open()
    expect(await before.loadDocument('doc-1')).toBeUndefined()
    await before.saveDocument({ doc: 'doc-1', state: 'AAAA', unsynced: 3 })
    await before.saveDocument({ doc: '__proto__', state: 'AQID', unsynced: 0 })
    await before.saveDocument({ doc: 'doc-1', state: 'AQAA', unsynced: 1 })
    before.close()
    const after = open()
    expect(await after.loadDocument('doc-1')).toEqual({ doc: 'doc-1', state: 'AQAA', unsynced: 1 })
    expect(await after.loadDocument('__proto__')).toEqual({
      doc: '__proto__',
      state: 'AQID',
      unsynced: 0,
    })
    expect(await after.loadDocument('toString')).toBeUndefined()
    // Documents are not outbox entries.
    expect(await after.load()).toEqual([])
    after.close()
  })
})

describe('a stored document that cannot be read', () => {
  it('is skipped and reported (localStorage)', async () => {
    const storage = createFakeStorage()
    storage.setItem('redux-realtime:doc:doc-1', JSON.stringify({ doc: 'other', state: 1 }))
    const onError = vi.fn()
    const outbox = createLocalStorage({ storage, locks: origin.tab().locks, onError })
    expect(await outbox.loadDocument('doc-1')).toBeUndefined()
    expect(onError).toHaveBeenCalledTimes(1)
    expect(String(onError.mock.calls[0]?.[0])).toContain('not a stored document')
  })
})
