import { configureStore, createSlice } from '@reduxjs/toolkit'
import { describe, expectTypeOf, it } from 'vitest'
import { createRealtime, type AnyRealtime, type AppMessage, type JsonValue } from '../../src'
import { WebSocketProvider } from '../../src/react'

type AppMessages = { card_moved: { id: string; to: string }; cursor: { x: number; y: number } }

describe('createRealtime<AppMessages>() types publish and custom.messagesReceived', () => {
  const realtime = createRealtime<AppMessages>({ url: 'ws://localhost:3000', authToken: 't' })
  const store = configureStore({
    reducer: { [realtime.reducerPath]: realtime.reducer },
    middleware: (getDefault) => getDefault().prepend(realtime.middleware),
  })
  const { publish } = realtime.actions

  it('accepts each type with its own data and refuses a wrong pair', () => {
    publish({ room: 'board', type: 'card_moved', data: { id: 'c1', to: 'done' } })
    publish({ room: 'board', type: 'cursor', data: { x: 1, y: 2 }, volatile: true })
    // @ts-expect-error a cursor's data is { x, y }
    publish({ room: 'board', type: 'cursor', data: { id: 'c1', to: 'done' } })
    // @ts-expect-error card_moved needs `to`
    publish({ room: 'board', type: 'card_moved', data: { id: 'c1' } })
    // @ts-expect-error not a type of the map
    publish({ room: 'board', type: 'card_deleted', data: { id: 'c1' } })
    // @ts-expect-error a room is required
    publish({ type: 'cursor', data: { x: 1, y: 2 } })
  })

  it('types the unwrap of a durable and a volatile publish', () => {
    const sent = store.dispatch(
      publish({ room: 'board', type: 'card_moved', data: { id: 'c1', to: 'done' } }),
    )
    expectTypeOf(sent.payload.id).toBeString()
    expectTypeOf(sent.unwrap()).resolves.toEqualTypeOf<{ id: string; seq?: number }>()
    const moved = store.dispatch(
      publish({ room: 'b', type: 'cursor', data: { x: 1, y: 2 }, volatile: true }),
    )
    expectTypeOf(moved.unwrap()).resolves.toEqualTypeOf<{ id: string; seq?: number }>()
  })

  it('narrows data by type in an app slice built on events.custom.messagesReceived', () => {
    const board = createSlice({
      name: 'board',
      initialState: {
        columns: Object.create(null) as Record<string, string>,
        cursors: [] as number[],
      },
      reducers: {},
      extraReducers: (builder) => {
        builder.addCase(realtime.events.custom.messagesReceived, (state, { payload }) => {
          for (const m of payload.messages) {
            if (m.type === 'card_moved') {
              expectTypeOf(m.data).toEqualTypeOf<{ id: string; to: string }>()
              state.columns[m.data.id] = m.data.to
            } else {
              expectTypeOf(m.type).toEqualTypeOf<'cursor'>()
              expectTypeOf(m.data).toEqualTypeOf<{ x: number; y: number }>()
              state.cursors.push(m.data.x)
            }
            expectTypeOf(m.seq).toEqualTypeOf<number | undefined>()
            expectTypeOf(m.userId).toBeString()
          }
        })
      },
    })
    expectTypeOf(board.reducer).toBeFunction()
    expectTypeOf(realtime.actions.custom.messagesReceived).toEqualTypeOf(
      realtime.events.custom.messagesReceived,
    )
  })

  it('refuses a map whose data is not JSON', () => {
    // @ts-expect-error a Date does not survive JSON
    createRealtime<{ due: { at: Date } }>({ url: 'ws://x' })
    // @ts-expect-error nor does a function
    createRealtime<{ run: { go: () => void } }>({ url: 'ws://x' })
    interface Moved {
      id: string
      tags?: string[]
    }
    // Interfaces, optional properties and null are fine.
    createRealtime<{ moved: Moved; board_cleared: null }>({ url: 'ws://x' })
    // @ts-expect-error a protocol type is no app type name
    createRealtime<{ ping: null }>({ url: 'ws://x' })
  })

  it('needs both type arguments with a custom reducerPath (TypeScript infers all or none)', () => {
    const other = createRealtime<AppMessages, 'board'>({ url: 'ws://x', reducerPath: 'board' })
    expectTypeOf(other.reducerPath).toEqualTypeOf<'board'>()
    // @ts-expect-error with only the map given, reducerPath keeps its default 'realtime'
    createRealtime<AppMessages>({ url: 'ws://x', reducerPath: 'board' })
  })
})

describe('createRealtime(config) without a map', () => {
  const realtime = createRealtime({ url: 'ws://localhost:3000' })

  it('keeps its reducerPath inferred as before', () => {
    expectTypeOf(realtime.reducerPath).toEqualTypeOf<'realtime'>()
    const chat = createRealtime({ url: 'ws://x', reducerPath: 'chat' })
    expectTypeOf(chat.reducerPath).toEqualTypeOf<'chat'>()
  })

  it('publishes any type name with any JSON data, received as JSON', () => {
    realtime.actions.publish({ room: 'r', type: 'anything', data: { nested: [1, 'two', null] } })
    // @ts-expect-error data must be JSON
    realtime.actions.publish({ room: 'r', type: 'anything', data: new Map() })
    expectTypeOf<AppMessage['data']>().toEqualTypeOf<JsonValue>()
    expectTypeOf<AppMessage['type']>().toBeString()
  })
})

describe('a typed instance in layers that never publish', () => {
  it('fits the React provider', () => {
    const typed = createRealtime<AppMessages>({ url: 'ws://x' })
    const store = configureStore({
      reducer: { [typed.reducerPath]: typed.reducer },
      middleware: (getDefault) => getDefault().prepend(typed.middleware),
    })
    expectTypeOf(WebSocketProvider).toBeCallableWith({ store, realtime: typed, children: null })
    const anyInstance: AnyRealtime = typed
    expectTypeOf(anyInstance.actions).not.toHaveProperty('publish')
  })
})
