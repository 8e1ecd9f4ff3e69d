// @vitest-environment jsdom
import './support/nodeTypedArrays'
import { configureStore } from '@reduxjs/toolkit'
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react'
import * as Y from 'yjs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createCollab, useCollaborativeText, type CollaborativeText } from '../../src/collab'
import { createRealtime } from '../../src/createRealtime'
import { createMemoryStorage } from '../../middleware/storage'
import { decodeBase64, encodeBase64 } from '../../src/protocol/docFrames'
import { WebSocketProvider } from '../../src/react'
import { createFakeDocServer } from '../support/fakeDocServer'
import { FakeSocket, authOk, serverFrame } from '../unit/middleware/harness'

/**
 * `useCollaborativeText` in jsdom, against a FakeSocket and a Yjs document playing the server:
 * typing in the bound textarea becomes edits the server gets; a peer's edit shows in the
 * textarea with the selection kept in place; undo/redo; the document closes on unmount.
 */

const DOC = 'notes'

function setup() {
  const storage = createMemoryStorage()
  const realtime = createRealtime({
    storage,
    url: 'ws://127.0.0.1:1',
    WebSocket: FakeSocket,
    networkEvents: null,
    authToken: 't',
    plugins: [createCollab({ textThrottleMs: 10 })],
  })
  const store = configureStore({
    reducer: { realtime: realtime.reducer },
    middleware: (getDefault) => getDefault().prepend(realtime.middleware),
  })
  return { realtime, store, storage, server: createFakeDocServer() }
}

beforeEach(() => {
  FakeSocket.instances = []
})

let unmount: (() => void) | undefined
afterEach(() => {
  unmount?.()
  unmount = undefined
})

describe('useCollaborativeText', () => {
  it('binds a textarea: typing syncs, a peer edit keeps the selection, undo/redo, closes on unmount', async () => {
    const { realtime, store, storage, server } = setup()
    server.doc.getText('content').insert(0, 'world')
    let handle: CollaborativeText | undefined
    function Editor() {
      handle = useCollaborativeText(DOC)
      return <textarea aria-label="doc" ref={handle.bind} />
    }
    const view = render(
      <WebSocketProvider realtime={realtime} store={store}>
        <Editor />
      </WebSocketProvider>,
    )
    unmount = view.unmount
    await waitFor(() => expect(FakeSocket.instances.length).toBeGreaterThan(0))
    const socket = FakeSocket.latest()
    act(() => socket.open())
    await waitFor(() => expect(socket.types()).toContain('auth'))
    act(() => socket.deliver(authOk()))
    await waitFor(() => expect(socket.types()).toContain('doc_sync'))
    act(() => server.serve(socket))
    await waitFor(() => expect(handle?.status).toBe('synced'))

    const textarea = screen.getByLabelText<HTMLTextAreaElement>('doc')
    await waitFor(() => expect(textarea.value).toBe('world'))
    expect(handle?.text).toBe('world')

    // Typing "hello " at the start.
    act(() => {
      textarea.value = 'hello world'
      textarea.setSelectionRange(6, 6)
      fireEvent.input(textarea)
    })
    await waitFor(() => expect(socket.types()).toContain('doc_update'))
    act(() => server.serve(socket))
    expect(server.text()).toBe('hello world')
    await waitFor(() => expect(handle?.unsyncedChanges).toBe(0))

    // A peer appends and prepends: the caret (after "hello ") moves with the prepended text.
    const peer = new Y.Doc()
    Y.applyUpdate(peer, Y.encodeStateAsUpdate(server.doc))
    const before = Y.encodeStateVector(peer)
    peer.getText('content').insert(0, '> ')
    peer.getText('content').insert(13, '!')
    act(() =>
      socket.deliver(
        serverFrame('doc_update', {
          data: { doc: DOC, update: encodeBase64(Y.encodeStateAsUpdate(peer, before)) },
        }),
      ),
    )
    await waitFor(() => expect(textarea.value).toBe('> hello world!'))
    expect(textarea.selectionStart).toBe(8)
    await waitFor(() => expect(handle?.text).toBe('> hello world!'))
    // Text a peer inserts exactly at the caret goes after it: the caret sticks to its left.
    const at = Y.encodeStateVector(peer)
    peer.getText('content').insert(8, 'X')
    act(() =>
      socket.deliver(
        serverFrame('doc_update', {
          data: { doc: DOC, update: encodeBase64(Y.encodeStateAsUpdate(peer, at)) },
        }),
      ),
    )
    await waitFor(() => expect(textarea.value).toBe('> hello Xworld!'))
    expect(textarea.selectionStart).toBe(8)
    const undoFrom = Y.encodeStateVector(peer)
    peer.getText('content').delete(8, 1)
    act(() =>
      socket.deliver(
        serverFrame('doc_update', {
          data: { doc: DOC, update: encodeBase64(Y.encodeStateAsUpdate(peer, undoFrom)) },
        }),
      ),
    )
    await waitFor(() => expect(textarea.value).toBe('> hello world!'))

    act(() => handle?.undo())
    await waitFor(() => expect(textarea.value).toBe('> world!'))
    act(() => handle?.redo())
    await waitFor(() => expect(textarea.value).toBe('> hello world!'))

    // The page goes away: the document is saved and our cursor is taken away at once.
    const awarenessBefore = socket.types().filter((t) => t === 'doc_awareness').length
    act(() => {
      window.dispatchEvent(new Event('pagehide'))
    })
    expect(socket.types().filter((t) => t === 'doc_awareness').length).toBe(awarenessBefore + 1)
    const last = socket.frames().at(-1)
    expect(last?.type).toBe('doc_awareness')
    const { Awareness, applyAwarenessUpdate } = await import('y-protocols/awareness')
    const observer = new Awareness(new Y.Doc())
    applyAwarenessUpdate(observer, decodeBase64((last?.data as { update: string }).update)!, 'test')
    expect(
      [...observer.getStates().values()].filter((s) => s !== observer.getLocalState()),
    ).toEqual([])
    observer.destroy()
    expect(await storage.loadDocument(DOC)).toMatchObject({ doc: DOC })
    // Back from the back-forward cache: our cursor is shown again.
    act(() => {
      window.dispatchEvent(new Event('pageshow'))
    })
    await waitFor(() =>
      expect(socket.types().filter((t) => t === 'doc_awareness').length).toBe(awarenessBefore + 2),
    )

    view.unmount()
    unmount = undefined
    expect(realtime.documents.get(DOC)).toBeUndefined()
    expect(realtime.selectors.selectDocument(store.getState(), DOC)).toBeUndefined()
    expect(socket.types()).toContain('doc_close')
  })

  it('says what to do when the instance has no collab plugin', () => {
    const realtime = createRealtime({
      url: 'ws://127.0.0.1:1',
      WebSocket: FakeSocket,
      networkEvents: null,
    })
    const store = configureStore({
      reducer: { realtime: realtime.reducer },
      middleware: (getDefault) => getDefault().prepend(realtime.middleware),
    })
    function Editor() {
      useCollaborativeText(DOC)
      return null
    }
    const quiet = console.error
    console.error = () => {}
    try {
      expect(() =>
        render(
          <WebSocketProvider realtime={realtime} store={store}>
            <Editor />
          </WebSocketProvider>,
        ),
      ).toThrow(/plugins: \[createCollab\(\)\]/)
    } finally {
      console.error = quiet
    }
  })
})
