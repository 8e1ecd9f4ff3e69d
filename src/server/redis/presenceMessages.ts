/** Decoding what the Redis presence engine reads back: stored entries, room data and published messages. */
import type { JsonValue } from '../../protocol'
import { findJsonProblem } from '../../protocol/validate'
import { MAX_ROOM_PRESENCE_BYTES } from '../../protocol'
import { isValidId, isValidRoom } from '../../protocol'
import type { ChosenStatus } from '../presenceBook'
import type { ProcessPresence, RemotePresenceChange, RemoteRoomData } from '../presenceEngine'

const CHOSEN: readonly string[] = ['online', 'away', 'busy']
const MAX_CUSTOM_STATUS = 128
/** Rooms one process's entry of a user may name. */
export const MAX_ROOMS = 10_000

/** Room data from Redis, decoded like any input; undefined when it is not (or '' = none). */
export function parseRoomData(json: string): { value: JsonValue } | undefined {
  if (json === '' || Buffer.byteLength(json) > MAX_ROOM_PRESENCE_BYTES * 2) return undefined
  try {
    const value = JSON.parse(json) as unknown
    return findJsonProblem(value, 32) === undefined ? { value: value as JsonValue } : undefined
  } catch {
    return undefined
  }
}

/** A process's presence from Redis, decoded like any input; undefined when it is not one. */
export function parsePresence(value: unknown): ProcessPresence | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
  const record = value as Record<string, unknown>
  const custom = record.customStatus
  if (custom !== undefined && (typeof custom !== 'string' || custom.length > MAX_CUSTOM_STATUS))
    return undefined
  const customStatus = custom === undefined || custom === '' ? {} : { customStatus: custom }
  if (record.online === true) {
    if (typeof record.status !== 'string' || !CHOSEN.includes(record.status)) return undefined
    const rooms = record.rooms
    if (
      rooms !== undefined &&
      (!Array.isArray(rooms) || rooms.length > MAX_ROOMS || !rooms.every((r) => isValidRoom(r)))
    )
      return undefined
    return {
      online: true,
      status: record.status as ChosenStatus,
      ...customStatus,
      ...(rooms !== undefined && rooms.length > 0 ? { rooms } : {}),
    }
  }
  const lastSeen = record.lastSeen
  if (record.online !== false || typeof lastSeen !== 'number' || !Number.isSafeInteger(lastSeen))
    return undefined
  return { online: false, lastSeen, ...customStatus }
}

/** A published message's fields (undefined: not a JSON object). */
function fieldsOf(message: string): Record<string, unknown> | undefined {
  let value: unknown
  try {
    value = JSON.parse(message)
  } catch {
    return undefined
  }
  return typeof value === 'object' && value !== null
    ? (value as Record<string, unknown>)
    : undefined
}

export function parseRoomMessage(message: string): RemoteRoomData | undefined {
  const fields = fieldsOf(message)
  if (!fields) return undefined
  const { u, p, r, d } = fields
  if (!isValidId(u) || !isValidId(p) || !isValidRoom(r) || typeof d !== 'string') return undefined
  const data = parseRoomData(d)
  return data ? { userId: u, process: p, room: r, value: data.value } : undefined
}

export function parseChange(message: string): RemotePresenceChange | undefined {
  const fields = fieldsOf(message)
  if (!fields) return undefined
  const { u, p, s } = fields
  const presence = parsePresence(s)
  if (!isValidId(u) || !isValidId(p) || !presence) return undefined
  return { userId: u, process: p, presence }
}
