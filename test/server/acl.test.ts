import { describe, expect, it } from 'vitest'
import { generatePrivateRoomId } from '../../src/protocol'
import type { RawClient } from '../support/rawClient'
import type { AuthorizeRequest } from '../../src/server'
import { connectAs, join, joinedAs, startServer } from './harness'

async function refusedJoin(client: RawClient, room: string) {
  const request = client.sendFrame('join', { room, data: {} })
  const error = await client.nextOfType('error', (frame) => frame.data.refId === request.id)
  return error.data.code
}

describe('server room permissions', () => {
  it('applies the rooms option: a private room admits only its members', async () => {
    const server = await startServer({ rooms: { staff: { public: false, members: ['alice'] } } })
    const alice = await connectAs(server.url, 'alice')
    expect((await join(alice, 'staff')).room).toBe('staff')
    const bob = await connectAs(server.url, 'bob')
    expect(await refusedJoin(bob, 'staff')).toBe('FORBIDDEN')
    expect((await join(bob, 'general')).room).toBe('general')
  })

  it('applies writers from the rooms option to chat messages', async () => {
    const server = await startServer({ rooms: { news: { writers: ['alice'] } } })
    const alice = await joinedAs(server.url, 'alice', 'news')
    const bob = await joinedAs(server.url, 'bob', 'news')
    const denied = bob.sendFrame('chat_message', { room: 'news', data: { content: 'x' } })
    expect((await bob.nextOfType('error')).data).toMatchObject({
      code: 'FORBIDDEN',
      refId: denied.id,
    })
    const allowed = alice.sendFrame('chat_message', { room: 'news', data: { content: 'y' } })
    expect((await alice.nextOfType('ack')).data).toEqual({ refId: allowed.id, seq: 1 })
  })

  it('admits only its two users to a dm: room by default', async () => {
    const server = await startServer()
    const room = generatePrivateRoomId('alice', 'bob')
    expect((await join(await connectAs(server.url, 'bob'), room)).room).toBe(room)
    expect(await refusedJoin(await connectAs(server.url, 'eve'), room)).toBe('FORBIDDEN')
  })

  it("asks authorize about a direct message as a write to the pair's dm: room", async () => {
    const requests: AuthorizeRequest[] = []
    const server = await startServer({
      authorize: (request) => {
        requests.push(request)
        return request.userId !== 'eve'
      },
    })
    const eve = await connectAs(server.url, 'eve')
    const sent = eve.sendFrame('direct_message', { data: { to: 'bob', content: 'spam' } })
    expect((await eve.nextOfType('error')).data).toMatchObject({
      code: 'FORBIDDEN',
      refId: sent.id,
    })
    expect(requests).toEqual([
      { userId: 'eve', room: generatePrivateRoomId('eve', 'bob'), action: 'write' },
    ])
    const bob = await joinedAs(server.url, 'bob', 'user:bob')
    const alice = await connectAs(server.url, 'alice')
    alice.sendFrame('direct_message', { data: { to: 'bob', content: 'hi' } })
    expect((await bob.nextOfType('direct_message')).data.content).toBe('hi')
  })

  it('lets a given authorize replace the rules of the rooms option', async () => {
    const server = await startServer({
      rooms: { staff: { public: false, members: ['alice'] } },
      authorize: () => true,
    })
    expect((await join(await connectAs(server.url, 'bob'), 'staff')).room).toBe('staff')
  })

  it("keeps a user's own private stream joinable whatever authorize says", async () => {
    const server = await startServer({ authorize: () => false })
    const alice = await connectAs(server.url, 'alice')
    expect((await join(alice, 'user:alice')).room).toBe('user:alice')
    expect(await refusedJoin(alice, 'general')).toBe('FORBIDDEN')
  })
})
