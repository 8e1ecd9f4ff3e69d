import { describe, expect, it } from 'vitest'
import { WebSocketUtils } from '../../../src/utils/WebSocketUtils'
import type { PerformanceMetrics } from '../../../slices/types'

const { hasRoomPermission, generatePrivateRoomId, calculateHealthScore } = WebSocketUtils

describe('WebSocketUtils.hasRoomPermission', () => {
  it('lets everyone read and write a room without an ACL or a public one', () => {
    expect(hasRoomPermission('general', 'bob', 'read')).toBe(true)
    expect(hasRoomPermission('general', 'bob', 'write')).toBe(true)
    expect(hasRoomPermission({ name: 'lobby', public: true }, 'bob', 'write')).toBe(true)
  })

  it('limits a private room to its owner, members and readers', () => {
    const staff = { name: 'staff', public: false, owner: 'ann', members: ['bob'], readers: ['eve'] }
    expect(hasRoomPermission(staff, 'bob', 'read')).toBe(true)
    expect(hasRoomPermission(staff, 'bob', 'write')).toBe(true)
    expect(hasRoomPermission(staff, 'eve', 'read')).toBe(true)
    expect(hasRoomPermission(staff, 'mallory', 'read')).toBe(false)
    expect(hasRoomPermission(staff, 'mallory', 'write')).toBe(false)
  })

  it('limits writing to writers and the owner when writers are listed', () => {
    const news = { name: 'news', owner: 'ann', writers: ['editor'] }
    expect(hasRoomPermission(news, 'bob', 'read')).toBe(true)
    expect(hasRoomPermission(news, 'bob', 'write')).toBe(false)
    expect(hasRoomPermission(news, 'editor', 'write')).toBe(true)
    expect(hasRoomPermission(news, 'ann', 'write')).toBe(true)
  })

  it('gives an owner everything even in a private room without members', () => {
    const mine = { name: 'mine', public: false, owner: 'ann' }
    expect(hasRoomPermission(mine, 'ann', 'read')).toBe(true)
    expect(hasRoomPermission(mine, 'ann', 'write')).toBe(true)
  })

  it('opens a dm: room to its two users only, whichever order they were given', () => {
    for (const room of [
      generatePrivateRoomId('alice', 'bob'),
      generatePrivateRoomId('bob', 'alice'),
    ]) {
      expect(hasRoomPermission(room, 'alice', 'write')).toBe(true)
      expect(hasRoomPermission(room, 'bob', 'read')).toBe(true)
      expect(hasRoomPermission(room, 'eve', 'read')).toBe(false)
      // An ACL cannot open a conversation to a third user.
      expect(hasRoomPermission({ name: room, members: ['eve'] }, 'eve', 'read')).toBe(false)
    }
  })

  it('lets only its user read a user: stream, and nobody write it', () => {
    expect(hasRoomPermission('user:alice', 'alice', 'read')).toBe(true)
    expect(hasRoomPermission('user:alice', 'alice', 'write')).toBe(false)
    expect(hasRoomPermission('user:alice', 'bob', 'read')).toBe(false)
  })
})

describe('WebSocketUtils.generatePrivateRoomId', () => {
  it('is the same whichever way round the users are given', () => {
    expect(generatePrivateRoomId('user1', 'user2')).toBe('dm:user1:user2')
    expect(generatePrivateRoomId('user2', 'user1')).toBe('dm:user1:user2')
  })

  it("keeps ids containing ':' apart", () => {
    const a = generatePrivateRoomId('a:b', 'c')
    const b = generatePrivateRoomId('a', 'b:c')
    expect(a).not.toBe(b)
    expect(hasRoomPermission(a, 'a:b', 'read')).toBe(true)
    expect(hasRoomPermission(a, 'a', 'read')).toBe(false)
    expect(hasRoomPermission(b, 'b:c', 'read')).toBe(true)
  })
})

describe('WebSocketUtils.calculateHealthScore', () => {
  const perfect: PerformanceMetrics = {
    messagesReceived: 100,
    messagesSent: 100,
    averageLatency: 20,
    connectionUptime: 60_000,
    reconnectionCount: 0,
    errorCount: 0,
    lastUpdate: 0,
  }

  it('scores a perfect connection 100 and a terrible one 0', () => {
    expect(calculateHealthScore(perfect)).toBe(100)
    expect(
      calculateHealthScore({
        ...perfect,
        averageLatency: 5000,
        errorCount: 1000,
        reconnectionCount: 10,
      }),
    ).toBe(0)
  })

  it('never rises as latency, errors or reconnections grow', () => {
    const series = (vary: (n: number) => Partial<PerformanceMetrics>) =>
      Array.from({ length: 40 }, (_, i) => calculateHealthScore({ ...perfect, ...vary(i) }))
    const nonIncreasing = (scores: number[]) =>
      scores.every((s, i) => i === 0 || s <= (scores[i - 1] as number))
    expect(nonIncreasing(series((n) => ({ averageLatency: n * 50 })))).toBe(true)
    expect(nonIncreasing(series((n) => ({ errorCount: n * 10 })))).toBe(true)
    expect(nonIncreasing(series((n) => ({ reconnectionCount: n })))).toBe(true)
    expect(series((n) => ({ averageLatency: n * 50 })).at(-1)).toBeLessThan(100)
  })
})
