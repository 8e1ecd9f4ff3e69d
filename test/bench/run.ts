/**
 * `npm run bench`: prints a markdown table. Medians of 5 runs, measured in one process on this
 * machine; compare rows of one run, not figures across machines.
 */
import { configureStore, type Middleware } from '@reduxjs/toolkit'
import { WebSocket } from 'ws'
import { createRealtime, type WebSocketConstructor } from '../../src'
import { chat, rooms } from '../../slices/actions'
import type { ChatMessage } from '../../slices/types'
import { createRealtimeServer, signDevToken } from '../../src/server'
import { abuseRows, runAbuseBench } from './abuse'

const RUNS = 5
const ROOM_SIZE = 1000

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] as number
}

function message(seq: number): ChatMessage {
  return {
    id: `m${seq}`,
    type: 'chat_message',
    timestamp: seq,
    room: 'general',
    userId: 'bob',
    seq,
    data: { content: `message ${seq}` },
  }
}

/** A store whose room already holds ROOM_SIZE messages; `checks`: RTK's dev-only checks on. */
function storeWithFullRoom(checks: boolean) {
  const realtime = createRealtime({ url: 'ws://127.0.0.1:1', networkEvents: null })
  const store = configureStore({
    reducer: { realtime: realtime.reducer },
    middleware: (getDefault) =>
      getDefault({ serializableCheck: checks, immutableCheck: checks }).concat(realtime.middleware),
  })
  store.dispatch(
    rooms.joined({
      room: 'general',
      epoch: 'e',
      fromSeq: 0,
      headSeq: 0,
      resumed: false,
      gap: false,
      at: 0,
    }),
  )
  store.dispatch(
    chat.messagesReceived({
      messages: Array.from({ length: ROOM_SIZE }, (_, i) => message(i + 1)),
      at: 0,
    }),
  )
  return store
}

/** Frames/s reduced into a full room when `perDispatch` frames share one dispatch. */
function reduceThroughput(frames: number, perDispatch: number, checks: boolean): number {
  const store = storeWithFullRoom(checks)
  let seq = ROOM_SIZE
  const start = performance.now()
  for (let done = 0; done < frames; done += perDispatch) {
    const messages = Array.from({ length: perDispatch }, () => message(++seq))
    store.dispatch(chat.messagesReceived({ messages, at: 0 }))
  }
  return frames / ((performance.now() - start) / 1000)
}

class BrowserLikeWebSocket extends WebSocket {
  constructor(url: string, protocols?: string | string[]) {
    super(url, protocols, { allowSynchronousEvents: false })
  }
}

/** End to end: one user sends `count` messages, the other (browser-like delivery) applies them. */
async function endToEnd(count: number): Promise<{ ms: number; dispatches: number }> {
  const server = await createRealtimeServer({
    port: 0,
    jwt: { secret: 's' },
    rateLimit: false,
    historySize: count,
    logger: { warn() {}, error() {} },
  })
  const make = async (userId: string, WebSocketClass: WebSocketConstructor) => {
    const realtime = createRealtime({
      url: server.url,
      WebSocket: WebSocketClass,
      authToken: await signDevToken('s', userId),
      networkEvents: null,
      maxMessagesPerRoom: count,
      messageQueueSize: count,
    })
    let dispatches = 0
    const counter: Middleware = () => (next) => (action) => {
      if ((action as { type: string }).type === 'realtime/chat/messagesReceived') dispatches++
      return next(action)
    }
    const store = configureStore({
      reducer: { realtime: realtime.reducer },
      middleware: (getDefault) =>
        getDefault({ serializableCheck: false, immutableCheck: false }).concat(
          realtime.middleware,
          counter,
        ),
    })
    store.dispatch(realtime.actions.connect())
    store.dispatch(realtime.actions.joinRoom('general'))
    await new Promise<void>((resolve) => {
      const off = store.subscribe(() => {
        if (realtime.selectors.selectRooms(store.getState()).includes('general')) {
          off()
          resolve()
        }
      })
    })
    return { store, realtime, dispatches: () => dispatches }
  }
  const sender = await make('alice', WebSocket)
  const receiver = await make('bob', BrowserLikeWebSocket)
  const start = performance.now()
  for (let i = 0; i < count; i++)
    sender.store.dispatch(
      sender.realtime.actions.sendChatMessage({ room: 'general', content: `m${i}` }),
    )
  await new Promise<void>((resolve) => {
    const check = () =>
      receiver.realtime.selectors.selectMessagesByRoom(receiver.store.getState(), 'general')
        .length === count
    const off = receiver.store.subscribe(() => {
      if (check()) {
        off()
        resolve()
      }
    })
  })
  const ms = performance.now() - start
  for (const c of [sender, receiver]) c.store.dispatch(c.realtime.actions.disconnect())
  await server.close()
  return { ms, dispatches: receiver.dispatches() }
}

async function main(): Promise<void> {
  const rows: Array<[string, number, number]> = []
  for (const checks of [true, false]) {
    const perFrame = median(
      Array.from({ length: RUNS }, () => reduceThroughput(checks ? 1_000 : 20_000, 1, checks)),
    )
    const batched = median(
      Array.from({ length: RUNS }, () => reduceThroughput(checks ? 20_000 : 200_000, 100, checks)),
    )
    rows.push([checks ? 'dev checks on' : 'production (checks off)', perFrame, batched])
  }
  const e2e: Array<{ ms: number; dispatches: number }> = []
  for (let i = 0; i < RUNS; i++) e2e.push(await endToEnd(5_000))
  const e2eMs = median(e2e.map((r) => r.ms))
  const e2eDispatches = median(e2e.map((r) => r.dispatches))

  const fmt = (n: number) => Math.round(n).toLocaleString('en-US')
  console.log(
    `| benchmark (median of ${RUNS} runs, one room already holding ${ROOM_SIZE} messages) | result |`,
  )
  console.log('|---|---|')
  for (const [label, perFrame, batched] of rows) {
    console.log(`| reduce one frame per dispatch, ${label} | ${fmt(perFrame)} frames/s |`)
    console.log(
      `| reduce 100 frames per dispatch (one burst), ${label} | ${fmt(batched)} frames/s (${(batched / perFrame).toFixed(0)}× per-frame) |`,
    )
  }
  console.log(
    `| end to end: 5,000 messages alice → server → bob (browser-like delivery, checks off) | ${fmt(e2eMs)} ms, ${fmt(5_000 / (e2eMs / 1000))} msg/s, ${fmt(e2eDispatches)} dispatches at bob |`,
  )
  // One run (about 45 s): the server and the abusers each in their own process.
  for (const [label, value] of abuseRows(await runAbuseBench()))
    console.log(`| ${label} | ${value} |`)
}

void main()
