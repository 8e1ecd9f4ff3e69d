import { afterEach, describe, expect, it } from 'vitest'
import {
  createIndexedDbStorage,
  createLocalStorage,
  createMemoryStorage,
} from '../../../middleware/storage'
import { itBehavesLikeAnOutboxStorage } from './storage/contract'

describe('createMemoryStorage', () => {
  itBehavesLikeAnOutboxStorage(() => createMemoryStorage())

  it('keeps nothing in common between two instances', async () => {
    const a = createMemoryStorage()
    const b = createMemoryStorage()
    await a.save({
      id: 'm1',
      createdAt: 1,
      type: 'chat_message',
      room: 'r',
      data: { content: 'x' },
    })
    expect(await b.load()).toEqual([])
  })
})

describe('storage adapters', () => {
  const globals = ['window', 'localStorage', 'indexedDB', 'navigator'] as const
  const saved = globals.map((name) => [name, Object.getOwnPropertyDescriptor(globalThis, name)])

  afterEach(() => {
    for (const [name, descriptor] of saved) {
      if (descriptor) Object.defineProperty(globalThis, name as string, descriptor)
      else delete (globalThis as Record<string, unknown>)[name as string]
    }
  })

  it('touch no browser global until first used (SSR-safe)', () => {
    const touched: string[] = []
    for (const name of globals) {
      Object.defineProperty(globalThis, name, {
        configurable: true,
        get() {
          touched.push(name)
          throw new Error(`${name} touched`)
        },
      })
    }
    createLocalStorage()
    createIndexedDbStorage()
    createLocalStorage({ key: 'other' }).close?.()
    expect(touched).toEqual([])
  })
})
