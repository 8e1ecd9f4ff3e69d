import { describe, expect, it, vi } from 'vitest'
import type { AnyRealtimeMessage } from '../../../src/client/messageEvents'
import { createSubscriptions } from '../../../src/client/subscriptions'

const chatIn = (room: string, content: string): AnyRealtimeMessage => ({
  id: content,
  type: 'chat_message',
  timestamp: 1,
  room,
  data: { content },
})

const tick = () => new Promise<void>((resolve) => queueMicrotask(resolve))

describe('createSubscriptions', () => {
  it('delivers after the current task, by type and, when given, by room', async () => {
    const subs = createSubscriptions(() => {})
    const general = vi.fn()
    const all = vi.fn()
    const pongs = vi.fn()
    subs.add('chat_message', general, 'general')
    subs.add('chat_message', all)
    subs.add('pong', pongs)

    subs.deliver([chatIn('general', 'a'), chatIn('random', 'b')])
    expect(all).not.toHaveBeenCalled()
    await tick()

    expect(general.mock.calls.map(([m]) => m.id)).toEqual(['a'])
    expect(all.mock.calls.map(([m]) => m.id)).toEqual(['a', 'b'])
    expect(pongs).not.toHaveBeenCalled()
  })

  it('reports a throwing handler and still calls the others', async () => {
    const report = vi.fn()
    const subs = createSubscriptions(report)
    const after = vi.fn()
    subs.add('chat_message', () => {
      throw new Error('boom')
    })
    subs.add('chat_message', after)

    subs.deliver([chatIn('general', 'a'), chatIn('general', 'b')])
    await tick()

    expect(after).toHaveBeenCalledTimes(2)
    expect(report).toHaveBeenCalledTimes(2)
    expect(report).toHaveBeenCalledWith(
      expect.objectContaining({ message: 'boom' }),
      chatIn('general', 'a'),
    )
  })

  it('stops delivery on remove, even to messages already queued', async () => {
    const subs = createSubscriptions(() => {})
    const handler = vi.fn()
    const id = subs.add('chat_message', handler)

    subs.deliver([chatIn('general', 'a')])
    expect(subs.remove(id)).toBe(true)
    expect(subs.remove(id)).toBe(false)
    await tick()

    expect(handler).not.toHaveBeenCalled()
  })

  it('skips a handler another handler removed during the same message', async () => {
    const subs = createSubscriptions(() => {})
    const second = vi.fn()
    let secondId = ''
    subs.add('chat_message', () => subs.remove(secondId))
    secondId = subs.add('chat_message', second)

    subs.deliver([chatIn('general', 'a')])
    await tick()

    expect(second).not.toHaveBeenCalled()
  })

  it('drops every subscription and queued message on clear', async () => {
    const subs = createSubscriptions(() => {})
    const handler = vi.fn()
    subs.add('chat_message', handler)
    subs.deliver([chatIn('general', 'a')])

    subs.clear()
    await tick()

    expect(subs.size).toBe(0)
    expect(handler).not.toHaveBeenCalled()
  })
})
