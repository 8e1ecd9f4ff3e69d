// @vitest-environment jsdom
import '../support/nodeTypedArrays'
import { configureStore } from '@reduxjs/toolkit'
import { act, cleanup, render, screen, waitFor } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createRealtime } from '../../../src'
import { RealtimeDevTools } from '../../../src/react'

const PHONE = { width: 390, height: 844 }
type Rect = { left: number; top: number; width: number; height: number }

/** Layout jsdom does not do: the page's boxes by test id, the panel's by whether it is open. */
function layOut(boxes: Record<string, Rect>) {
  vi.spyOn(document.documentElement, 'clientWidth', 'get').mockReturnValue(PHONE.width)
  vi.spyOn(document.documentElement, 'clientHeight', 'get').mockReturnValue(PHONE.height)
  vi.spyOn(Element.prototype, 'getBoundingClientRect').mockImplementation(function (this: Element) {
    const id = (this as HTMLElement).dataset.testid ?? ''
    const open = this.querySelector('[data-testid="devtools-body"]') !== null
    const rect =
      id === 'devtools-panel'
        ? { left: 0, top: 0, width: open ? 374 : 80, height: open ? 380 : 30 }
        : (boxes[id] ?? { left: 0, top: 0, width: 0, height: 0 })
    return DOMRect.fromRect({ x: rect.left, y: rect.top, width: rect.width, height: rect.height })
  })
}

function mount(defaultOpen: boolean) {
  const realtime = createRealtime({ url: 'ws://127.0.0.1:1', networkEvents: null })
  const store = configureStore({
    reducer: { realtime: realtime.reducer },
    middleware: (getDefault) => getDefault().concat(realtime.middleware),
  })
  render(
    <>
      <form data-testid="composer">
        <input data-testid="field" aria-label="Message" />
        <button data-testid="send">Send</button>
      </form>
      <RealtimeDevTools websocket={{ store, realtime }} defaultOpen={defaultOpen} />
    </>,
  )
  return screen.findByTestId('devtools-panel')
}

const bottomComposer = {
  composer: { left: 0, top: 790, width: 390, height: 54 },
  field: { left: 8, top: 798, width: 300, height: 38 },
  send: { left: 316, top: 798, width: 66, height: 38 },
}

beforeEach(() => vi.stubGlobal('innerWidth', PHONE.width))
afterEach(() => {
  cleanup()
  vi.restoreAllMocks()
  vi.unstubAllGlobals()
})

describe('useKeepClear (the dev panel keeps off the app’s inputs)', () => {
  it('sits collapsed in the first corner that covers no field: not over a bottom composer', async () => {
    layOut(bottomComposer)
    const panel = await mount(false)
    await waitFor(() => expect(panel.dataset.corner).toBe('top-right'))
    expect(panel.style.top).toBe('8px')
    expect(panel.style.bottom).toBe('')
  })

  it('open, moves off the field being typed in and its form', async () => {
    layOut(bottomComposer)
    const panel = await mount(true)
    expect(panel.dataset.corner).toBe('bottom-right') // nothing is being typed in yet
    act(() => screen.getByTestId('field').focus())
    await waitFor(() => expect(panel.dataset.corner).toBe('top-right'))
    expect(screen.getByTestId('devtools-toggle').getAttribute('aria-expanded')).toBe('true')
  })

  it('open, collapses when no corner keeps clear of the field being typed in', async () => {
    layOut({
      composer: { left: 0, top: 380, width: 390, height: 80 },
      field: { left: 8, top: 390, width: 300, height: 38 },
    })
    await mount(true)
    act(() => screen.getByTestId('field').focus())
    await waitFor(() =>
      expect(screen.getByTestId('devtools-toggle').getAttribute('aria-expanded')).toBe('false'),
    )
  })
})
