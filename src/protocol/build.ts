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
  return {
    ...fields,
    v: PROTOCOL_VERSION,
    id: fields.id ?? createId(),
    timestamp: fields.timestamp ?? Date.now(),
    type,
  } as unknown as FrameOfType<T>
}
