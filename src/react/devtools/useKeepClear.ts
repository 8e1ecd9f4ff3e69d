import { useEffect, useLayoutEffect, useRef, useState, type RefObject } from 'react'
import { bestCorner, type Box, type Corner, type Obstacle } from './placement'

/** Below this width the panel starts collapsed and, open, takes at most half the height. */
export const NARROW_PX = 640

/** Whether the window is narrower than `NARROW_PX` (false where there is no window). */
export function isNarrow(): boolean {
  return typeof window !== 'undefined' && window.innerWidth < NARROW_PX
}

const FIELDS =
  'input:not([type="hidden"]), textarea, select, [contenteditable=""], [contenteditable="true"]'
const CONTROLS = 'button, a[href], [role="button"], summary'
/** Covering where someone types is worse than covering any number of buttons. */
const FIELD_WEIGHT = 1000

function isField(element: Element | null): element is HTMLElement {
  return element !== null && element.matches(FIELDS)
}

function boxOf(element: Element): Box | undefined {
  const { top, left, bottom, right } = element.getBoundingClientRect()
  return right > left && bottom > top ? { top, left, bottom, right } : undefined
}

/**
 * What the panel should keep off. Collapsed: every field and control of the page. Open (it is
 * meant to cover the page then): only the field being typed in, with its form (its buttons).
 */
function obstaclesFor(panel: HTMLElement, open: boolean): Obstacle[] {
  const doc = panel.ownerDocument
  const found: Obstacle[] = []
  const add = (element: Element, weight: number) => {
    if (panel.contains(element)) return
    const box = boxOf(element)
    if (box) found.push({ box, weight })
  }
  if (open) {
    const focused = doc.activeElement
    if (isField(focused)) add(focused.closest('form') ?? focused, FIELD_WEIGHT)
    return found
  }
  for (const field of doc.querySelectorAll(FIELDS)) add(field, FIELD_WEIGHT)
  for (const control of doc.querySelectorAll(CONTROLS)) add(control, 1)
  return found
}

/**
 * Keeps the panel off the app's inputs. Collapsed, it sits in the first corner (bottom-right,
 * top-right, bottom-left, top-left) where it covers no field, and otherwise the fewest
 * controls; open, it moves to keep clear of the field being typed in and its form, and
 * collapses when no corner does. Checked on mount, on open and close, on focus, scroll and
 * resize (a phone's keyboard opening). Returns the corner to render in.
 */
export function useKeepClear(
  panel: RefObject<HTMLElement | null>,
  open: boolean,
  collapse: () => void,
): Corner {
  const [corner, setCorner] = useState<Corner>('bottom-right')
  const latest = useRef({ corner, open, collapse })
  latest.current = { corner, open, collapse }

  const place = useRef(() => {
    const element = panel.current
    if (!element) return
    const { corner: current, open: isOpen, collapse: close } = latest.current
    const root = element.ownerDocument.documentElement
    const { width, height } = element.getBoundingClientRect()
    const viewport = { width: root.clientWidth, height: root.clientHeight }
    const best = bestCorner(current, { width, height }, viewport, obstaclesFor(element, isOpen))
    if (best.corner !== current) setCorner(best.corner)
    if (isOpen && best.cost > 0) close()
  }).current

  useLayoutEffect(place, [open, place])

  useEffect(() => {
    const view = panel.current?.ownerDocument.defaultView
    if (!view) return undefined
    let frame: number | undefined
    // Once per frame at most, however many scroll events arrive.
    const schedule = () => {
      if (typeof view.requestAnimationFrame !== 'function') return place()
      frame ??= view.requestAnimationFrame(() => {
        frame = undefined
        place()
      })
    }
    view.addEventListener('focusin', schedule)
    view.addEventListener('resize', schedule)
    view.addEventListener('scroll', schedule, { passive: true, capture: true })
    view.visualViewport?.addEventListener('resize', schedule)
    return () => {
      if (frame !== undefined) view.cancelAnimationFrame(frame)
      view.removeEventListener('focusin', schedule)
      view.removeEventListener('resize', schedule)
      view.removeEventListener('scroll', schedule, { capture: true })
      view.visualViewport?.removeEventListener('resize', schedule)
    }
  }, [panel, place])

  return corner
}
