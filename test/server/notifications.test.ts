import { describe, expect, it } from 'vitest'
import type { NotificationInput } from '../../src/server'
import { connectAs, framesOf, join, joinedAs, startServer } from './harness'

describe('server notifications', () => {
  it('delivers a notification sent while offline once, in the replay of the next join', async () => {
    const server = await startServer()
    const id = server.notify('alice', { title: 'Build finished', link: '/builds/42' })

    const alice = await connectAs(server.url, 'alice')
    await join(alice, 'user:alice')
    const replay = await alice.nextOfType('batch')
    expect(replay.data.frames).toEqual([
      expect.objectContaining({
        type: 'notification',
        id,
        room: 'user:alice',
        seq: 1,
        data: { title: 'Build finished', link: '/builds/42', kind: 'info', severity: 'info' },
      }),
    ])
    alice.close()
    await alice.closed

    const again = await connectAs(server.url, 'alice')
    const joined = await join(again, 'user:alice', { epoch: server.epoch, seq: 1 })
    expect(joined.data).toMatchObject({ resumed: true, headSeq: 1 })
    const marker = server.notify('alice', { title: 'marker', severity: 'warning' })
    const live = await again.nextOfType('notification')
    expect(live).toMatchObject({ id: marker, seq: 2, data: { severity: 'warning' } })
    expect(framesOf(again, 'notification')).toHaveLength(1)
  })

  it('stores a notification with a given id once', async () => {
    const server = await startServer()
    expect(server.notify('alice', { id: 'n1', title: 'once' })).toBe('n1')
    expect(server.notify('alice', { id: 'n1', title: 'once' })).toBe('n1')
    server.notify('alice', { title: 'marker' })
    const alice = await connectAs(server.url, 'alice')
    expect((await join(alice, 'user:alice')).data.headSeq).toBe(2)
  })

  it("appends notification_update to the user's stream, seen by their other connection, and acks it", async () => {
    const server = await startServer()
    const phone = await joinedAs(server.url, 'alice', 'user:alice')
    const laptop = await joinedAs(server.url, 'alice', 'user:alice')
    const id = server.notify('alice', { title: 'hello' })
    await laptop.nextOfType('notification')

    const sent = phone.sendFrame('notification_update', { data: { op: 'read', id } })
    const ack = await phone.nextOfType('ack', (frame) => frame.data.refId === sent.id)
    expect(ack).toMatchObject({ room: 'user:alice', data: { refId: sent.id, seq: 2 } })
    const synced = await laptop.nextOfType('notification_update')
    expect(synced).toMatchObject({
      room: 'user:alice',
      userId: 'alice',
      seq: 2,
      data: { op: 'read', id },
    })
    expect(synced.id).not.toBe(sent.id)

    phone.sendFrame('notification_update', { id: sent.id, data: { op: 'read', id } })
    const repeat = await phone.nextOfType('ack', (frame) => frame.data.refId === sent.id)
    expect(repeat.data.seq).toBe(2)
    const clear = phone.sendFrame('notification_update', { data: { op: 'clear' } })
    expect((await phone.nextOfType('ack', (f) => f.data.refId === clear.id)).data.seq).toBe(3)
    expect(framesOf(laptop, 'notification_update').map((frame) => frame.seq)).toEqual([2])
  })

  it('throws a TypeError naming the field for a notification clients would refuse', async () => {
    const server = await startServer()
    const bad = (userId: string, notification: Partial<NotificationInput>) => () =>
      server.notify(userId, notification as NotificationInput)
    expect(bad('alice', {})).toThrow(/^notify: title must be a string$/)
    expect(bad('alice', { title: 'x', severity: 'loud' as 'info' })).toThrow(/severity/)
    expect(bad('alice', { title: 'x', link: 'javascript:alert(1)' })).toThrow(/link/)
    expect(bad('alice', { title: 'x', id: 'has space' })).toThrow(/id/)
    expect(bad('not a user', { title: 'x' })).toThrow(/userId/)
    expect(bad('alice', { title: 5 as unknown as string })).toThrow(TypeError)
  })

  it('throws a TypeError for a user id or notification id that is an Object.prototype member name', async () => {
    const server = await startServer()
    const reserved = ['toString', '__proto__', 'constructor', 'hasOwnProperty', 'prototype']
    for (const name of reserved) {
      expect(() => server.notify(name, { title: 'x' })).toThrow(TypeError)
      expect(() => server.notify(name, { title: 'x' })).toThrow(/notify: userId .*reserved/)
      expect(() => server.notify('alice', { title: 'x', id: name })).toThrow(TypeError)
    }
    const alice = await connectAs(server.url, 'alice')
    expect((await join(alice, 'user:alice')).data.headSeq).toBe(0)
  })
})
