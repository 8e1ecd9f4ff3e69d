import { describe, expect, it } from 'vitest'
import { connectAs, framesOf, join, joinedAs, startServer } from './harness'

describe('server direct messages', () => {
  it('reaches only the sender and the addressee, each copy on its own private stream', async () => {
    const server = await startServer()
    const alice = await joinedAs(server.url, 'alice', 'user:alice')
    const bob = await joinedAs(server.url, 'bob', 'user:bob')
    const eve = await joinedAs(server.url, 'eve', 'user:eve')

    const sent = alice.sendFrame('direct_message', {
      data: { to: 'bob', content: 'hi bob', mentions: ['bob'] },
    })
    const mine = await alice.nextOfType('direct_message')
    const ack = await alice.nextOfType('ack', (frame) => frame.data.refId === sent.id)
    const theirs = await bob.nextOfType('direct_message')
    expect(mine).toMatchObject({
      id: sent.id,
      room: 'user:alice',
      userId: 'alice',
      seq: 1,
      data: { to: 'bob', content: 'hi bob', mentions: ['bob'] },
    })
    expect(ack).toMatchObject({ room: 'user:alice', data: { refId: sent.id, seq: 1 } })
    expect(theirs).toMatchObject({ id: sent.id, room: 'user:bob', userId: 'alice', seq: 1 })
    expect(theirs.timestamp).toBe(mine.timestamp)

    // Sent after the first by the same connection: a copy for eve would have arrived before it.
    alice.sendFrame('direct_message', { data: { to: 'eve', content: 'marker' } })
    const marker = await eve.nextOfType('direct_message')
    expect(marker).toMatchObject({ seq: 1, data: { content: 'marker' } })
    expect(framesOf(eve, 'direct_message')).toHaveLength(1)
    expect(framesOf(bob, 'direct_message')).toHaveLength(1)
  })

  it('reaches every connection of the addressee that joined its private stream', async () => {
    const server = await startServer()
    const alice = await connectAs(server.url, 'alice')
    const phone = await joinedAs(server.url, 'bob', 'user:bob')
    const laptop = await joinedAs(server.url, 'bob', 'user:bob')
    const sent = alice.sendFrame('direct_message', { data: { to: 'bob', content: 'both' } })
    await alice.nextOfType('ack', (frame) => frame.data.refId === sent.id)
    expect((await phone.nextOfType('direct_message')).id).toBe(sent.id)
    expect((await laptop.nextOfType('direct_message')).id).toBe(sent.id)
  })

  it('acks a repeated id with the same seq and stores no second copy', async () => {
    const server = await startServer()
    const alice = await joinedAs(server.url, 'alice', 'user:alice')
    const bob = await joinedAs(server.url, 'bob', 'user:bob')
    const first = alice.sendFrame('direct_message', { data: { to: 'bob', content: 'once' } })
    const firstAck = await alice.nextOfType('ack')
    alice.sendFrame('direct_message', { id: first.id, data: { to: 'bob', content: 'once' } })
    const repeatAck = await alice.nextOfType('ack')
    expect(repeatAck.data).toEqual({ refId: first.id, seq: firstAck.data.seq })

    alice.sendFrame('direct_message', { data: { to: 'bob', content: 'marker' } })
    await bob.nextOfType('direct_message', (frame) => frame.data.content === 'marker')
    await alice.nextOfType('ack', (frame) => frame.data.seq === 2)
    expect(framesOf(bob, 'direct_message').map((frame) => frame.seq)).toEqual([1, 2])
    expect(framesOf(alice, 'direct_message').map((frame) => frame.seq)).toEqual([1, 2])
  })

  it("refuses with DUPLICATE_ID an id already used on the addressee's stream, storing it on neither", async () => {
    const server = await startServer()
    const alice = await joinedAs(server.url, 'alice', 'user:alice')
    const bob = await joinedAs(server.url, 'bob', 'user:bob')
    const carol = await connectAs(server.url, 'carol')
    carol.sendFrame('direct_message', { id: 'same', data: { to: 'bob', content: 'from carol' } })
    await carol.nextOfType('ack')
    alice.sendFrame('direct_message', { id: 'same', data: { to: 'bob', content: 'from alice' } })
    const error = await alice.nextOfType('error')
    expect(error.room).toBeUndefined()
    expect(error.data).toMatchObject({ code: 'DUPLICATE_ID', refId: 'same' })
    expect(error.data.message).toBe(
      'message id same is already used in user:bob by another user; pick a new id',
    )
    const marker = alice.sendFrame('direct_message', { data: { to: 'bob', content: 'marker' } })
    expect((await alice.nextOfType('ack', (ack) => ack.data.refId === marker.id)).data.seq).toBe(1)
    await bob.nextOfType('direct_message', (frame) => frame.id === marker.id)
    expect(framesOf(alice, 'direct_message').map((frame) => frame.id)).toEqual([marker.id])
    expect(framesOf(bob, 'direct_message').map((frame) => frame.data.content)).toEqual([
      'from carol',
      'marker',
    ])
  })

  it("refuses with DUPLICATE_ID an id already used on the sender's own stream", async () => {
    const server = await startServer()
    const alice = await joinedAs(server.url, 'alice', 'user:alice')
    const bob = await joinedAs(server.url, 'bob', 'user:bob')
    bob.sendFrame('direct_message', { id: 'same', data: { to: 'alice', content: 'from bob' } })
    await alice.nextOfType('direct_message')
    const carol = await connectAs(server.url, 'carol')
    alice.sendFrame('direct_message', { id: 'same', data: { to: 'carol', content: 'x' } })
    expect((await alice.nextOfType('error')).data).toMatchObject({
      code: 'DUPLICATE_ID',
      refId: 'same',
      message: 'message id same is already used in user:alice by another user; pick a new id',
    })
    const history = await join(carol, 'user:carol')
    expect(history.data.headSeq).toBe(0)
  })

  it('replays exactly the missed direct messages when the private stream is rejoined with a cursor', async () => {
    const server = await startServer()
    const alice = await connectAs(server.url, 'alice')
    const bob = await joinedAs(server.url, 'bob', 'user:bob')
    alice.sendFrame('direct_message', { data: { to: 'bob', content: 'seen' } })
    const seen = await bob.nextOfType('direct_message')
    bob.close()
    await bob.closed

    for (const content of ['missed 1', 'missed 2']) {
      const sent = alice.sendFrame('direct_message', { data: { to: 'bob', content } })
      await alice.nextOfType('ack', (frame) => frame.data.refId === sent.id)
    }
    const again = await connectAs(server.url, 'bob')
    const joined = await join(again, 'user:bob', { epoch: server.epoch, seq: seen.seq })
    expect(joined.data).toMatchObject({ resumed: true, gap: false, fromSeq: 1, headSeq: 3 })
    const replay = await again.nextOfType('batch')
    expect(replay.data.frames.map((frame) => [frame.seq, frame.type, frame.room])).toEqual([
      [2, 'direct_message', 'user:bob'],
      [3, 'direct_message', 'user:bob'],
    ])
  })

  it("refuses to join another user's private stream with FORBIDDEN, whatever authorize says", async () => {
    const server = await startServer({ authorize: () => true })
    const eve = await connectAs(server.url, 'eve')
    const request = eve.sendFrame('join', { room: 'user:bob', data: {} })
    expect((await eve.nextOfType('error')).data).toMatchObject({
      code: 'FORBIDDEN',
      refId: request.id,
    })
  })

  it('refuses a chat_message to a private stream with FORBIDDEN', async () => {
    const server = await startServer()
    const alice = await joinedAs(server.url, 'alice', 'user:alice')
    for (const room of ['user:alice', 'user:bob']) {
      const sent = alice.sendFrame('chat_message', { room, data: { content: 'x' } })
      expect((await alice.nextOfType('error')).data).toMatchObject({
        code: 'FORBIDDEN',
        refId: sent.id,
      })
    }
  })

  it('refuses a direct message to yourself with INVALID_FRAME', async () => {
    const server = await startServer()
    const alice = await joinedAs(server.url, 'alice', 'user:alice')
    const sent = alice.sendFrame('direct_message', { data: { to: 'alice', content: 'me' } })
    expect((await alice.nextOfType('error')).data).toMatchObject({
      code: 'INVALID_FRAME',
      refId: sent.id,
    })
  })
})
