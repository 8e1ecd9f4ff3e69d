import { useEffect, useRef, useState } from 'react'
import type { InspectedFrame, Realtime } from '../core'

/** One logged frame with a key that stays unique for the panel's lifetime. */
export interface LoggedFrame {
  key: number
  entry: InspectedFrame
}

/** How often buffered frames are shown: a burst of frames costs one render, not one each. */
const FLUSH_MS = 100

/**
 * The last `max` frames in and out, from `realtime.inspector` (never from state), newest last.
 * Listens only while mounted, so the inspector costs nothing when no panel is shown.
 */
export function useFrameLog(realtime: Realtime, max: number): [LoggedFrame[], () => void] {
  const [frames, setFrames] = useState<LoggedFrame[]>([])
  const nextKey = useRef(0)
  useEffect(() => {
    let buffer: LoggedFrame[] = []
    let timer: ReturnType<typeof setTimeout> | undefined
    const flush = () => {
      timer = undefined
      const batch = buffer
      buffer = []
      setFrames((shown) => shown.concat(batch).slice(-max))
    }
    const stop = realtime.inspector.subscribe((entry) => {
      buffer.push({ key: nextKey.current++, entry })
      if (buffer.length > max) buffer.splice(0, buffer.length - max)
      timer ??= setTimeout(flush, FLUSH_MS)
    })
    return () => {
      stop()
      clearTimeout(timer)
    }
  }, [realtime, max])
  return [frames, () => setFrames([])]
}

/** The frame's type, or 'rejected' for input the codec refused. */
export function frameType(entry: InspectedFrame): string {
  return 'frame' in entry ? entry.frame.type : 'rejected'
}

/** The frame as JSON text, with the token of an `auth` frame hidden. */
export function frameText(entry: InspectedFrame): string {
  if (!('frame' in entry))
    return JSON.stringify({ rejected: entry.rejected, message: entry.message })
  const { frame } = entry
  if (frame.type === 'auth') return JSON.stringify({ ...frame, data: { token: '[redacted]' } })
  return JSON.stringify(frame)
}
