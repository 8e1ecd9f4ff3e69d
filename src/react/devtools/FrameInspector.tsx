import { useMemo, useState } from 'react'
import { styles } from './styles'
import { frameText, frameType, type LoggedFrame } from './useFrameLog'

type Direction = 'all' | 'in' | 'out'

/**
 * Frames in and out, newest first, filterable by direction and type. Frames are rendered as
 * JSON text (React escapes it), never as HTML.
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
      <ol data-testid="devtools-frames" style={styles.frames}>
        {shown.map(({ key, entry }) => (
          <li
            key={key}
            data-testid="devtools-frame"
            data-direction={entry.direction}
            data-type={frameType(entry)}
            style={{ ...styles.frame, ...(entry.direction === 'in' ? styles.in : styles.out) }}
          >
            {entry.direction === 'in' ? '← ' : '→ '}
            {new Date(entry.at).toISOString().slice(11, 23)} {frameText(entry)}
          </li>
        ))}
      </ol>
    </section>
  )
}
