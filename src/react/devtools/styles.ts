import type { CSSProperties } from 'react'
import { MARGIN, type Corner } from './placement'

const panelBase: CSSProperties = {
  position: 'fixed',
  zIndex: 2147483000,
  display: 'flex',
  flexDirection: 'column',
  background: '#111827',
  color: '#e5e7eb',
  font: '12px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace',
  border: '1px solid #374151',
  borderRadius: 6,
  boxShadow: '0 6px 24px rgba(0, 0, 0, 0.35)',
}

/**
 * Where and how big the panel is: in `corner`; open, 380 px wide (the screen's width less the
 * margins on narrow screens) and at most 70% of the height (45% on narrow ones, so the other
 * half stays free for the app); collapsed, just its header.
 */
export function panelStyle(options: {
  open: boolean
  narrow: boolean
  corner: Corner
}): CSSProperties {
  const { open, narrow, corner } = options
  const size: CSSProperties = open
    ? {
        width: narrow ? `calc(100vw - ${2 * MARGIN}px)` : 380,
        maxHeight: narrow ? '45vh' : '70vh',
      }
    : {}
  const [vertical, horizontal] = corner.split('-') as ['top' | 'bottom', 'left' | 'right']
  return { ...panelBase, [vertical]: MARGIN, [horizontal]: MARGIN, ...size }
}

/** The panel's look: plain inline styles, so it needs no CSS file or runtime. */
export const styles = {
  header: {
    display: 'flex',
    alignItems: 'center',
    gap: 8,
    padding: '6px 8px',
    borderBottom: '1px solid #374151',
  },
  collapsedHeader: { display: 'flex', alignItems: 'center', gap: 6, padding: '3px 4px 3px 8px' },
  title: { fontWeight: 700, flex: 1 },
  body: { overflowY: 'auto', padding: 8, display: 'flex', flexDirection: 'column', gap: 8 },
  section: { display: 'flex', flexDirection: 'column', gap: 4 },
  sectionTitle: { fontWeight: 700, color: '#9ca3af', textTransform: 'uppercase', fontSize: 10 },
  grid: { display: 'grid', gridTemplateColumns: 'auto 1fr', columnGap: 8, rowGap: 2 },
  label: { color: '#9ca3af' },
  row: { display: 'flex', gap: 4, flexWrap: 'wrap', alignItems: 'center' },
  button: {
    background: '#1f2937',
    color: '#e5e7eb',
    border: '1px solid #4b5563',
    borderRadius: 4,
    padding: '2px 8px',
    minWidth: 24,
    minHeight: 24,
    font: 'inherit',
    cursor: 'pointer',
  },
  input: {
    background: '#030712',
    color: '#e5e7eb',
    border: '1px solid #4b5563',
    borderRadius: 4,
    padding: '2px 4px',
    font: 'inherit',
    minWidth: 0,
    flex: 1,
  },
  frames: {
    maxHeight: 220,
    overflowY: 'auto',
    margin: 0,
    padding: 0,
    listStyle: 'none',
    borderTop: '1px solid #1f2937',
  },
  frame: {
    margin: 0,
    padding: '2px 2px',
    borderBottom: '1px solid #1f2937',
    whiteSpace: 'pre-wrap',
    wordBreak: 'break-all',
  },
  focusedFrame: { outline: '2px solid #fbbf24', outlineOffset: -2 },
  in: { color: '#93c5fd' },
  out: { color: '#86efac' },
  error: { color: '#fca5a5' },
} satisfies Record<string, CSSProperties>

/** A colour per connection state, for the badge in the header. */
export function stateColor(state: string): string {
  if (state === 'open') return '#22c55e'
  if (state === 'closed' || state === 'idle') return '#ef4444'
  return '#f59e0b'
}
