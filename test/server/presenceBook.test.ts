import { describe, expect, it } from 'vitest'
import { createPresenceBook } from '../../src/server/presenceBook'
import type { RoomMember } from '../../src/server/rooms'

const member = (userId: string): RoomMember => ({
  closed: false,
  userId,
  maxFrameBytes: 64 * 1024,
  sendText: () => {},
  sendBurst: () => {},
  close: () => {},
})

describe('createPresenceBook', () => {
  it('reports an unknown user as offline with no lastSeen', () => {
    expect(createPresenceBook().entry('ghost')).toEqual({ userId: 'ghost', status: 'offline' })
  })

  it('is online from the first connection until the last one closes', () => {
    const book = createPresenceBook()
    const [phone, laptop] = [member('alice'), member('alice')]
    expect(book.connect(phone, 'alice')).toBe(true)
    expect(book.connect(laptop, 'alice')).toBe(false)
    expect(book.disconnect(phone, 'alice')).toBe(false)
    expect(book.entry('alice')).toEqual({ userId: 'alice', status: 'online' })
    expect(book.disconnect(laptop, 'alice')).toBe(true)
    expect(book.entry('alice')).toMatchObject({ status: 'offline', lastSeen: expect.any(Number) })
    expect(book.disconnect(laptop, 'alice')).toBe(false)
    expect([...book.connections()]).toEqual([])
  })

  it('reports a change only when the entry changes, and clears a custom status with ""', () => {
    const book = createPresenceBook()
    book.connect(member('alice'), 'alice')
    expect(book.update('alice', { status: 'busy', customStatus: 'focus' })).toBe(true)
    expect(book.update('alice', { status: 'busy' })).toBe(false)
    expect(book.entry('alice')).toEqual({ userId: 'alice', status: 'busy', customStatus: 'focus' })
    expect(book.update('alice', { customStatus: '' })).toBe(true)
    expect(book.entry('alice')).toEqual({ userId: 'alice', status: 'busy' })
  })

  it('starts a returning user as online again but keeps their custom status', () => {
    const book = createPresenceBook()
    const phone = member('alice')
    book.connect(phone, 'alice')
    book.update('alice', { status: 'away', customStatus: 'on holiday' })
    book.disconnect(phone, 'alice')
    expect(book.entry('alice')).toMatchObject({ status: 'offline', customStatus: 'on holiday' })
    book.connect(member('alice'), 'alice')
    expect(book.entry('alice')).toEqual({
      userId: 'alice',
      status: 'online',
      customStatus: 'on holiday',
    })
  })
})
