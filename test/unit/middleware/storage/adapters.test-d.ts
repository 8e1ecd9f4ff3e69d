import { describe, expectTypeOf, it } from 'vitest'
import {
  createIndexedDbStorage,
  createLocalStorage,
  createMemoryStorage,
  type LockManagerLike,
  type OutboxStorage,
  type StorageLike,
  type StoredCursor,
} from '../../../../src/index'

describe('storage adapter types', () => {
  it('accept the platform’s Web Locks and Storage', () => {
    expectTypeOf<LockManager>().toExtend<LockManagerLike>()
    expectTypeOf<Storage>().toExtend<StorageLike>()
    createLocalStorage({ storage: sessionStorage, locks: navigator.locks })
  })

  it('are OutboxStorages with every optional method present', () => {
    for (const storage of [createMemoryStorage(), createLocalStorage(), createIndexedDbStorage()]) {
      expectTypeOf(storage).toExtend<OutboxStorage>()
      expectTypeOf(storage.saveCursors).parameter(0).toEqualTypeOf<StoredCursor[]>()
      expectTypeOf(storage.close).toEqualTypeOf<() => void>()
    }
  })
})
