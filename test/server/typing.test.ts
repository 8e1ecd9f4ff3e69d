import { describe, expect, it } from 'vitest'
import { connectAs, framesOf, join, joinedAs, startServer } from './harness'

describe('server typing', () => {
  it("relays typing to the room's other connections only, as from the sender, with no seq", async () => {
    const server = await startServer()
    const alice = await joinedAs(server.url, 'alice', 'general')
    const aliceLaptop = await joinedAs(server.url, 'alice', 'general')
    const bob = await joinedAs(server.url, 'bob', 'general')

    alice.sendFrame('typing_start', { room: 'general', userId: 'mallory', data: {} })
    const relayed = await bob.nextOfType('typing_start')
    expect(relayed).toMatchObject({ room: 'general', userId: 'alice', data: {} })
    expect(relayed.seq).toBeUndefined()
    expect((await aliceLaptop.nextOfType('typing_start')).userId).toBe('alice')
    alice.sendFrame('typing_stop', { room: 'general', data: {} })
    expect((await bob.nextOfType('typing_stop')).userId).toBe('alice')

    // Handled after the typing frames: anything relayed back would have come first.
    const marker = alice.sendFrame('chat_message', { room: 'general', data: { content: 'm' } })
    await alice.nextOfType('ack', (frame) => frame.data.refId === marker.id)
    expect(framesOf(alice, 'typing_start')).toEqual([])
    expect(framesOf(alice, 'typing_stop')).toEqual([])
    expect(framesOf(alice, 'ack')).toHaveLength(1)
  })

  it('stores nothing: a later joiner replays the chat but no typing', async () => {
    const server = await startServer()
    const alice = await joinedAs(server.url, 'alice', 'general')
    alice.sendFrame('typing_start', { room: 'general', data: {} })
    const sent = alice.sendFrame('chat_message', { room: 'general', data: { content: 'hi' } })
    const ack = await alice.nextOfType('ack', (frame) => frame.data.refId === sent.id)
    expect(ack.data.seq).toBe(1)
    const carol = await connectAs(server.url, 'carol')
    expect((await join(carol, 'general')).data.headSeq).toBe(1)
    const replay = await carol.nextOfType('batch')
    expect(replay.data.frames.map((frame) => frame.type)).toEqual(['chat_message'])
  })

  it('refuses typing in a room the connection has not joined with NOT_JOINED', async () => {
    const server = await startServer()
    const alice = await connectAs(server.url, 'alice')
    const sent = alice.sendFrame('typing_start', { room: 'general', data: {} })
    expect((await alice.nextOfType('error')).data).toMatchObject({
      code: 'NOT_JOINED',
      refId: sent.id,
    })
  })
})
