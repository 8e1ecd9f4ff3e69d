import { configureStore } from '@reduxjs/toolkit'
import type * as Y from 'yjs'
import { describe, expectTypeOf, it } from 'vitest'
import { createRealtime } from '../../src'
import {
  createCollab,
  useCollaborativeText,
  type CollabPlugin,
  type CollaborativeText,
  type DocumentState,
} from '../../src/collab'
import { WebSocketProvider } from '../../src/react'

describe('collab types (SPEC §11)', () => {
  const realtime = createRealtime({ url: 'ws://localhost:3000', plugins: [createCollab()] })

  it('adds the commands, the selector and realtime.documents to the instance', () => {
    expectTypeOf(realtime.actions.openDocument).parameter(0).toEqualTypeOf<string>()
    expectTypeOf(realtime.actions.editText).parameter(0).toEqualTypeOf<{
      docId: string
      index: number
      deleteCount: number
      insert: string
    }>()
    expectTypeOf(realtime.actions.setCursor).parameter(0).toEqualTypeOf<{
      docId: string
      anchor: number
      head: number
    }>()
    expectTypeOf(realtime.actions.undo('d').type).toEqualTypeOf<'realtime/undo'>()
    expectTypeOf(realtime.selectors.selectDocument).returns.toEqualTypeOf<
      DocumentState | undefined
    >()
    expectTypeOf(realtime.documents.get).returns.toEqualTypeOf<Y.Doc | undefined>()
    // The core's members are all still there.
    expectTypeOf(realtime.actions.joinRoom('general').type).toEqualTypeOf<'realtime/joinRoom'>()
    expectTypeOf(realtime.selectors.selectIsConnected).returns.toEqualTypeOf<boolean>()
  })

  it('types the state under reducerPath, and the instance fits the React provider', () => {
    const store = configureStore({ reducer: { realtime: realtime.reducer } })
    expectTypeOf(store.getState().realtime.documents.byId).toEqualTypeOf<
      Record<string, DocumentState>
    >()
    expectTypeOf(WebSocketProvider).toBeCallableWith({ realtime, store, children: null })
    expectTypeOf(useCollaborativeText).returns.toEqualTypeOf<CollaborativeText>()
  })

  it('with explicit type arguments, the plugin is the third one', () => {
    type Messages = { note: { n: number } }
    const typed = createRealtime<Messages, 'realtime', CollabPlugin>({
      url: 'ws://localhost:3000',
      plugins: [createCollab()],
    })
    expectTypeOf(typed.documents.get).returns.toEqualTypeOf<Y.Doc | undefined>()
    // Without it the plugin still runs, untyped.
    const untyped = createRealtime<Messages>({ url: 'x', plugins: [createCollab()] })
    expectTypeOf(untyped).not.toHaveProperty('documents')
  })
})
