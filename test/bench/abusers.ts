/**
 * The four abusive clients of the abuse benchmark, each a loop that runs until `stopped()`:
 * a flooder of every frame type, a member that stops reading while its room is busy, a
 * connection churner and an oversize sender. Each returns what happened to it.
 */
import type { Socket } from 'node:net'
import { WebSocket } from 'ws'
import { makeFrame } from '../../src/protocol'
import type { Frame } from '../../src/protocol'
import { signDevToken } from '../../src/server'
import { BENCH_SECRET } from './abuseServer'

/** Close codes seen, by code. */
export type Closes = Map<number, number>

export interface Counter {
  connections: number
  framesSent: number
  messagesReceived: number
  closes: Closes
}

export const newCounter = (): Counter => ({
  connections: 0,
  framesSent: 0,
  messagesReceived: 0,
  closes: new Map(),
})

const tick = () => new Promise((resolve) => setImmediate(resolve))
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const encode = (frame: Frame) => JSON.stringify(frame)
const token = (userId: string) => signDevToken(BENCH_SECRET, userId)

/** Opens a socket, counting what it receives and how it closes; resolves once open (or closed). */
export async function open(url: string, counter: Counter) {
  const socket = new WebSocket(url)
  counter.connections++
  socket.on('message', () => counter.messagesReceived++)
  socket.on('error', () => undefined)
  const closed = new Promise<number>((resolve) =>
    socket.once('close', (code) => {
      counter.closes.set(code, (counter.closes.get(code) ?? 0) + 1)
      resolve(code)
    }),
  )
  await Promise.race([new Promise((resolve) => socket.once('open', resolve)), closed])
  const send = (text: string) => {
    if (socket.readyState !== WebSocket.OPEN) return
    socket.send(text)
    counter.framesSent++
  }
  return { socket, closed, send }
}

/** Waits for the first frame of `type` (or the close). */
function nextOfType(socket: WebSocket, type: string): Promise<Frame | undefined> {
  return new Promise((resolve) => {
    const onMessage = (data: Buffer) => {
      const frame = JSON.parse(data.toString()) as Frame
      if (frame.type !== type) return
      socket.off('message', onMessage)
      resolve(frame)
    }
    socket.on('message', onMessage)
    socket.once('close', () => resolve(undefined))
  })
}

/** Opens, authenticates as `userId`, and resolves once auth_ok came (undefined if refused). */
export async function session(url: string, userId: string, counter: Counter) {
  const connection = await open(url, counter)
  const ok = nextOfType(connection.socket, 'auth_ok')
  connection.send(encode(makeFrame('auth', { data: { token: await token(userId) } })))
  return (await ok) ? connection : undefined
}

/** One of every frame type a client can send, and some it cannot. */
function floodFrames(authToken: string): string[] {
  const room = 'flood'
  return [
    encode(makeFrame('ping', { data: {} })),
    encode(makeFrame('pong', { data: { echo: 1 } })),
    encode(makeFrame('auth', { data: { token: authToken } })),
    encode(makeFrame('join', { room, data: {} })),
    encode(makeFrame('chat_message', { room, data: { content: 'spam' } })),
    encode(makeFrame('typing_start', { room, data: {} })),
    encode(makeFrame('read_receipt', { room, data: { messageId: 'm1', seq: 1 } })),
    encode(makeFrame('presence_update', { data: { status: 'away' } })),
    encode(makeFrame('room_presence', { room, data: { data: { cursor: [1, 2] } } })),
    encode(makeFrame('subscribe', { data: { topic: 'user', userId: 'control' } })),
    encode(makeFrame('direct_message', { data: { to: 'control', content: 'spam' } })),
    encode(makeFrame('leave', { room, data: {} })),
    '{"v":1,',
    JSON.stringify({ v: 1, id: 'x', type: 'launch_missiles', timestamp: 1, data: {} }),
  ]
}

/** Floods frames of every type, 500 per event-loop turn, reconnecting whenever closed. */
export async function flood(url: string, stopped: () => boolean, counter: Counter) {
  const frames = floodFrames(await token('flooder'))
  while (!stopped()) {
    const connection = await session(url, 'flooder', counter)
    if (!connection) continue
    let done = false
    void connection.closed.then(() => (done = true))
    for (let i = 0; !done && !stopped(); i++) {
      for (let j = 0; j < 500; j++) connection.send(frames[(i * 500 + j) % frames.length] as string)
      await tick()
    }
    connection.socket.terminate()
  }
}

/** 16 KB messages into `room` at the rate limit (10/s), so a member who stops reading falls behind. */
export async function write(url: string, userId: string, room: string, stopped: () => boolean) {
  const counter = newCounter()
  const connection = await session(url, userId, counter)
  if (!connection) return
  connection.send(encode(makeFrame('join', { room, data: {} })))
  const content = 'w'.repeat(16 * 1024)
  while (!stopped()) {
    connection.send(encode(makeFrame('chat_message', { room, data: { content } })))
    await sleep(100)
  }
  connection.socket.close()
}

/** Joins `room`, reads its replay, then stops reading; rejoins from its cursor when dropped. */
export async function readSlowly(
  url: string,
  room: string,
  stopped: () => boolean,
  counter: Counter,
) {
  let cursor: { epoch: string; seq: number } | undefined
  while (!stopped()) {
    const connection = await session(url, 'slow', counter)
    if (!connection) continue
    let epoch = cursor?.epoch
    let seq = cursor?.seq ?? 0
    connection.socket.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString()) as Frame
      if (frame.type === 'joined') epoch = frame.data.epoch
      for (const f of frame.type === 'batch' ? frame.data.frames : [frame])
        if (f.type === 'chat_message' && f.seq !== undefined) seq = f.seq
      if (epoch) cursor = { epoch, seq }
    })
    connection.send(encode(makeFrame('join', { room, data: cursor ?? {} })))
    // Live again once a live message follows the replay: then stop reading.
    await nextOfType(connection.socket, 'chat_message')
    ;(connection.socket as unknown as { _socket: Socket })._socket.pause()
    await Promise.race([connection.closed, until(stopped)])
    connection.socket.terminate()
  }
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await sleep(50)
}

/**
 * Holds `cap` sessions of one user and keeps asking for one more (refused with 4029), while
 * fresh users connect, authenticate and leave, 4 at a time.
 */
export async function churn(url: string, cap: number, stopped: () => boolean, counter: Counter) {
  const held = await Promise.all(
    Array.from({ length: cap }, () => session(url, 'churner', counter)),
  )
  let fresh = 0
  const freshUsers = async () => {
    while (!stopped()) {
      const connection = await session(url, `fresh${fresh++}`, counter)
      connection?.socket.close()
      await connection?.closed
    }
  }
  const overCap = async () => {
    while (!stopped()) {
      const connection = await open(url, counter)
      connection.send(encode(makeFrame('auth', { data: { token: await token('churner') } })))
      await connection.closed
    }
  }
  await Promise.all([freshUsers(), freshUsers(), freshUsers(), freshUsers(), overCap()])
  for (const connection of held) connection?.socket.close()
  return fresh
}

/**
 * Sends what is too big: an auth with a 16 KB token (closed 4001), frames just above
 * `maxPayload` (refused, the connection stays) and one above twice it (closed 1009).
 */
export async function sendOversize(
  url: string,
  maxPayload: number,
  stopped: () => boolean,
  counter: Counter,
) {
  const bigAuth = encode(makeFrame('auth', { data: { token: 'x'.repeat(16 * 1024) } }))
  const room = 'oversize'
  const above = encode(
    makeFrame('chat_message', { room, data: { content: 'o'.repeat(maxPayload + 1000) } }),
  )
  const farAbove = encode(
    makeFrame('chat_message', { room, data: { content: 'o'.repeat(2 * maxPayload + 1000) } }),
  )
  while (!stopped()) {
    const anonymous = await open(url, counter)
    anonymous.send(bigAuth)
    await anonymous.closed
    const connection = await session(url, 'oversize', counter)
    if (!connection) continue
    for (let i = 0; i < 20; i++) connection.send(above)
    connection.send(farAbove)
    await connection.closed
  }
}
