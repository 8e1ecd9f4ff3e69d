import { describe, expect, it } from 'vitest'
import type { Frame } from '../../src/protocol'
import { createMemoryHistory } from '../../src/server'
import type { HistoryStore } from '../../src/server'
import type { RawClient } from '../support/rawClient'
import { connectAs, framesOf, joinedAs, startServer } from './harness'

/** Seqs of chat frames received, replayed batches included, in arrival order. */
function appliedSeqs(frames: Frame[]): number[] {
  return frames.flatMap((frame) => {
    if (frame.type === 'batch') return appliedSeqs(frame.data.frames)
    return frame.type === 'chat_message' && frame.seq !== undefined ? [frame.seq] : []
  })
}

async function say(client: RawClient, room: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const sent = client.sendFrame('chat_message', { room, data: { content: `m${i}` } })
    await client.nextOfType('ack', (frame) => frame.data.refId === sent.id)
  }
}

async function join(client: RawClient, room: string, data: { epoch?: string; seq?: number }) {
  client.sendFrame('join', { room, data })
  return client.nextOfType('joined', (frame) => frame.room === room)
}

describe('server rooms', () => {
  it('answers a first join with joined and no replay in an empty room', async () => {
    const server = await startServer()
    const alice = await connectAs(server.url, 'alice')
    const joined = await join(alice, 'general', {})
    expect(joined.data).toEqual({
      refId: expect.any(String),
      epoch: server.epoch,
      fromSeq: 0,
      headSeq: 0,
      resumed: false,
      gap: false,
    })
  })

  it('resumes from the cursor and replays only the missed frames', async () => {
    const server = await startServer()
    const alice = await joinedAs(server.url, 'alice', 'general')
    await say(alice, 'general', 5)
    const bob = await connectAs(server.url, 'bob')
    const joined = await join(bob, 'general', { epoch: server.epoch, seq: 3 })
    expect(joined.data).toEqual({
      refId: expect.any(String),
      epoch: server.epoch,
      fromSeq: 3,
      headSeq: 5,
      resumed: true,
      gap: false,
    })
    const replay = await bob.nextOfType('batch')
    expect(appliedSeqs([replay])).toEqual([4, 5])
    expect(replay.data.frames[0]).toMatchObject({
      type: 'chat_message',
      userId: 'alice',
      room: 'general',
    })
  })

  it("names the join it answers in joined's refId", async () => {
    const server = await startServer()
    const alice = await connectAs(server.url, 'alice')
    const first = alice.sendFrame('join', { room: 'general', data: {} })
    const second = alice.sendFrame('join', { room: 'general', data: {} })
    const other = alice.sendFrame('join', { room: 'random', data: {} })
    await alice.nextOfType('joined', (frame) => frame.room === 'random')
    expect(framesOf(alice, 'joined').map((frame) => [frame.room, frame.data.refId])).toEqual([
      ['general', first.id],
      ['general', second.id],
      ['random', other.id],
    ])
  })

  it('sends no replay when the cursor is at the head', async () => {
    const server = await startServer()
    const alice = await joinedAs(server.url, 'alice', 'general')
    await say(alice, 'general', 2)
    const joined = await join(alice, 'general', { epoch: server.epoch, seq: 2 })
    expect(joined.data).toMatchObject({ resumed: true, gap: false, fromSeq: 2, headSeq: 2 })
    await say(alice, 'general', 1)
    expect(alice.received.filter((frame) => frame.type === 'batch')).toEqual([])
  })

  it('replays everything with gap true for a cursor from another epoch', async () => {
    const server = await startServer()
    const alice = await joinedAs(server.url, 'alice', 'general')
    await say(alice, 'general', 3)
    const bob = await connectAs(server.url, 'bob')
    const joined = await join(bob, 'general', { epoch: 'old-epoch', seq: 2 })
    expect(joined.data).toEqual({
      refId: expect.any(String),
      epoch: server.epoch,
      fromSeq: 0,
      headSeq: 3,
      resumed: false,
      gap: true,
    })
    expect(appliedSeqs([await bob.nextOfType('batch')])).toEqual([1, 2, 3])
  })

  it('reports a gap and replays only what is retained for a cursor older than retention', async () => {
    const server = await startServer({ historySize: 5 })
    const alice = await joinedAs(server.url, 'alice', 'general')
    await say(alice, 'general', 12)
    const bob = await connectAs(server.url, 'bob')
    const joined = await join(bob, 'general', { epoch: server.epoch, seq: 2 })
    expect(joined.data).toEqual({
      refId: expect.any(String),
      epoch: server.epoch,
      fromSeq: 7,
      headSeq: 12,
      resumed: false,
      gap: true,
    })
    expect(appliedSeqs([await bob.nextOfType('batch')])).toEqual([8, 9, 10, 11, 12])
  })

  it('resumes a cursor exactly at the edge of retention', async () => {
    const server = await startServer({ historySize: 5 })
    const alice = await joinedAs(server.url, 'alice', 'general')
    await say(alice, 'general', 12)
    const bob = await connectAs(server.url, 'bob')
    const joined = await join(bob, 'general', { epoch: server.epoch, seq: 7 })
    expect(joined.data).toMatchObject({ resumed: true, gap: false, fromSeq: 7 })
    expect(appliedSeqs([await bob.nextOfType('batch')])).toEqual([8, 9, 10, 11, 12])
  })

  it('splits a long replay into batches of at most 200 frames', async () => {
    const server = await startServer({ rateLimit: false, maxInFlight: 1000 })
    const alice = await joinedAs(server.url, 'alice', 'general')
    for (let i = 0; i < 450; i++)
      alice.sendFrame('chat_message', { room: 'general', data: { content: `m${i}` } })
    await alice.nextOfType('ack', (frame) => frame.data.seq === 450)
    const bob = await connectAs(server.url, 'bob')
    await join(bob, 'general', {})
    const sizes: number[] = []
    for (let i = 0; i < 3; i++) sizes.push((await bob.nextOfType('batch')).data.frames.length)
    expect(sizes).toEqual([200, 200, 50])
    expect(appliedSeqs(bob.received)).toEqual(Array.from({ length: 450 }, (_, i) => i + 1))
  })

  it('delivers joined, then the replay, then live frames, with nothing lost or doubled while joining', async () => {
    const memory = createMemoryHistory(1000)
    // A slow `since` widens the window in which a live write could slip between joined and replay.
    const slowHistory: HistoryStore = {
      append: (room, frame, key) => memory.append(room, frame, key),
      since: async (room, after) => {
        await new Promise((resolve) => setTimeout(resolve, 30))
        return memory.since(room, after)
      },
    }
    const server = await startServer({ history: slowHistory, rateLimit: false })
    const alice = await joinedAs(server.url, 'alice', 'general')
    await say(alice, 'general', 3)
    const bob = await connectAs(server.url, 'bob')
    bob.sendFrame('join', { room: 'general', data: {} })
    for (let i = 0; i < 5; i++)
      alice.sendFrame('chat_message', { room: 'general', data: { content: `live${i}` } })
    await bob.nextOfType('chat_message', (frame) => frame.seq === 8)
    const roomFrames = bob.received.filter((frame) =>
      ['joined', 'batch', 'chat_message'].includes(frame.type),
    )
    expect(roomFrames[0]?.type).toBe('joined')
    expect(appliedSeqs(bob.received)).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
  })

  it("answers joined with the stream's own epoch when the store keeps one, across server starts", async () => {
    const memory = createMemoryHistory(1000)
    // A store that names an epoch per stream and outlives the server, as the Redis one does.
    const epochOf = (room: string) => `epoch-of-${room}`
    const lasting: HistoryStore = {
      append: async (room, frame, key) => ({
        ...(await memory.append(room, frame, key)),
        epoch: epochOf(room),
      }),
      since: async (room, after) => ({
        ...(await memory.since(room, after)),
        epoch: epochOf(room),
      }),
    }
    const first = await startServer({ history: lasting })
    const alice = await connectAs(first.url, 'alice')
    expect((await join(alice, 'general', {})).data.epoch).toBe('epoch-of-general')
    expect((await join(alice, 'random', {})).data.epoch).toBe('epoch-of-random')
    await say(alice, 'general', 3)
    await first.close()
    const second = await startServer({ history: lasting })
    const bob = await connectAs(second.url, 'bob')
    // auth_ok still names the server instance; the stream's cursor resumes on the new one.
    expect(bob.received[0]).toMatchObject({ type: 'auth_ok', data: { epoch: second.epoch } })
    expect(second.epoch).not.toBe(first.epoch)
    const joined = await join(bob, 'general', { epoch: 'epoch-of-general', seq: 1 })
    expect(joined.data).toMatchObject({
      epoch: 'epoch-of-general',
      fromSeq: 1,
      resumed: true,
      gap: false,
    })
    expect(appliedSeqs([await bob.nextOfType('batch')])).toEqual([2, 3])
    const stale = await join(bob, 'general', { epoch: second.epoch, seq: 1 })
    expect(stale.data).toMatchObject({
      epoch: 'epoch-of-general',
      fromSeq: 0,
      resumed: false,
      gap: true,
    })
  })

  it('replays again when a joined room is joined again', async () => {
    const server = await startServer()
    const alice = await joinedAs(server.url, 'alice', 'general')
    await say(alice, 'general', 2)
    await join(alice, 'general', {})
    expect(appliedSeqs([await alice.nextOfType('batch')])).toEqual([1, 2])
  })

  it('stops broadcasting to a connection after leave', async () => {
    const server = await startServer()
    const alice = await joinedAs(server.url, 'alice', 'general')
    const bob = await joinedAs(server.url, 'bob', 'general')
    bob.sendFrame('leave', { room: 'general', data: {} })
    expect((await bob.nextOfType('left')).room).toBe('general')
    await say(alice, 'general', 1)
    bob.sendFrame('ping', { data: {} })
    await bob.nextOfType('pong')
    expect(appliedSeqs(bob.received)).toEqual([])
  })

  it('refuses a message to a room the connection has not joined with NOT_JOINED', async () => {
    const server = await startServer()
    const alice = await connectAs(server.url, 'alice')
    const sent = alice.sendFrame('chat_message', { room: 'general', data: { content: 'hi' } })
    const error = await alice.nextOfType('error')
    expect(error.data).toMatchObject({ code: 'NOT_JOINED', refId: sent.id })
  })

  it('refuses a denied join with FORBIDDEN and does not add the member', async () => {
    const server = await startServer({ authorize: ({ room }) => room !== 'secret' })
    const alice = await joinedAs(server.url, 'alice', 'secret-ish')
    const request = alice.sendFrame('join', { room: 'secret', data: {} })
    const error = await alice.nextOfType('error')
    expect(error.data).toMatchObject({ code: 'FORBIDDEN', refId: request.id })
    const sent = alice.sendFrame('chat_message', { room: 'secret', data: { content: 'x' } })
    expect((await alice.nextOfType('error')).data).toMatchObject({
      code: 'NOT_JOINED',
      refId: sent.id,
    })
  })

  it('refuses a denied write with FORBIDDEN and stores nothing', async () => {
    const server = await startServer({
      authorize: ({ userId, action }) => Promise.resolve(action === 'join' || userId !== 'eve'),
    })
    const eve = await joinedAs(server.url, 'eve', 'general')
    const alice = await joinedAs(server.url, 'alice', 'general')
    const sent = eve.sendFrame('chat_message', { room: 'general', data: { content: 'spam' } })
    expect((await eve.nextOfType('error')).data).toMatchObject({
      code: 'FORBIDDEN',
      refId: sent.id,
    })
    await say(alice, 'general', 1)
    expect(appliedSeqs(alice.received)).toEqual([1])
  })

  it('counts a throwing authorize as a denial', async () => {
    const server = await startServer({
      authorize: () => {
        throw new Error('policy store down')
      },
    })
    const alice = await connectAs(server.url, 'alice')
    alice.sendFrame('join', { room: 'general', data: {} })
    expect((await alice.nextOfType('error')).data.code).toBe('FORBIDDEN')
  })
})
