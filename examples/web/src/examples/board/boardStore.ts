import { configureStore, createSlice } from '@reduxjs/toolkit'
import { createRealtime, type RealtimeConfig } from 'redux-realtime-kit'
import { createCollab, type CollabOptions, type CollabPlugin } from 'redux-realtime-kit/collab'

/** The board's own message types: what `publish` sends and `custom.messagesReceived` carries. */
export type BoardMessages = {
  /** Durable: acked, in the room's history, replayed to whoever joins later. */
  card_moved: { id: string; to: Column }
  /** Volatile: latest wins, never queued offline (a live pointer, 0..1 of the board's size). */
  cursor: { x: number; y: number }
}

export const BOARD_ROOM = 'board'
export const COLUMNS = ['todo', 'doing', 'done'] as const
export type Column = (typeof COLUMNS)[number]
export const COLUMN_TITLES: Record<Column, string> = {
  todo: 'To do',
  doing: 'Doing',
  done: 'Done',
}
export const CARDS = [
  { id: 'c1', title: 'Sketch the board' },
  { id: 'c2', title: 'Write the protocol' },
  { id: 'c3', title: 'Ship the example' },
  { id: 'c4', title: 'Tell everyone' },
] as const
type CardId = (typeof CARDS)[number]['id']

export interface Cursor {
  userId: string
  x: number
  y: number
  at: number
}

export interface BoardState {
  /** Where each card is; only the board's own cards are ever keys. */
  columns: Record<CardId, Column>
  /** The latest pointer of each other member (one entry per user). */
  cursors: Cursor[]
}

const CARD_IDS = new Set<string>(CARDS.map((card) => card.id))
const isCardId = (id: unknown): id is CardId => typeof id === 'string' && CARD_IDS.has(id)
const isColumn = (to: unknown): to is Column =>
  typeof to === 'string' && (COLUMNS as readonly string[]).includes(to)
const unit = (value: unknown) =>
  typeof value === 'number' && Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : null

function initialColumns(): Record<CardId, Column> {
  return { c1: 'todo', c2: 'todo', c3: 'todo', c4: 'todo' }
}

/**
 * The app's store: its own board slice next to the realtime reducer (with the collab plugin's
 * documents under it, for the shared document example). The slice reduces the
 * board's messages (everyone's, ours included, in `seq` order) from
 * `realtime.events.custom.messagesReceived`; `data` is narrowed by `type`, and still checked,
 * since it comes from the wire.
 */
export function createAppStore(
  config: Omit<RealtimeConfig, 'reducerPath'>,
  collab: CollabOptions = {},
) {
  // One connection for everything: the collab plugin's documents travel on the same socket.
  // (With one explicit type argument TypeScript infers none: the plugin's type is named too.)
  const realtime = createRealtime<BoardMessages, 'realtime', CollabPlugin>({
    ...config,
    plugins: [createCollab(collab)],
  })
  const board = createSlice({
    name: 'board',
    initialState: (): BoardState => ({ columns: initialColumns(), cursors: [] }),
    reducers: {},
    extraReducers: (builder) =>
      builder.addCase(realtime.events.custom.messagesReceived, (state, { payload }) => {
        for (const message of payload.messages) {
          if (message.room !== BOARD_ROOM) continue
          if (message.type === 'card_moved') {
            const { id, to } = message.data
            if (isCardId(id) && isColumn(to)) state.columns[id] = to
          } else if (message.type === 'cursor') {
            const x = unit(message.data.x)
            const y = unit(message.data.y)
            if (x === null || y === null) continue
            const cursor = { userId: message.userId, x, y, at: message.timestamp }
            const index = state.cursors.findIndex((c) => c.userId === message.userId)
            if (index === -1) state.cursors.push(cursor)
            else state.cursors[index] = cursor
          }
        }
      }),
  })
  const store = configureStore({
    reducer: { board: board.reducer, [realtime.reducerPath]: realtime.reducer },
    // prepend: the store's dispatch type knows unwrap()
    middleware: (getDefault) => getDefault().prepend(realtime.middleware),
  })
  return { realtime, store }
}

export type AppStore = ReturnType<typeof createAppStore>['store']
export type AppRealtime = ReturnType<typeof createAppStore>['realtime']
export type AppState = ReturnType<AppStore['getState']>
