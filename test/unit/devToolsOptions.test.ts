import { configureStore, type UnknownAction } from '@reduxjs/toolkit'
import { describe, expect, it } from 'vitest'
import { createCollab } from '../../src/collab'
import type { DocumentsState } from '../../src/collab'
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

  describe.each(['realtime', 'notes'])(
    'with the collab plugin at reducerPath %s',
    (reducerPath) => {
      const long = 'é'.repeat(1234)
      const collab = () =>
        createRealtime({ url: 'localhost', reducerPath, plugins: [createCollab()] })

      it('shows document text of more than 100 characters in actions as its length', () => {
        const realtime = collab()
        const { actionSanitizer } = realtime.devToolsOptions
        const changed = realtime.actions.documents.textChanged({
          docId: 'doc-1',
          text: long,
          length: long.length,
        })
        expect(changed.type).toBe(`${reducerPath}/documents/textChanged`)
        const shown = actionSanitizer(changed, 1)
        expect(shown).toEqual({
          ...changed,
          payload: { docId: 'doc-1', text: '<1,234 chars>', length: 1234 },
        })
        expect(changed.payload.text).toBe(long) // what reducers got is untouched

        const paste = realtime.actions.editText({
          docId: 'doc-1',
          index: 0,
          deleteCount: 2,
          insert: long,
        })
        expect(paste.type).toBe(`${reducerPath}/editText`)
        expect(actionSanitizer(paste, 2).payload).toEqual({
          ...paste.payload,
          insert: '<1,234 chars>',
        })

        // Small text, a null snapshot and other instances' actions pass as they are.
        const small = 'x'.repeat(100)
        for (const action of [
          realtime.actions.documents.textChanged({ docId: 'doc-1', text: small, length: 100 }),
          realtime.actions.documents.textChanged({ docId: 'doc-1', text: null, length: 1_000_000 }),
          realtime.actions.editText({ docId: 'doc-1', index: 0, deleteCount: 0, insert: small }),
        ]) {
          expect(actionSanitizer(action, 3)).toBe(action)
        }
        expect(createDevToolsOptions('elsewhere').actionSanitizer(changed, 4)).toBe(changed)
      })

      it('shows open documents’ text of more than 100 characters in state as its length', () => {
        const realtime = collab()
        const { documents } = realtime.actions
        let slice = realtime.reducer(undefined, { type: 'init' })
        for (const docId of ['big', 'small']) {
          slice = realtime.reducer(slice, documents.opened({ docId, status: 'synced' }))
        }
        slice = realtime.reducer(
          slice,
          documents.textChanged({ docId: 'big', text: long, length: 1234 }),
        )
        slice = realtime.reducer(
          slice,
          documents.textChanged({ docId: 'small', text: 'hi', length: 2 }),
        )
        const state = { app: { theme: 'dark' }, [reducerPath]: slice }

        const shown = realtime.devToolsOptions.stateSanitizer(state, 0)
        const byId = (root: Record<string, unknown>) =>
          (root[reducerPath] as { documents: DocumentsState }).documents.byId
        expect(byId(shown).big).toEqual({ ...byId(state).big, text: '<1,234 chars>' })
        expect(byId(shown).small).toBe(byId(state).small)
        expect(byId(state).big?.text).toBe(long) // the store's state is untouched
        expect(shown.app).toBe(state.app)
      })
    },
  )

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
