import { configureStore, type UnknownAction } from '@reduxjs/toolkit'
import { describe, expect, it } from 'vitest'
import { createRealtime, realtimeActions as actions } from '../../src/createRealtime'
import { createDevToolsOptions } from '../../src/devToolsOptions'
import { T0, message } from './slices/fixtures'

/** What the Redux DevTools extension does with `actionsDenylist`: one regex of them all. */
const hidden = (denylist: string[], type: string) => new RegExp(denylist.join('|')).test(type)

const burst = (room: string, count: number) =>
  actions.chat.messagesReceived({
    messages: Array.from({ length: count }, (_, i) => message(room, i + 1)),
    at: T0,
  })

describe('devToolsOptions', () => {
  it("hides the instance's ping, pong and typing actions and nothing else", () => {
    const { actionsDenylist } = createRealtime({ url: 'localhost' }).devToolsOptions
    for (const type of [
      actions.connection.pingSent.type,
      actions.connection.pongReceived.type,
      actions.chat.typingStarted.type,
      actions.chat.typingStopped.type,
      actions.startTyping.type,
      actions.stopTyping.type,
    ]) {
      expect(hidden(actionsDenylist, type), type).toBe(true)
    }
    for (const type of [
      actions.chat.messagesReceived.type,
      actions.connection.opened.type,
      actions.connect.type,
      'app/connection/pingSent',
      'realtime/connection/pingSentLater',
    ]) {
      expect(hidden(actionsDenylist, type), type).toBe(false)
    }
  })

  it('builds the denylist from reducerPath, regex characters taken literally', () => {
    const { actionsDenylist } = createDevToolsOptions('live.v2')
    expect(hidden(actionsDenylist, 'live.v2/connection/pingSent')).toBe(true)
    expect(hidden(actionsDenylist, 'live.v2/chat/typingStarted')).toBe(true)
    expect(hidden(actionsDenylist, 'liveXv2/connection/pingSent')).toBe(false)
    expect(hidden(actionsDenylist, 'realtime/connection/pingSent')).toBe(false)
  })

  it('shows a burst of 500 messages as the first 5 and a count, leaving the action alone', () => {
    const { actionSanitizer } = createRealtime({ url: 'localhost' }).devToolsOptions
    const action = burst('general', 500)
    const shown = actionSanitizer(action, 1)
    expect(shown.type).toBe(action.type)
    expect(shown.payload.at).toBe(T0)
    expect(shown.payload.messages).toHaveLength(6)
    expect(shown.payload.messages.slice(0, 5)).toEqual(action.payload.messages.slice(0, 5))
    expect(shown.payload.messages[5]).toBe('… 495 more (500 in all)')
    expect(action.payload.messages).toHaveLength(500) // what reducers got is untouched
  })

  it('passes small payloads and other apps’ actions through as they are', () => {
    const { actionSanitizer } = createDevToolsOptions('realtime')
    const small = burst('general', 10)
    expect(actionSanitizer(small, 1)).toBe(small)
    const mine: UnknownAction = { type: 'app/itemsLoaded', payload: { items: new Array(500) } }
    expect(actionSanitizer(mine, 2)).toBe(mine)
    const other = { ...burst('general', 50), type: 'support/chat/messagesReceived' }
    expect(actionSanitizer(other, 3)).toBe(other)
    expect(createDevToolsOptions('support').actionSanitizer(other, 3)).not.toBe(other)
  })

  it('shows rooms and conversations of more than 20 messages as a count and the last 20', () => {
    const realtime = createRealtime({ url: 'localhost' })
    let slice = realtime.reducer(undefined, { type: 'init' })
    slice = realtime.reducer(slice, burst('general', 1000))
    slice = realtime.reducer(slice, burst('quiet', 3))
    const direct = Array.from({ length: 30 }, (_, i) => ({
      id: `d-${i + 1}`,
      type: 'direct_message' as const,
      timestamp: T0 + i,
      userId: 'bob',
      seq: i + 1,
      data: { content: `dm ${i + 1}`, to: 'alice' },
    }))
    slice = realtime.reducer(
      slice,
      actions.chat.directMessagesReceived({ messages: direct, at: T0 }),
    )
    const app = { theme: 'dark' }
    const state = { app, realtime: slice }

    const shown = realtime.devToolsOptions.stateSanitizer(state, 0)
    const general = shown.realtime.chat.byRoom.general?.messages ?? []
    expect(general).toHaveLength(21)
    expect(general[0]).toBe('… 980 earlier (1000 in all)')
    expect(general.slice(1).map((m) => m.seq)).toEqual(
      Array.from({ length: 20 }, (_, i) => 981 + i),
    )
    expect(shown.realtime.chat.byRoom.quiet?.messages).toEqual(slice.chat.byRoom.quiet?.messages)
    const peers = Object.values(shown.realtime.direct.byPeer)
    expect(peers).toHaveLength(1)
    expect(peers[0]?.[0]).toBe('… 10 earlier (30 in all)')
    expect(shown.app).toBe(app)
    expect(shown.realtime.connection).toBe(slice.connection)
    // The store's state is untouched.
    expect(state.realtime.chat.byRoom.general?.messages).toHaveLength(1000)
  })

  it('leaves a state without the instance’s slice as it is', () => {
    const { stateSanitizer } = createDevToolsOptions('realtime')
    const state = { app: { x: 1 } }
    expect(stateSanitizer(state, 0)).toBe(state)
    expect(stateSanitizer(null, 0)).toBeNull()
  })

  it('is accepted by configureStore as devTools', () => {
    const realtime = createRealtime({ url: 'localhost', networkEvents: null })
    const store = configureStore({
      reducer: { [realtime.reducerPath]: realtime.reducer },
      middleware: (getDefault) => getDefault().concat(realtime.middleware),
      devTools: realtime.devToolsOptions,
    })
    expect(store.getState().realtime.connection.state).toBe('idle')
  })
})
