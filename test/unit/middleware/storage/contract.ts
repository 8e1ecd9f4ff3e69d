import { expect, it } from 'vitest'
import type { OutboxStorage, StoredCursor } from '../../../../middleware/storage'
import type { OutboxEntry } from '../../../../slices/types'
import { chat } from './fakes'

/** Behaviour every `OutboxStorage` shares, run against each adapter. */
export function itBehavesLikeAnOutboxStorage(open: () => OutboxStorage): void {
  const ids = async (storage: OutboxStorage) => (await storage.load()).map((entry) => entry.id)

  it('loads what it saved in the order it saved it, even when createdAt goes back', async () => {
    const storage = open()
    await storage.save(chat('m1', 5000))
    await storage.save(chat('m2', 5000))
    await storage.save(chat('m3', 3000))
    await storage.save(chat('m4', 6000))
    expect(await ids(storage)).toEqual(['m1', 'm2', 'm3', 'm4'])
    expect((await storage.load())[0]).toEqual(chat('m1', 5000))
    storage.close?.()
  })

  it('keeps the place of an entry saved again', async () => {
    const storage = open()
    await storage.save(chat('m1', 1000))
    await storage.save(chat('m2', 2000))
    await storage.save({ ...chat('m1', 1000), data: { content: 'edited' } } as OutboxEntry)
    const loaded = await storage.load()
    expect(loaded.map((entry) => entry.id)).toEqual(['m1', 'm2'])
    expect(loaded[0]?.data).toEqual({ content: 'edited' })
    storage.close?.()
  })

  it('forgets a removed entry, and removing an unknown id is no error', async () => {
    const storage = open()
    await storage.save(chat('m1', 1000))
    await storage.save(chat('m2', 2000))
    await storage.remove('m1')
    await storage.remove('never-saved')
    expect(await ids(storage)).toEqual(['m2'])
    storage.close?.()
  })

  it('round-trips cursors for rooms named like Object.prototype members', async () => {
    const storage = open()
    const cursors: StoredCursor[] = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'].map(
      (room, i) => ({ room, epoch: `e${i}`, seq: i + 1 }),
    )
    await storage.saveCursors!(cursors)
    const loaded = await storage.loadCursors!()
    expect([...loaded].sort((a, b) => a.seq - b.seq)).toEqual(cursors)
    expect(Object.getPrototypeOf(loaded[0])).toBe(Object.prototype)
    storage.close?.()
  })

  it('merges cursors by room: further in one epoch wins, a new epoch replaces, others stay', async () => {
    const storage = open()
    await storage.saveCursors!([
      { room: 'a', epoch: 'e1', seq: 10 },
      { room: 'b', epoch: 'e1', seq: 5 },
    ])
    await storage.saveCursors!([{ room: 'a', epoch: 'e1', seq: 7 }])
    await storage.saveCursors!([{ room: 'b', epoch: 'e2', seq: 1 }])
    await storage.saveCursors!([{ room: 'a', epoch: 'e1', seq: 12 }])
    const loaded = await storage.loadCursors!()
    expect([...loaded].sort((x, y) => x.room.localeCompare(y.room))).toEqual([
      { room: 'a', epoch: 'e1', seq: 12 },
      { room: 'b', epoch: 'e2', seq: 1 },
    ])
    storage.close?.()
  })

  it('rejects a malformed cursor and says what a cursor is', async () => {
    const storage = open()
    await expect(async () =>
      storage.saveCursors!([{ room: 'a', epoch: 'e1', seq: -1 }]),
    ).rejects.toThrow(/\{ room: string, epoch: string, seq: integer ≥ 0 \}/)
    await expect(async () =>
      storage.saveCursors!([{ room: 'a', seq: 1 } as unknown as StoredCursor]),
    ).rejects.toThrow(/is not a cursor/)
    expect(await storage.loadCursors!()).toEqual([])
    storage.close?.()
  })

  it('keeps working after close(), which may be called twice', async () => {
    const storage = open()
    await storage.save(chat('m1', 1000))
    storage.close?.()
    storage.close?.()
    await storage.save(chat('m2', 2000))
    expect(await ids(storage)).toEqual(['m1', 'm2'])
    storage.close?.()
  })
}
