import { describe, expect, it } from 'vitest'
import { connectAs, framesOf, join, joinedAs, startServer } from './harness'

const positions = (frames: Array<{ userId?: string; data: { seq: number } }>) =>
  frames.map((frame) => [frame.userId, frame.data.seq])

describe('server read receipts', () => {
  it('relays a receipt to every member of the room, the sender included, with no seq', async () => {
    const server = await startServer()
    const alice = await joinedAs(server.url, 'alice', 'general')
    const bob = await joinedAs(server.url, 'bob', 'general')
    const bobPhone = await joinedAs(server.url, 'bob', 'general')
    bob.sendFrame('read_receipt', { room: 'general', data: { messageId: 'm5', seq: 5 } })
    for (const client of [alice, bob, bobPhone]) {
      const receipt = await client.nextOfType('read_receipt')
      expect(receipt).toMatchObject({
        room: 'general',
        userId: 'bob',
        data: { messageId: 'm5', seq: 5 },
      })
      expect(receipt.seq).toBeUndefined()
    }
  })

  it("ignores a receipt lower than the user's last", async () => {
    const server = await startServer()
    const alice = await joinedAs(server.url, 'alice', 'general')
    const bob = await joinedAs(server.url, 'bob', 'general')
    for (const seq of [5, 3, 5, 6])
      bob.sendFrame('read_receipt', { room: 'general', data: { messageId: `m${seq}`, seq } })
    await alice.nextOfType('read_receipt', (frame) => frame.data.seq === 6)
    expect(positions(framesOf(alice, 'read_receipt'))).toEqual([
      ['bob', 5],
      ['bob', 6],
    ])
  })

  it("sends the room's receipts after the replay on join, one per user", async () => {
    const server = await startServer()
    const alice = await joinedAs(server.url, 'alice', 'general')
    const bob = await joinedAs(server.url, 'bob', 'general')
    const sent = alice.sendFrame('chat_message', { room: 'general', data: { content: 'hi' } })
    await alice.nextOfType('ack', (frame) => frame.data.refId === sent.id)
    alice.sendFrame('read_receipt', { room: 'general', data: { messageId: sent.id, seq: 1 } })
    bob.sendFrame('read_receipt', { room: 'general', data: { messageId: sent.id, seq: 1 } })
    await alice.nextOfType('read_receipt', (frame) => frame.userId === 'bob')

    const carol = await connectAs(server.url, 'carol')
    await join(carol, 'general')
    const replay = await carol.nextOfType('batch')
    expect(replay.data.frames.map((frame) => frame.type)).toEqual(['chat_message'])
    const receipts = await carol.nextOfType('batch')
    expect(receipts.room).toBe('general')
    expect(positions(framesOf(carol, 'read_receipt')).sort()).toEqual([
      ['alice', 1],
      ['bob', 1],
    ])
  })

  it('sends a single receipt on join as a plain frame', async () => {
    const server = await startServer()
    const alice = await joinedAs(server.url, 'alice', 'general')
    alice.sendFrame('read_receipt', { room: 'general', data: { messageId: 'm1', seq: 1 } })
    await alice.nextOfType('read_receipt')
    const bob = await joinedAs(server.url, 'bob', 'general')
    expect((await bob.nextOfType('read_receipt')).userId).toBe('alice')
  })

  it('refuses a receipt for a room the connection has not joined with NOT_JOINED', async () => {
    const server = await startServer()
    const alice = await connectAs(server.url, 'alice')
    const sent = alice.sendFrame('read_receipt', {
      room: 'general',
      data: { messageId: 'm1', seq: 1 },
    })
    expect((await alice.nextOfType('error')).data).toMatchObject({
      code: 'NOT_JOINED',
      refId: sent.id,
    })
  })
})
