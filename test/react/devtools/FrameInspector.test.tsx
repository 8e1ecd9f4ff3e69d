// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { FrameInspector } from '../../../src/react/devtools/FrameInspector'
import type { LoggedFrame } from '../../../src/react/devtools/useFrameLog'

afterEach(cleanup)

const T0 = 1_700_000_000_000

function pings(count: number, firstKey = 0): LoggedFrame[] {
  return Array.from({ length: count }, (_, i) => ({
    key: firstKey + i,
    entry: {
      direction: 'out' as const,
      at: T0 + i,
      frame: {
        v: 1 as const,
        id: `p${firstKey + i}`,
        type: 'ping' as const,
        timestamp: T0 + i,
        data: {},
      },
    },
  }))
}

const items = () => within(screen.getByRole('list')).getAllByRole('listitem')
const active = () => (document.activeElement as HTMLElement | null)?.textContent ?? ''

describe('FrameInspector', () => {
  it('names the frame list for screen readers', () => {
    render(<FrameInspector frames={pings(2)} onClear={() => undefined} />)
    expect(screen.getByRole('list', { name: 'Frames in and out, newest first' })).toBeTruthy()
  })

  it('is one Tab stop, on the newest frame', () => {
    render(<FrameInspector frames={pings(3)} onClear={() => undefined} />)
    expect(items().map((item) => item.tabIndex)).toEqual([0, -1, -1])
    expect(items()[0]?.textContent).toContain('"id":"p2"')
  })

  it('moves between frames with the arrow keys, Home and End, showing where focus is', () => {
    render(<FrameInspector frames={pings(4)} onClear={() => undefined} />)
    const [first] = items()
    act(() => first?.focus())
    expect(first?.style.outline).toContain('2px solid')
    fireEvent.keyDown(document.activeElement as Element, { key: 'ArrowDown' })
    expect(active()).toContain('"id":"p2"')
    expect(items().map((item) => item.tabIndex)).toEqual([-1, 0, -1, -1])
    expect(items()[1]?.style.outline).toContain('2px solid')
    expect(items()[0]?.style.outline).toBe('')
    fireEvent.keyDown(document.activeElement as Element, { key: 'End' })
    expect(active()).toContain('"id":"p0"')
    fireEvent.keyDown(document.activeElement as Element, { key: 'ArrowDown' })
    expect(active()).toContain('"id":"p0"') // stays on the last
    fireEvent.keyDown(document.activeElement as Element, { key: 'Home' })
    expect(active()).toContain('"id":"p3"')
    fireEvent.keyDown(document.activeElement as Element, { key: 'ArrowUp' })
    expect(active()).toContain('"id":"p3"')
  })

  it('keeps the Tab stop on the same frame as newer frames arrive', () => {
    const { rerender } = render(<FrameInspector frames={pings(3)} onClear={() => undefined} />)
    act(() => items()[1]?.focus()) // p1
    rerender(<FrameInspector frames={[...pings(3), ...pings(2, 3)]} onClear={() => undefined} />)
    const stop = items().find((item) => item.tabIndex === 0)
    expect(stop?.textContent).toContain('"id":"p1"')
    expect(items().filter((item) => item.tabIndex === 0)).toHaveLength(1)
  })
})
