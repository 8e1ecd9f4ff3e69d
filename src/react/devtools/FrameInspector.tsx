import { useMemo, useRef, useState, type KeyboardEvent } from 'react'
import { styles } from './styles'
import { frameText, frameType, type LoggedFrame } from './useFrameLog'

type Direction = 'all' | 'in' | 'out'

/** The key that moves focus from item `index` of `count`, and where to. */
function nextIndex(key: string, index: number, count: number): number | undefined {
  if (key === 'ArrowDown') return Math.min(index + 1, count - 1)
  if (key === 'ArrowUp') return Math.max(index - 1, 0)
  if (key === 'Home') return 0
  if (key === 'End') return count - 1
  return undefined
}

/**
 * Frames in and out, newest first, filterable by direction and type. Frames are rendered as
 * JSON text (React escapes it), never as HTML. The list is one Tab stop (the last frame
 * focused, else the newest); arrow keys, Home and End move between frames.
 */
export function FrameInspector({
  frames,
  onClear,
}: {
  frames: LoggedFrame[]
  onClear: () => void
}) {
  const [direction, setDirection] = useState<Direction>('all')
  const [type, setType] = useState('all')
  const types = useMemo(() => {
    const seen = new Set(frames.map((f) => frameType(f.entry)))
    if (type !== 'all') seen.add(type) // keep the chosen type listed after a clear
    return [...seen].sort()
  }, [frames, type])
  const shown = useMemo(
    () =>
      frames
        .filter(
          ({ entry }) =>
            (direction === 'all' || entry.direction === direction) &&
            (type === 'all' || frameType(entry) === type),
        )
        .reverse(),
    [frames, direction, type],
  )

  // The frame that holds the list's Tab stop, by key: it stays put as new frames arrive.
  const [active, setActive] = useState<number | undefined>()
  const [focused, setFocused] = useState(false)
  const found = shown.findIndex((frame) => frame.key === active)
  const activeIndex = found === -1 ? 0 : found
  const list = useRef<HTMLOListElement>(null)
  const onKeyDown = (event: KeyboardEvent) => {
    const next = nextIndex(event.key, activeIndex, shown.length)
    if (next === undefined) return
    event.preventDefault()
    const item = list.current?.children[next] as HTMLElement | undefined
    item?.focus()
  }

  return (
    <section style={styles.section}>
      <div style={styles.sectionTitle}>
        Frames ({shown.length}/{frames.length})
      </div>
      <div style={styles.row}>
        <select
          data-testid="devtools-filter-direction"
          aria-label="Direction"
          style={styles.input}
          value={direction}
          onChange={(e) => setDirection(e.target.value as Direction)}
        >
          <option value="all">in + out</option>
          <option value="in">in</option>
          <option value="out">out</option>
        </select>
        <select
          data-testid="devtools-filter-type"
          aria-label="Type"
          style={styles.input}
          value={type}
          onChange={(e) => setType(e.target.value)}
        >
          <option value="all">all types</option>
          {types.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
        <button type="button" data-testid="devtools-clear" style={styles.button} onClick={onClear}>
          Clear
        </button>
      </div>
      <ol
        ref={list}
        data-testid="devtools-frames"
        aria-label="Frames in and out, newest first"
        style={styles.frames}
        onKeyDown={onKeyDown}
      >
        {shown.map(({ key, entry }, index) => (
          <li
            key={key}
            data-testid="devtools-frame"
            data-direction={entry.direction}
            data-type={frameType(entry)}
            tabIndex={index === activeIndex ? 0 : -1}
            onFocus={() => {
              setActive(key)
              setFocused(true)
            }}
            onBlur={() => setFocused(false)}
            style={{
              ...styles.frame,
              ...(entry.direction === 'in' ? styles.in : styles.out),
              ...(focused && index === activeIndex ? styles.focusedFrame : {}),
            }}
          >
            {entry.direction === 'in' ? '← ' : '→ '}
            {new Date(entry.at).toISOString().slice(11, 23)} {frameText(entry)}
          </li>
        ))}
      </ol>
    </section>
  )
}
