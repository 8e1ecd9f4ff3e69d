/**
 * Round trips and sending, browser-like delivery, RTK checks off:
 * - sequential round trips against the fake server (chat → its ack, no echo): the package
 *   awaits `dispatch(sendChatMessage(...)).unwrap()`, the baseline sends a frame on a raw `ws`
 *   socket and waits for the ack frame;
 * - one sender, `count` messages until all acked, against the fake server with `echo=1` (an
 *   ack and the message back with its seq, as the reference server sends a member; the
 *   reference server itself tops out near 11,000 msg/s here, below what the raw client takes,
 *   so it would measure the server): the package
 *   dispatches them all at once and awaits every `unwrap()`; the baseline keeps at most
 *   `window` messages unacknowledged (the server's `maxInFlight`) on a raw `ws` socket and
 *   `JSON.parse`s every message it gets (acks and echoes, batched as the server packs them).
 */
import { WebSocket } from 'ws'
import { encodeFrame, makeFrame } from '../../src/protocol'
import { signDevToken } from '../../src/server'
import { BENCH_SECRET, CONTROL_ROOM } from './benchServer'
import { packageClient, rawClient, socketClass } from './clients'
import { within } from './rows'

const WAIT_MS = 120_000

/** Latencies in ms of `trips` sequential round trips, sorted ascending. */
export async function roundTripsPackage(url: string, trips: number): Promise<number[]> {
  const client = await packageClient({ url, delivery: 'browser', checks: false, rooms: [] })
  const latencies: number[] = []
  for (let i = 0; i < trips; i++) {
    const started = performance.now()
    await within(client.go(`trip ${i}`), WAIT_MS, `round trip ${i}`)
    latencies.push(performance.now() - started)
  }
  client.close()
  return latencies.sort((a, b) => a - b)
}

export async function roundTripsRaw(url: string, trips: number): Promise<number[]> {
  const client = await rawClient(url, 'browser', [])
  const latencies: number[] = []
  let acked: (refId: string | undefined) => void = () => {}
  client.onFrame((frame) => {
    if (frame.type === 'ack') acked(frame.data?.refId)
  })
  for (let i = 0; i < trips; i++) {
    const started = performance.now()
    const trip = new Promise<void>((resolve) => {
      let id = ''
      acked = (refId) => {
        if (refId === id) resolve()
      }
      id = client.chat(`trip ${i}`)
    })
    await within(trip, WAIT_MS, `raw round trip ${i}`)
    latencies.push(performance.now() - started)
  }
  client.socket.close()
  return latencies.sort((a, b) => a - b)
}

/** Messages/s for one sender: `count` chat messages dispatched at once, until every one is acked. */
export async function sendPackage(url: string, count: number, user: string): Promise<number> {
  const client = await packageClient({
    url,
    delivery: 'browser',
    checks: false,
    rooms: [],
    token: await signDevToken(BENCH_SECRET, user),
    config: { messageQueueSize: count },
  })
  const started = performance.now()
  const acks: Promise<unknown>[] = []
  for (let i = 0; i < count; i++)
    acks.push(
      client.store
        .dispatch(client.realtime.actions.sendChatMessage({ room: CONTROL_ROOM, content: `m${i}` }))
        .unwrap(),
    )
  await within(Promise.all(acks), WAIT_MS, `${count} acks`)
  const seconds = (performance.now() - started) / 1000
  client.close()
  return count / seconds
}

/** The baseline: the same messages on a raw socket, at most `window` unacknowledged. */
export async function sendRaw(
  url: string,
  count: number,
  window: number,
  user: string,
): Promise<number> {
  const socket = new (socketClass('browser') as typeof WebSocket)(url)
  await new Promise<void>((resolve, reject) => {
    socket.onopen = () => resolve()
    socket.onerror = (event) => reject(event.error as Error)
  })
  let handle: (frame: { type?: string; data?: { refId?: string } }) => void = () => {}
  socket.onmessage = (event) => {
    const frame = JSON.parse(event.data as string) as { type?: string; data?: { frames?: never[] } }
    if (frame.type === 'batch') for (const inner of frame.data?.frames ?? []) handle(inner)
    else handle(frame as never)
  }
  const token = await signDevToken(BENCH_SECRET, user)
  const joined = new Promise<void>((resolve) => {
    handle = (frame) => {
      if (frame.type === 'auth_ok')
        socket.send(encodeFrame(makeFrame('join', { room: CONTROL_ROOM, data: {} })))
      else if (frame.type === 'joined') resolve()
    }
    socket.send(encodeFrame(makeFrame('auth', { data: { token } })))
  })
  await within(joined, WAIT_MS, 'raw sender joining')
  const started = performance.now()
  const allAcked = new Promise<void>((resolve) => {
    let sent = 0
    let acked = 0
    const pending = new Set<string>()
    const sendOne = () => {
      const frame = makeFrame('chat_message', { room: CONTROL_ROOM, data: { content: `m${sent}` } })
      pending.add(frame.id)
      sent++
      socket.send(encodeFrame(frame))
    }
    handle = (frame) => {
      if (frame.type !== 'ack' || !pending.delete(frame.data?.refId ?? '')) return
      if (++acked === count) return resolve()
      if (sent < count) sendOne()
    }
    while (sent < Math.min(window, count)) sendOne()
  })
  await within(allAcked, WAIT_MS, `raw sender's ${count} acks`)
  const seconds = (performance.now() - started) / 1000
  socket.close()
  return count / seconds
}
