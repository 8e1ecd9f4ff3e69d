import { configureStore, createSlice } from '@reduxjs/toolkit'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { createDefaultConfig, createRealtime, WebSocketClient } from '../../src'
import type { AppMessageOf } from '../../slices/appMessages'
import { createRealtimeServer, type RealtimeServer } from '../../src/server'
import { TEST_SECRET, tokenFor } from '../support/tokens'

/** The test app's messages: one durable, one volatile. */
type AppMessages = {
  card_moved: { id: string; to: string }
  cursor: { x: number; y: number }
}

let server: RealtimeServer | undefined
const cleanups: Array<() => void> = []

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) cleanup()
  await server?.close()
  server = undefined
})

async function startServer(): Promise<RealtimeServer> {
  server = await createRealtimeServer({
    port: 0,
    host: '127.0.0.1',
    jwt: { secret: TEST_SECRET },
    rateLimit: false,
  })
  return server
}

/** A store like an app's: the realtime instance plus a board slice reducing app messages. */
async function boardApp(url: string, userId: string) {
  const realtime = createRealtime<AppMessages>({
    url,
    authToken: await tokenFor(userId),
    WebSocket,
    networkEvents: null,
  })
  const board = createSlice({
    name: 'board',
    initialState: {
      columns: Object.create(null) as Record<string, string>,
      cursors: Object.create(null) as Record<string, { x: number; y: number }>,
      lastSeq: 0,
    },
    reducers: {},
    extraReducers: (builder) => {
      builder.addCase(realtime.events.custom.messagesReceived, (state, { payload }) => {
        for (const message of payload.messages) {
          if (message.type === 'card_moved') {
            state.columns[message.data.id] = message.data.to
            state.lastSeq = message.seq ?? state.lastSeq
          } else {
            state.cursors[message.userId] = message.data
          }
        }
      })
    },
  })
  // RTK's default serializability and immutability checks stay on, with no ignore lists.
  const store = configureStore({
    reducer: { [realtime.reducerPath]: realtime.reducer, board: board.reducer },
    middleware: (getDefault) => getDefault().prepend(realtime.middleware),
  })
  cleanups.push(() => store.dispatch(realtime.actions.disconnect()))
  await store.dispatch(realtime.actions.connect()).unwrap()
  await store.dispatch(realtime.actions.joinRoom('board')).unwrap()
  return { realtime, store }
}

function until(store: { subscribe(listener: () => void): () => void }, check: () => boolean) {
  return new Promise<void>((resolve, reject) => {
    if (check()) return resolve()
    const timer = setTimeout(() => {
      unsubscribe()
      reject(new Error('timed out waiting for the board'))
    }, 10_000)
    const unsubscribe = store.subscribe(() => {
      if (!check()) return
      clearTimeout(timer)
      unsubscribe()
      resolve()
    })
  })
}

describe('an app with createRealtime<AppMessages>() and a slice on events.custom.messagesReceived', () => {
  it('reduces a durable card move and a volatile cursor from another member', async () => {
    const { url } = await startServer()
    const alice = await boardApp(url, 'alice')
    const bob = await boardApp(url, 'bob')
    const { publish } = alice.realtime.actions

    const moved = await alice.store
      .dispatch(publish({ room: 'board', type: 'card_moved', data: { id: 'c1', to: 'done' } }))
      .unwrap()
    await alice.store
      .dispatch(publish({ room: 'board', type: 'cursor', data: { x: 4, y: 2 }, volatile: true }))
      .unwrap()

    await until(bob.store, () => bob.store.getState().board.cursors.alice !== undefined)
    await until(bob.store, () => bob.store.getState().board.columns.c1 === 'done')
    expect(bob.store.getState().board).toEqual({
      columns: { c1: 'done' },
      cursors: { alice: { x: 4, y: 2 } },
      lastSeq: moved.seq,
    })
    // The sender's own durable message comes back once acked; its volatile one does not.
    await until(alice.store, () => alice.store.getState().board.columns.c1 === 'done')
    expect(alice.store.getState().board.cursors).toEqual({})
    // The package keeps no app message in its own state.
    expect(alice.realtime.selectors.selectMessagesByRoom(bob.store.getState(), 'board')).toEqual([])
  })
})

describe('WebSocketClient with app-defined messages', () => {
  it('subscribe(type, handler, room) receives them and sendMessage({ type, room, data }) sends them durably', async () => {
    const { port } = await startServer()
    const clientFor = async (userId: string) => {
      const client = new WebSocketClient<AppMessages>(
        createDefaultConfig({
          url: '127.0.0.1',
          port,
          authToken: await tokenFor(userId),
          WebSocket,
          networkEvents: null,
        }),
      )
      cleanups.push(() => client.destroy())
      await client.connect()
      return client
    }
    const alice = await clientFor('alice')
    const bob = await clientFor('bob')
    await bob.joinRoom('board')
    await bob.joinRoom('lobby')

    const onBoard: Array<AppMessageOf<AppMessages, 'card_moved'>> = []
    const anywhere: string[] = []
    bob.subscribe('card_moved', (message) => onBoard.push(message), 'board')
    bob.subscribe('card_moved', (message) => anywhere.push(message.room))
    expect(() => bob.subscribe('Card Moved' as 'card_moved', () => {})).toThrow(
      /app-defined type: a lowercase name/,
    )

    // Not joined yet: sendMessage joins first, as for chat.
    await alice.sendMessage({ type: 'card_moved', room: 'lobby', data: { id: 'c9', to: 'x' } })
    await alice.sendMessage({ type: 'card_moved', room: 'board', data: { id: 'c1', to: 'done' } })
    await expect(
      alice.sendMessage({ type: 'ack' as 'card_moved', room: 'board', data: { id: 'c', to: 'd' } }),
    ).rejects.toThrow(TypeError)

    await until(bob.store, () => onBoard.length === 1 && anywhere.length === 2)
    expect(onBoard).toEqual([
      {
        id: expect.any(String),
        type: 'card_moved',
        room: 'board',
        userId: 'alice',
        timestamp: expect.any(Number),
        seq: 1,
        data: { id: 'c1', to: 'done' },
      },
    ])
    expect(anywhere).toEqual(['lobby', 'board'])
  })
})
