import type { Frame } from '../src/protocol/frames'
import type { RejectReason } from '../src/protocol/codec'

/** One frame that crossed the socket, for dev tools. Frames are already plain data. */
export type InspectedFrame =
  | { direction: 'in' | 'out'; at: number; frame: Frame }
  | { direction: 'in'; at: number; rejected: RejectReason; message: string }

export type FrameListener = (entry: InspectedFrame) => void

/**
 * Lets dev tools watch frames in and out without putting them in state (they would bloat it
 * and every DevTools snapshot). Costs one `size` check per frame when nobody listens.
 *
 * @example
 * const stop = realtime.inspector.subscribe((entry) => console.log(entry.direction, entry))
 */
export interface FrameInspector {
  subscribe(listener: FrameListener): () => void
  readonly active: boolean
  record(entry: InspectedFrame): void
}

export function createFrameInspector(): FrameInspector {
  const listeners = new Set<FrameListener>()
  return {
    subscribe(listener) {
      listeners.add(listener)
      return () => {
        listeners.delete(listener)
      }
    },
    get active() {
      return listeners.size > 0
    },
    record(entry) {
      for (const listener of listeners) {
        try {
          listener(entry)
        } catch {
          // A dev tool's bug must not break the socket.
        }
      }
    },
  }
}
