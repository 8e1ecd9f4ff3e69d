/** Where a character index of a `<textarea>` is drawn, in px from the textarea's border box. */
export interface CaretBox {
  top: number
  left: number
  height: number
}

/** What decides where text wraps: copied from the textarea onto the measuring mirror. */
const COPIED = [
  'fontFamily',
  'fontSize',
  'fontStyle',
  'fontVariant',
  'fontWeight',
  'fontStretch',
  'lineHeight',
  'letterSpacing',
  'wordSpacing',
  'tabSize',
  'textIndent',
  'textTransform',
  'textAlign',
  'paddingTop',
  'paddingRight',
  'paddingBottom',
  'paddingLeft',
] as const

/**
 * Measures where `index` of the textarea's value is drawn, with `mirror` (a hidden div laid
 * out like the textarea's content box: same font, padding and width without the scrollbar).
 * Null when that spot is scrolled out of view.
 */
export function caretBox(
  textarea: HTMLTextAreaElement,
  mirror: HTMLDivElement,
  index: number,
): CaretBox | null {
  const style = getComputedStyle(textarea)
  for (const property of COPIED) mirror.style[property] = style[property]
  mirror.style.width = `${textarea.clientWidth}px`
  const value = textarea.value
  const at = Math.min(index, value.length)
  mirror.textContent = value.slice(0, at)
  const marker = document.createElement('span')
  // Something to measure even at the end of the text (or of a line).
  marker.textContent = value.slice(at, at + 1) || '.'
  mirror.append(marker)
  const lineHeight = Number.parseFloat(style.lineHeight) || Number.parseFloat(style.fontSize) * 1.4
  const top = marker.offsetTop + textarea.clientTop - textarea.scrollTop
  const left = marker.offsetLeft + textarea.clientLeft - textarea.scrollLeft
  mirror.textContent = ''
  const visible =
    top >= textarea.clientTop - 1 &&
    top + lineHeight <= textarea.clientTop + textarea.clientHeight + 1 &&
    left <= textarea.clientLeft + textarea.clientWidth
  return visible ? { top, left, height: lineHeight } : null
}

/** "line 2, column 5" (1-based) of `index` in `text`. */
export function lineAndColumn(text: string, index: number): { line: number; column: number } {
  const before = text.slice(0, Math.min(index, text.length))
  const lines = before.split('\n')
  return { line: lines.length, column: (lines[lines.length - 1]?.length ?? 0) + 1 }
}
