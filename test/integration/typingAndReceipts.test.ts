import { afterEach, describe, expect, it } from 'vitest'
import { createWorld, sleep, type World } from '../support/realtimeWorld'

let world: World
afterEach(() => world?.close())

describe('typing indicators', () => {
  it('appear for others, never for oneself, end on stop, and expire without one', async () => {
    world = await createWorld()
    const typingTimeout = 300
    const alice = await world.client('alice', { rooms: ['general'], typingTimeout })
    const bob = await world.client('bob', { rooms: ['general'], typingTimeout })
    const typing = (c: typeof bob) => c.selectors.selectTypingUsers(c.store.getState(), 'general')

    alice.store.dispatch(alice.actions.startTyping('general'))
    await bob.waitFor(
      (s) => bob.selectors.selectTypingUsers(s, 'general').includes('alice'),
      5_000,
      'alice typing',
    )
    expect(typing(alice)).toEqual([])

    alice.store.dispatch(alice.actions.stopTyping('general'))
    await bob.waitFor(
      (s) => bob.selectors.selectTypingUsers(s, 'general').length === 0,
      5_000,
      'stop',
    )

    // Typing again within the throttle window still shows (a stop reset it); then silence expires it.
    alice.store.dispatch(alice.actions.startTyping('general'))
    await bob.waitFor(
      (s) => bob.selectors.selectTypingUsers(s, 'general').includes('alice'),
      5_000,
      'again',
    )
    const shownAt = Date.now()
    await bob.waitFor(
      (s) => bob.selectors.selectTypingUsers(s, 'general').length === 0,
      5_000,
      'expiry',
    )
    expect(Date.now() - shownAt).toBeGreaterThanOrEqual(typingTimeout - 50)
    // Ephemeral: nothing of it is in the room's history.
    expect(bob.messages('general')).toEqual([])
  })

  it('ends when that user’s message arrives', async () => {
    world = await createWorld()
    const alice = await world.client('alice', { rooms: ['general'], typingTimeout: 10_000 })
    const bob = await world.client('bob', { rooms: ['general'], typingTimeout: 10_000 })
    alice.store.dispatch(alice.actions.startTyping('general'))
    await bob.waitFor((s) => bob.selectors.selectTypingUsers(s, 'general').includes('alice'))
    alice.store.dispatch(alice.actions.sendChatMessage({ room: 'general', content: 'done typing' }))
    await bob.waitFor((s) => bob.selectors.selectMessagesByRoom(s, 'general').length === 1)
    await sleep(50)
    expect(bob.selectors.selectTypingUsers(bob.store.getState(), 'general')).toEqual([])
  })
})

describe('read receipts', () => {
  it('show who read up to where, and bring the reader’s unread count to zero', async () => {
    world = await createWorld()
    const alice = await world.client('alice', { rooms: ['general'] })
    const bob = await world.client('bob', { rooms: ['general'] })
    for (const content of ['one', 'two', 'three']) {
      alice.store.dispatch(alice.actions.sendChatMessage({ room: 'general', content }))
    }
    await bob.waitFor((s) => bob.selectors.selectMessagesByRoom(s, 'general').length === 3)
    expect(bob.selectors.selectRoomUnreadCount(bob.store.getState(), 'general')).toBe(3)
    expect(alice.selectors.selectRoomUnreadCount(alice.store.getState(), 'general')).toBe(0)

    const second = bob.messages('general')[1]
    bob.store.dispatch(bob.actions.markAsRead({ room: 'general', messageId: second?.id ?? '' }))
    // Optimistic for the reader.
    expect(bob.selectors.selectRoomUnreadCount(bob.store.getState(), 'general')).toBe(1)
    await alice.waitFor(
      (s) => alice.selectors.selectReadReceipts(s, 'general').bob?.seq === 2,
      5_000,
      'receipt',
    )
    expect(alice.selectors.selectReadReceipts(alice.store.getState(), 'general').bob).toEqual({
      messageId: second?.id,
      seq: 2,
    })

    // A newcomer gets the room's receipts when joining.
    const eve = await world.client('eve', { rooms: ['general'] })
    await eve.waitFor(
      (s) => eve.selectors.selectReadReceipts(s, 'general').bob?.seq === 2,
      5_000,
      'receipts on join',
    )
  })
})
