import { configureStore } from '@reduxjs/toolkit'
import { describe, expect, it } from 'vitest'
import { createRealtime } from '../../../src'
import { chat, joinRoom } from '../../../slices/actions'
import { createNamespace } from '../../../slices/namespace'

const config = { url: 'ws://127.0.0.1:1', authToken: 't' }

describe('action-type namespaces', () => {
  it('the default namespace translates nothing (no copy per action)', () => {
    const ns = createNamespace('realtime')
    const action = joinRoom('general')
    expect(ns.toCanonical(action)).toBe(action)
    expect(ns.toInstance(action)).toBe(action)
  })

  it("another namespace reads its own actions, hides the default instance's, passes the app's", () => {
    const ns = createNamespace('support')
    expect(ns.toCanonical({ type: 'support/joinRoom', payload: { room: 'a' } })).toEqual({
      type: 'realtime/joinRoom',
      payload: { room: 'a' },
    })
    expect(ns.toCanonical(joinRoom('a'))).toBeUndefined()
    const appAction = { type: 'todos/added' }
    expect(ns.toCanonical(appAction)).toBe(appAction)
    expect(ns.toInstance(joinRoom('a')).type).toBe('support/joinRoom')
  })

  it("an instance's reducer keeps its state for another instance's events", () => {
    const main = createRealtime(config)
    const support = createRealtime({ ...config, reducerPath: 'support' })
    const before = support.reducer(undefined, { type: '@@INIT' })
    const message = {
      id: 'm1',
      type: 'chat_message' as const,
      room: 'general',
      userId: 'bob',
      timestamp: 1,
      seq: 1,
      data: { content: 'hi' },
    }
    expect(
      support.reducer(before, main.events.chat.messagesReceived({ messages: [message], at: 1 })),
    ).toBe(before)
    const after = support.reducer(
      before,
      support.events.chat.messagesReceived({ messages: [message], at: 1 }),
    )
    expect(after).not.toBe(before)
    expect(chat.messagesReceived.type).toBe('realtime/chat/messagesReceived')
  })

  it('thunks and other non-actions pass through a prefixed middleware placed first', () => {
    const support = createRealtime({ ...config, reducerPath: 'support' })
    const store = configureStore({
      reducer: { support: support.reducer },
      middleware: (getDefault) => getDefault().prepend(support.middleware),
    })
    expect(store.dispatch((_dispatch, getState) => Object.keys(getState() as object))).toEqual([
      'support',
    ])
  })
})
