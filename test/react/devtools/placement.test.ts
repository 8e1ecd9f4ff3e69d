import { describe, expect, it } from 'vitest'
import { bestCorner, cornerBox, type Obstacle } from '../../../src/react/devtools/placement'

const PHONE = { width: 390, height: 844 }
const PILL = { width: 80, height: 30 }
const at = (left: number, top: number, width: number, height: number, weight = 1): Obstacle => ({
  box: { left, top, right: left + width, bottom: top + height },
  weight,
})

describe('placement', () => {
  it('puts a corner box 8 px in from the edges', () => {
    expect(cornerBox('bottom-right', PILL, PHONE)).toEqual({
      left: 302,
      top: 806,
      right: 382,
      bottom: 836,
    })
    expect(cornerBox('top-left', PILL, PHONE)).toEqual({ left: 8, top: 8, right: 88, bottom: 38 })
  })

  it('stays in bottom-right when it covers nothing there', () => {
    expect(bestCorner('bottom-right', PILL, PHONE, [at(0, 0, 390, 60)])).toEqual({
      corner: 'bottom-right',
      cost: 0,
    })
  })

  it('moves to the first corner that covers nothing: a bottom composer sends it up', () => {
    const composer = at(0, 790, 390, 54, 1000)
    expect(bestCorner('bottom-right', PILL, PHONE, [composer]).corner).toBe('top-right')
    const header = at(300, 0, 90, 60)
    expect(bestCorner('bottom-right', PILL, PHONE, [composer, header]).corner).toBe('top-left')
  })

  it('covers the fewest when every corner covers something, and stays put on a tie', () => {
    const everywhere = [at(0, 0, 390, 40), at(0, 800, 390, 44), at(290, 800, 100, 44)]
    expect(bestCorner('bottom-right', PILL, PHONE, everywhere)).toEqual({
      corner: 'top-right',
      cost: 1,
    })
    expect(bestCorner('top-left', PILL, PHONE, everywhere).corner).toBe('top-left')
  })
})
