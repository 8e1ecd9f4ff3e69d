import type { Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { createWorld, type World } from '../support/realtimeWorld'

let world: World | undefined

afterEach(async () => {
  await world?.close()
  world = undefined
})

/** `ws` as the package's client is given it, keeping every socket it opens. */
function recordingWebSocket() {
  const sockets: WebSocket[] = []
  class Recording extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols)
      sockets.push(this)
    }
  }
  return { WebSocket: Recording, sockets }
}

const bytesRead = (socket: WebSocket | undefined) =>
  (socket as unknown as { _socket: Socket } | undefined)?._socket.bytesRead ?? 0

describe('compression end to end with the package client', () => {
  it('negotiates permessage-deflate with no client option, and chat and a join replay arrive intact and smaller on the wire', async () => {
    world = await createWorld({ compression: true })
    const bobs = recordingWebSocket()
    const carols = recordingWebSocket()
    const alice = await world.client('alice', { rooms: ['general'] })
    const bob = await world.client('bob', { rooms: ['general'], WebSocket: bobs.WebSocket })
    expect(bobs.sockets.map((socket) => socket.extensions)).toEqual(['permessage-deflate'])

    const content = JSON.stringify(
      Array.from({ length: 250 }, (_, i) => ({ card: `c${i}`, column: 'todo', points: i % 13 })),
    )
    const before = bytesRead(bobs.sockets[0])
    const { seq } = await alice.store
      .dispatch(alice.actions.sendChatMessage({ room: 'general', content }))
      .unwrap({ timeoutMs: 5000 })
    await bob.waitFor(
      () => bob.messages('general').some((m) => m.seq === seq),
      5000,
      'the large message',
    )
    expect(bob.messages('general').find((m) => m.seq === seq)?.data.content).toBe(content)
    expect(bytesRead(bobs.sockets[0]) - before).toBeLessThan(content.length / 4)

    const carol = await world.client('carol', { rooms: ['general'], WebSocket: carols.WebSocket })
    expect(carols.sockets[0]?.extensions).toBe('permessage-deflate')
    await carol.waitFor(
      () => carol.messages('general').some((m) => m.seq === seq),
      5000,
      'the replay',
    )
    expect(carol.messages('general').find((m) => m.seq === seq)?.data.content).toBe(content)
  })
})
