import type { CSSProperties } from 'react'

/** The panel's look: plain inline styles, so it needs no CSS file or runtime. */
export const styles = {
  panel: {
    position: 'fixed',
    right: 12,
    bottom: 12,
    zIndex: 2147483000,
    width: 380,
    maxHeight: '70vh',
    display: 'flex',
    flexDirection: 'column',
    background: '#111827',
    color: '#e5e7eb',
    font: '12px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace',
    border: '1px solid #374151',
    borderRadius: 6,
    boxShadow: '0 6px 24px rgba(0, 0, 0, 0.35)',
  },
  header: {
    display: 'flex',
    alignItems: 'center',
    gap: 8,
    padding: '6px 8px',
    borderBottom: '1px solid #374151',
  },
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
    padding: '2px 0',
    borderBottom: '1px solid #1f2937',
    whiteSpace: 'pre-wrap',
    wordBreak: 'break-all',
  },
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
