import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import type { DocumentStore } from '../../src/server'

export interface DocumentStoreSubject {
  /** A fresh, empty store (a Redis store: on a prefix of its own). */
  make: () => DocumentStore | Promise<DocumentStore>
}

/** A writer of one document: each `insert` returns the update it made. */
function writer() {
  const ydoc = new Y.Doc()
  const updates: Uint8Array[] = []
  ydoc.on('update', (update: Uint8Array) => updates.push(update))
  return {
    ydoc,
    insert(text: string, index = ydoc.getText('content').length): Uint8Array {
      ydoc.getText('content').insert(index, text)
      return updates[updates.length - 1] as Uint8Array
    },
    remove(index: number, length: number): Uint8Array {
      ydoc.getText('content').delete(index, length)
      return updates[updates.length - 1] as Uint8Array
    },
    state: () => Y.encodeStateAsUpdate(ydoc),
  }
}

/** The text of what `store` loads for `doc` ('' for nothing stored). */
async function loadedText(store: DocumentStore, doc: string): Promise<string> {
  const stored = await store.load(doc)
  const ydoc = new Y.Doc()
  if (stored) Y.applyUpdate(ydoc, stored)
  return ydoc.getText('content').toJSON()
}

/**
 * The `DocumentStore` contract, run against each implementation (memory, Redis) so they cannot
 * drift apart.
 *
 * @example
 * describeDocumentStore('createMemoryDocumentStore', { make: createMemoryDocumentStore })
 */
export function describeDocumentStore(name: string, subject: DocumentStoreSubject): void {
  describe(`${name}: the DocumentStore contract`, () => {
    it('loads null for a document never stored', async () => {
      const store = await subject.make()
      expect(await store.load('nothing-here')).toBeNull()
    })

    it('loads every update appended, merged, deletes included', async () => {
      const store = await subject.make()
      const w = writer()
      for (const word of ['one ', 'two ', 'three']) await store.append('doc', w.insert(word))
      await store.append('doc', w.remove(0, 4))
      expect(await loadedText(store, 'doc')).toBe('two three')
      // Loading again (a merge may have been kept) gives the same.
      expect(await loadedText(store, 'doc')).toBe('two three')
    })

    it('keeps bytes as they are: one update loads back byte for byte, whatever it holds', async () => {
      const store = await subject.make()
      // NUL, spaces, CR LF, a lone byte pattern of invalid UTF-8 as text, emoji.
      const text = 'a\u0000b \r\n\u00ff\ufffd😀 "quoted" \\ end'
      const update = writer().insert(text)
      await store.append('bytes', update)
      // The caller's buffer may be reused after append resolved.
      const sent = update.slice()
      update.fill(0)
      const loaded = await store.load('bytes')
      expect(loaded && [...loaded]).toEqual([...sent])
      expect(await loadedText(store, 'bytes')).toBe(text)
    })

    it('keeps documents apart, whatever their names hold', async () => {
      const store = await subject.make()
      const names = ['a', 'a{b}', 'a%7Bb%7D', '{a}', 'a}:log', 'a:meta', 'doc{a}', '%', 'a b']
      for (const doc of names) await store.append(doc, writer().insert(`<${doc}>`))
      for (const doc of names) expect(await loadedText(store, doc)).toBe(`<${doc}>`)
    })

    it('compacts to a state that loads the same, and keeps what is appended after', async () => {
      const store = await subject.make()
      const w = writer()
      for (let i = 0; i < 5; i++) await store.append('doc', w.insert(`${i}`))
      await store.compact?.('doc', w.state())
      expect(await loadedText(store, 'doc')).toBe('01234')
      await store.append('doc', w.insert('5'))
      await store.compact?.('doc', w.state())
      await store.append('doc', w.insert('6'))
      expect(await loadedText(store, 'doc')).toBe('0123456')
    })

    it('never drops an update the compacted state lacks (appended elsewhere meanwhile)', async () => {
      const store = await subject.make()
      const mine = writer()
      await store.append('doc', mine.insert('mine'))
      // Another writer's update, stored after this writer took its state.
      const state = mine.state()
      const theirs = writer()
      await store.append('doc', theirs.insert('theirs'))
      await store.compact?.('doc', state)
      const text = await loadedText(store, 'doc')
      expect(text).toContain('mine')
      expect(text).toContain('theirs')
    })

    it('loses nothing when compactions and appends overlap (20 rounds)', async () => {
      const store = await subject.make()
      const a = writer()
      const b = writer()
      const expected = new Y.Doc()
      for (let round = 0; round < 20; round++) {
        const ua = a.insert(`a${round};`, 0)
        const ub = b.insert(`b${round};`, 0)
        Y.applyUpdate(expected, ua)
        Y.applyUpdate(expected, ub)
        // A's compaction, taken from A's view, runs while both append.
        await Promise.all([
          store.compact?.('doc', a.state()),
          store.append('doc', ua),
          store.append('doc', ub),
        ])
      }
      expect(await loadedText(store, 'doc')).toBe(expected.getText('content').toJSON())
    })
  })
}
