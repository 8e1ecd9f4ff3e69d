/** The corners the panel may sit in, in the order it prefers them. */
export const CORNERS = ['bottom-right', 'top-right', 'bottom-left', 'top-left'] as const
export type Corner = (typeof CORNERS)[number]

/** Distance from the screen's edges, px. */
export const MARGIN = 8

export interface Box {
  top: number
  left: number
  bottom: number
  right: number
}

/** Something on the page the panel should not cover, and how much covering it costs. */
export interface Obstacle {
  box: Box
  weight: number
}

export const overlaps = (a: Box, b: Box): boolean =>
  a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom

/** Where a panel of `size` would be in `corner` of a `viewport`. */
export function cornerBox(
  corner: Corner,
  size: { width: number; height: number },
  viewport: { width: number; height: number },
): Box {
  const top = corner.startsWith('top') ? MARGIN : viewport.height - MARGIN - size.height
  const left = corner.endsWith('left') ? MARGIN : viewport.width - MARGIN - size.width
  return { top, left, bottom: top + size.height, right: left + size.width }
}

/** What the panel would cover in `corner`: the sum of the weights it overlaps. */
export function cost(
  corner: Corner,
  size: { width: number; height: number },
  viewport: { width: number; height: number },
  obstacles: readonly Obstacle[],
): number {
  const box = cornerBox(corner, size, viewport)
  return obstacles.reduce((sum, o) => (overlaps(box, o.box) ? sum + o.weight : sum), 0)
}

/**
 * The corner where the panel covers least, staying in `current` unless another covers less
 * (so it does not jump between equal corners). Pure: no DOM.
 */
export function bestCorner(
  current: Corner,
  size: { width: number; height: number },
  viewport: { width: number; height: number },
  obstacles: readonly Obstacle[],
): { corner: Corner; cost: number } {
  let best = { corner: current, cost: cost(current, size, viewport, obstacles) }
  for (const corner of CORNERS) {
    if (best.cost === 0) break
    const c = cost(corner, size, viewport, obstacles)
    if (c < best.cost) best = { corner, cost: c }
  }
  return best
}
