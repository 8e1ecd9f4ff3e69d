import { configureStore } from '@reduxjs/toolkit'
import { describe, expectTypeOf, it } from 'vitest'
import { createRealtime } from '../../src'

describe('store.dispatch(command).unwrap() with the README store setup (prepend)', () => {
  const realtime = createRealtime({ url: 'ws://localhost:3000', authToken: 't' })
  const store = configureStore({
    reducer: { [realtime.reducerPath]: realtime.reducer },
    middleware: (getDefault) => getDefault().prepend(realtime.middleware),
  })
  const { actions } = realtime

  it('types what each awaitable command resolves with', () => {
    expectTypeOf(store.dispatch(actions.connect()).unwrap()).resolves.toEqualTypeOf<{
      userId: string
      sessionId: string
    }>()
    expectTypeOf(store.dispatch(actions.joinRoom('general')).unwrap()).resolves.toEqualTypeOf<{
      room: string
      epoch: string
      seq: number
    }>()
    expectTypeOf(store.dispatch(actions.leaveRoom('general')).unwrap()).resolves.toEqualTypeOf<{
      room: string
    }>()
    const sent = store.dispatch(actions.sendChatMessage({ room: 'general', content: 'hi' }))
    expectTypeOf(sent.payload.id).toBeString()
    expectTypeOf(sent.unwrap({ timeoutMs: 5000 })).resolves.toEqualTypeOf<{
      id: string
      seq?: number
    }>()
    expectTypeOf(
      store.dispatch(actions.sendDirectMessage({ to: 'bob', content: 'hi' })).unwrap(),
    ).resolves.toEqualTypeOf<{ id: string; seq?: number }>()
  })

  it('gives other actions no unwrap', () => {
    const plain = store.dispatch(actions.startTyping('general'))
    expectTypeOf(plain).not.toHaveProperty('unwrap')
    // @ts-expect-error a timeout is a number of ms
    void store.dispatch(actions.joinRoom('general')).unwrap({ timeoutMs: 'soon' })
  })
})

describe('an instance with another reducerPath', () => {
  const support = createRealtime({
    url: 'ws://localhost:3000',
    authToken: 't',
    reducerPath: 'support',
  })
  const store = configureStore({
    reducer: { [support.reducerPath]: support.reducer },
    middleware: (getDefault) => getDefault().prepend(support.middleware),
  })

  it('types its action types with its prefix, and its commands stay awaitable', () => {
    expectTypeOf(support.reducerPath).toEqualTypeOf<'support'>()
    expectTypeOf(support.actions.joinRoom('general').type).toEqualTypeOf<'support/joinRoom'>()
    expectTypeOf(support.actions.connect().type).toEqualTypeOf<'support/connect'>()
    const published = support.actions.publish({ room: 'board', type: 'moved', data: { to: 1 } })
    expectTypeOf(published.type).toEqualTypeOf<'support/publish'>()
    expectTypeOf(store.dispatch(published).unwrap()).resolves.toEqualTypeOf<{
      id: string
      seq?: number
    }>()
    // Events are matched by creator (their `type` is a plain string, as before).
    const incoming: unknown = undefined
    if (support.events.chat.messagesReceived.match(incoming)) {
      expectTypeOf(incoming.payload.messages[0]!.data.content).toBeString()
    }
    expectTypeOf(
      store.dispatch(support.actions.joinRoom('general')).unwrap(),
    ).resolves.toEqualTypeOf<{
      room: string
      epoch: string
      seq: number
    }>()
    expectTypeOf(
      store.dispatch(support.actions.sendChatMessage({ room: 'general', content: 'hi' })).unwrap(),
    ).resolves.toEqualTypeOf<{ id: string; seq?: number }>()
  })
})
