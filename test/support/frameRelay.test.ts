import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { WebSocket, WebSocketServer } from 'ws'
import { connect, connectAs, framesOf, joinedAs, onCleanup, startServer } from '../server/harness'
import { createFrameRelay, type FrameRelayOptions, type RelayedMessage } from './frameRelay'
import { makeFrame } from '../../src/protocol'
import { tokenFor } from './tokens'

async function relayTo(target: string, options: Partial<FrameRelayOptions> = {}) {
  const relay = await createFrameRelay({ target, seed: 1, ...options })
  onCleanup(() => relay.close())
  return relay
}

/** A bare `ws` server that records what its clients send and how they close. */
async function plainServer() {
  const wss = new WebSocketServer({
    port: 0,
    host: '127.0.0.1',
    handleProtocols: (offered) => (offered.has('v2') ? 'v2' : false),
  })
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()))
  const sockets: WebSocket[] = []
  const received: string[] = []
  const closes: Array<{ code: number; reason: string }> = []
  wss.on('connection', (socket) => {
    sockets.push(socket)
    socket.on('message', (data: Buffer) => received.push(data.toString()))
    socket.on('close', (code, reason) => closes.push({ code, reason: reason.toString() }))
  })
  onCleanup(
    () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate()
        wss.close(() => resolve())
      }),
  )
  return { url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, sockets, received, closes }
}

async function until(condition: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

function openSocket(url: string, protocols: string[] = []): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, protocols)
    socket.once('open', () => resolve(socket))
    socket.once('error', reject)
    onCleanup(() => socket.terminate())
  })
}

const closeOf = (socket: WebSocket) =>
  new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  )

describe('createFrameRelay', () => {
  it('relays a session both ways and counts what it forwarded, by frame type', async () => {
    const server = await startServer()
    const relay = await relayTo(server.url)
    expect(relay.url).toBe(`ws://127.0.0.1:${relay.port}`)
    const alice = await joinedAs(relay.url, 'alice', 'general')
    alice.sendFrame('chat_message', { room: 'general', data: { content: 'hi' } })
    await alice.nextOfType('ack')

    const stats = relay.stats()
    expect(stats.connections).toBe(1)
    expect(stats.toServer.byType).toEqual({ auth: 1, join: 1, chat_message: 1 })
    expect(stats.toClient.byType).toMatchObject({ auth_ok: 1, joined: 1, chat_message: 1, ack: 1 })
    expect(stats.toClient.duplicated + stats.toClient.replayed).toBe(0)
    expect(relay.connections()).toEqual([
      expect.objectContaining({ id: 1, open: true, toServer: expect.any(Object) }),
    ])
  })

  it('drops listed frame types, out of the batches the server packs them in too', async () => {
    const server = await startServer({ rateLimit: false })
    const relay = await relayTo(server.url, { toClient: { drop: ['ack'] } })
    const alice = await joinedAs(relay.url, 'alice', 'general')
    const frames = Array.from({ length: 5 }, (_, i) =>
      makeFrame('chat_message', { room: 'general', data: { content: `m${i}` } }),
    )
    alice.send(makeFrame('batch', { data: { frames } }))
    alice.sendFrame('chat_message', { room: 'general', data: { content: 'alone' } })
    await until(() => framesOf(alice, 'chat_message').length === 6, 'the six echoes')
    expect(framesOf(alice, 'ack')).toEqual([])
    expect(relay.stats().toClient.dropped).toBeGreaterThan(0)
  })

  it('duplicates server frames: each arrives twice in a row', async () => {
    const server = await startServer()
    const relay = await relayTo(server.url, { toClient: { duplicate: 1 } })
    const alice = await connectAs(relay.url, 'alice')
    alice.sendFrame('ping', { data: {} })
    await until(() => framesOf(alice, 'pong').length === 2, 'two pongs')
    const ids = alice.received.map((f) => f.id)
    expect(ids.length % 2).toBe(0)
    expect(ids.filter((_, i) => i % 2 === 1)).toEqual(ids.filter((_, i) => i % 2 === 0))
    expect(new Set(ids).size).toBe(ids.length / 2)
    const { toClient } = relay.stats()
    expect(toClient).toMatchObject({ duplicated: toClient.messages })
    expect(toClient.injectedByType).toMatchObject({ auth_ok: 1, pong: 1 })
  })

  it('replays stale copies after live frames, keeps live order, and never replays an error', async () => {
    const server = await startServer({ rateLimit: false })
    const relay = await relayTo(server.url, { seed: 3, toClient: { replay: 0.5, replayDepth: 50 } })
    const seen: RelayedMessage[] = []
    relay.onMessage((message) => {
      if (message.direction === 'toClient') seen.push(message)
    })
    const alice = await joinedAs(relay.url, 'alice', 'general')
    for (let i = 0; i < 40; i++) {
      alice.sendFrame('chat_message', { room: 'general', data: { content: `m${i}` } })
    }
    alice.sendFrame('chat_message', { room: 'nope nope', data: { content: 'invalid' } })
    await until(() => framesOf(alice, 'error').length > 0, 'the error')

    const live = seen.filter((m) => !m.injected).map((m) => m.text)
    const injected = seen.filter((m) => m.injected === 'replay')
    expect(injected.length).toBeGreaterThan(5)
    for (const copy of injected) {
      const index = seen.indexOf(copy)
      // A copy of something already sent, never of what has not happened yet.
      expect(seen.slice(0, index).some((m) => !m.injected && m.text === copy.text)).toBe(true)
      expect(JSON.parse(copy.text).type).not.toBe('error')
    }
    await until(() => alice.received.length === seen.length, 'every relayed frame')
    const received = alice.received.map((f) => f.id)
    expect(received.filter((_, i) => !seen[i]?.injected)).toEqual(live.map((t) => JSON.parse(t).id))
    expect(relay.stats().toClient.replayed).toBe(injected.length)
  })

  it('duplicates client frames: the server gets the message twice and stores it once', async () => {
    const server = await startServer()
    const relay = await relayTo(server.url, { toServer: { duplicate: 1 } })
    const alice = await joinedAs(relay.url, 'alice', 'general')
    const bob = await joinedAs(server.url, 'bob', 'general')
    const sent = alice.sendFrame('chat_message', { room: 'general', data: { content: 'once' } })
    await until(() => framesOf(alice, 'ack').length === 2, 'two acks')
    expect(framesOf(alice, 'ack').map((a) => a.data)).toEqual([
      { refId: sent.id, seq: 1 },
      { refId: sent.id, seq: 1 },
    ])
    await until(() => framesOf(bob, 'chat_message').length === 1, 'the message')
    expect(relay.stats().toServer).toMatchObject({
      duplicated: 3,
      injectedByType: { chat_message: 1 },
    })
  })

  it('passes a close on with its code and reason, both ways', async () => {
    const target = await plainServer()
    const relay = await relayTo(target.url)
    const fromClient = await openSocket(relay.url)
    await until(() => target.sockets.length === 1, 'upstream')
    fromClient.close(4321, 'client says bye')
    await until(() => target.closes.length === 1, 'upstream close')
    expect(target.closes[0]).toEqual({ code: 4321, reason: 'client says bye' })

    const fromServer = await openSocket(relay.url)
    await until(() => target.sockets.length === 2, 'second upstream')
    const closed = closeOf(fromServer)
    target.sockets[1]?.close(4008, 'rate limit exceeded')
    expect(await closed).toEqual({ code: 4008, reason: 'rate limit exceeded' })
    expect(relay.connections().map((c) => [c.open, c.closeCode])).toEqual([
      [false, 4321],
      [false, 4008],
    ])
  })

  it('a refused token closes the client with 4001 through the relay', async () => {
    const server = await startServer()
    const relay = await relayTo(server.url)
    const alice = await connect(relay.url)
    alice.sendFrame('auth', { data: { token: await tokenFor('alice', { secret: 'wrong' }) } })
    expect((await alice.closed).code).toBe(4001)
  })

  it('cutAll ends both sides abruptly', async () => {
    const target = await plainServer()
    const relay = await relayTo(target.url)
    const a = await openSocket(relay.url)
    await until(() => target.sockets.length === 1, 'upstream')
    const closed = closeOf(a)
    relay.cutAll()
    expect((await closed).code).toBe(1006)
    await until(() => target.closes.length === 1, 'upstream end')
    expect(target.closes[0]?.code).toBe(1006)
    await expect(openSocket(relay.url)).resolves.toBeTruthy()
  })

  it('passes the subprotocol on and refuses the client while the server is down', async () => {
    const target = await plainServer()
    const relay = await relayTo(target.url)
    const socket = await openSocket(relay.url, ['v1', 'v2'])
    expect(socket.protocol).toBe('v2')
    socket.send('hello')
    await until(() => target.received.length === 1, 'text upstream')
    expect(target.received).toEqual(['hello'])

    relay.setTarget('ws://127.0.0.1:1')
    await expect(openSocket(relay.url)).rejects.toThrow()
    expect(relay.stats().refused).toBe(1)
  })
})
