import { MessageType, PROTOCOL_VERSION } from './messageTypes'
import type { BatchFrame, Frame } from './frames'
import { FieldError, fail, hasKeyCount, requireId, requireSeq, requireTimestamp } from './fields'
import { DATA_VALIDATORS, ROOM_REQUIRED } from './frameData'
import {
  findStructuralProblem,
  isPlainRecord,
  isValidId,
  isValidRoom,
  utf8Length,
} from './validate'

/** Why the codec refused a frame. Each reason is a check a test can name. */
export type RejectReason =
  | 'binary'
  | 'oversize'
  | 'invalid_json'
  | 'not_object'
  | 'forbidden_key'
  | 'too_deep'
  | 'bad_version'
  | 'bad_id'
  | 'unknown_type'
  | 'invalid_field'

export interface Rejection {
  ok: false
  reason: RejectReason
  message: string
  /** The frame's id when it could be read, so an error can refer to it. */
  id?: string
  type?: string
}

export type DecodeResult = { ok: true; frame: Frame } | Rejection

export interface CodecLimits {
  /** Largest accepted frame in UTF-8 bytes. */
  maxBytes: number
  /** Deepest accepted nesting of objects and arrays. */
  maxDepth?: number
  /** Most frames one `batch` may carry. */
  maxBatch?: number
}

export const DEFAULT_LIMITS: Required<CodecLimits> = {
  maxBytes: 1024 * 1024,
  maxDepth: 16,
  maxBatch: 1000,
}

const KNOWN_TYPES = new Set<string>(Object.values(MessageType))

/** The limits with defaults filled in, once per limits object (the inbound path passes one). */
const resolved = new WeakMap<CodecLimits, Required<CodecLimits>>()
function resolvedLimits(limits: CodecLimits): Required<CodecLimits> {
  let full = resolved.get(limits)
  if (!full) {
    full = { ...DEFAULT_LIMITS, ...limits }
    resolved.set(limits, full)
  }
  return full
}

/**
 * How a frame is checked. `fresh` (`validateFrame`): a new frame from the known fields only,
 * anything else dropped. `reuse` (the decoder's own parsed JSON, after the structural walk): the
 * frame itself when it has no unknown field, its `data` replaced when only that was rebuilt.
 * `exact` (the decoder, before any walk): the frame itself when it and its data have no unknown
 * field at all, else null; nothing is rebuilt or changed.
 */
type Mode = 'fresh' | 'reuse' | 'exact'

/** Checks the envelope and `data` of a frame; throws a `FieldError` naming the field. */
function checkFields(
  raw: Record<string, unknown>,
  type: Frame['type'],
  id: string,
  limits: Required<CodecLimits>,
  nested: boolean,
  mode: Mode,
): Frame | null {
  const room =
    raw.room === undefined
      ? undefined
      : isValidRoom(raw.room)
        ? raw.room
        : fail('room must be a 1-300 character printable name, not an Object.prototype member name')
  if (room === undefined && ROOM_REQUIRED.has(type)) fail(`a ${type} frame needs a room`)
  if (raw.data !== undefined && !isPlainRecord(raw.data)) fail('data must be an object')
  const data = raw.data ?? {}
  const timestamp = requireTimestamp(raw.timestamp, 'timestamp')
  const userId = raw.userId === undefined ? undefined : requireId(raw.userId, 'userId')
  const seq = raw.seq === undefined ? undefined : requireSeq(raw.seq, 'seq')
  const inPlace = mode !== 'fresh'
  const checked =
    type === MessageType.BATCH
      ? batchData(data, limits, nested, inPlace)
      : // The usual frame without the table: a type fresh from JSON.parse as a key costs a
        // string-table lookup, a comparison with the constant does not.
        (
          (type === MessageType.CHAT_MESSAGE
            ? DATA_VALIDATORS.chat_message
            : DATA_VALIDATORS[type]) as (d: Record<string, unknown>, inPlace: boolean) => unknown
        )(data, inPlace)
  // v, id, type, timestamp and data, and the optional fields present: nothing else.
  const known = 5 + +(userId !== undefined) + +(seq !== undefined) + +(room !== undefined)
  const envelopeKept = inPlace && raw.data !== undefined && hasKeyCount(raw, known)
  if (mode === 'exact') return envelopeKept && checked === data ? (raw as unknown as Frame) : null
  if (envelopeKept) {
    if (checked !== data) raw.data = checked
    return raw as unknown as Frame
  }
  // Built field by field (no spreads). Key order as the wire has it.
  const envelope: Record<string, unknown> = { v: PROTOCOL_VERSION, id, timestamp }
  if (userId !== undefined) envelope.userId = userId
  if (seq !== undefined) envelope.seq = seq
  if (room !== undefined) envelope.room = room
  envelope.type = type
  envelope.data = checked
  return envelope as unknown as Frame
}

/**
 * Frame types whose every field, at every level, is known to their validator (no free-form
 * JSON), and the deepest object they hold (a chat message's attachment).
 */
const isClosedType = (type: string) =>
  type === MessageType.CHAT_MESSAGE || type === MessageType.DIRECT_MESSAGE
const CLOSED_DEPTH = 3

/**
 * A closed-type frame holding only known fields, all valid, checked as it is; undefined for any
 * other (the full path then says why, or rebuilds it). Such a frame has no key but known field
 * names and no nesting past CLOSED_DEPTH, so the structural walk could find nothing in it: the
 * walk is skipped (it was 5 % of ingest), and every other frame still gets it first.
 */
function exactFrame(value: Record<string, unknown>, limits: Required<CodecLimits>) {
  const type = value.type
  if (typeof type !== 'string' || !isClosedType(type) || limits.maxDepth < CLOSED_DEPTH)
    return undefined
  if (value.v !== PROTOCOL_VERSION || !isValidId(value.id)) return undefined
  try {
    return checkFields(value, type, value.id, limits, false, 'exact') ?? undefined
  } catch {
    return undefined
  }
}

function batchData(
  data: Record<string, unknown>,
  limits: Required<CodecLimits>,
  nested: boolean,
  inPlace: boolean,
): { frames: Frame[] } {
  if (nested) fail('a batch cannot contain a batch')
  const frames = data.frames
  if (!Array.isArray(frames) || frames.length > limits.maxBatch) {
    fail(`data.frames must be an array of at most ${limits.maxBatch} frames`)
  }
  const inner: Frame[] = []
  for (const item of frames) {
    const result = check(item, limits, true, inPlace ? 'reuse' : 'fresh')
    if (isRejection(result)) fail(`data.frames: ${result.message}`)
    inner.push(result)
  }
  return { frames: inner }
}

function reject(reason: RejectReason, message: string, id?: string, type?: string): Rejection {
  return {
    ok: false,
    reason,
    message,
    ...(id !== undefined ? { id } : {}),
    ...(type !== undefined ? { type } : {}),
  }
}

/**
 * Validates parsed JSON as a frame. Never throws; returns a fresh frame holding only validated
 * fields, or the reason it was refused.
 */
export function validateFrame(
  value: unknown,
  limits: CodecLimits = DEFAULT_LIMITS,
  nested = false,
): DecodeResult {
  return result(check(value, resolvedLimits(limits), nested, 'fresh'))
}

/** A frame never has `ok`: a rejection always has `ok: false`. */
export const isRejection = (checked: Frame | Rejection): checked is Rejection =>
  (checked as Partial<Rejection>).ok === false

const result = (checked: Frame | Rejection): DecodeResult =>
  isRejection(checked) ? checked : { ok: true, frame: checked }

/** The frame, or why it was refused: no result object around a frame. */
function check(
  value: unknown,
  full: Required<CodecLimits>,
  nested: boolean,
  mode: Exclude<Mode, 'exact'>,
): Frame | Rejection {
  if (!isPlainRecord(value)) return reject('not_object', 'a frame must be a JSON object')
  if (mode === 'reuse' && !nested) {
    const frame = exactFrame(value, full)
    if (frame) return frame
  }
  if (!nested) {
    const problem = findStructuralProblem(value, full.maxDepth)
    if (problem === 'forbidden_key') {
      return reject(problem, 'keys __proto__, constructor and prototype are not allowed')
    }
    if (problem === 'too_deep')
      return reject(problem, `nesting deeper than ${full.maxDepth} levels`)
  }
  const id = isValidId(value.id) ? value.id : undefined
  const type = typeof value.type === 'string' ? value.type : undefined
  if (value.v !== PROTOCOL_VERSION) {
    return reject('bad_version', `v must be ${PROTOCOL_VERSION}`, id, type)
  }
  if (id === undefined)
    return reject(
      'bad_id',
      'id must be a 1-128 character printable id, not an Object.prototype member name',
      undefined,
      type,
    )
  if (type === undefined || !KNOWN_TYPES.has(type)) {
    return reject('unknown_type', `unknown frame type ${JSON.stringify(value.type)}`, id)
  }
  try {
    return checkFields(value, type as Frame['type'], id, full, nested, mode) as Frame
  } catch (error) {
    if (error instanceof FieldError) return reject('invalid_field', error.message, id, type)
    return reject('invalid_field', 'frame could not be validated', id, type)
  }
}

/** Decodes one WebSocket message. Never throws. */
export function decodeFrame(raw: unknown, limits: CodecLimits = DEFAULT_LIMITS): DecodeResult {
  return result(decodeChecked(raw, resolvedLimits(limits)))
}

/**
 * `decodeFrame` for the client's per-frame path: the frame itself or the rejection, with the
 * limits resolved once by the caller (a result object and a limits lookup per frame were 40 B
 * and 0.4 % of ingest).
 */
export function decodeChecked(raw: unknown, limits: Required<CodecLimits>): Frame | Rejection {
  if (typeof raw !== 'string') return reject('binary', 'only text frames are accepted')
  const maxBytes = limits.maxBytes
  // Cheap bound first: a UTF-8 character is at most 3 bytes per UTF-16 unit.
  if (raw.length > maxBytes || (raw.length * 3 > maxBytes && utf8Length(raw) > maxBytes)) {
    return reject('oversize', `frame larger than ${maxBytes} bytes`)
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(raw)
  } catch {
    return reject('invalid_json', 'frame is not valid JSON')
  }
  // The parsed object is the decoder's own: a frame with only known fields is checked in place.
  return check(parsed, limits, false, 'reuse')
}

/** Serializes a frame. Frames built by this package are always valid. */
export function encodeFrame(frame: Frame): string {
  return JSON.stringify(frame)
}

/**
 * The text of `batch` (whose `data.frames` is ignored) carrying frames already encoded, spliced
 * in rather than encoded again: what `encodeFrame` would give for it with those frames.
 */
export function encodeBatch(batch: BatchFrame, texts: readonly string[]): string {
  const envelope = encodeFrame({ ...batch, data: { ...batch.data, frames: [] } })
  const at = envelope.indexOf(EMPTY_FRAMES) + EMPTY_FRAMES.length - 1
  return `${envelope.slice(0, at)}${texts.join(',')}${envelope.slice(at)}`
}
const EMPTY_FRAMES = '"frames":[]'

/** Expands a batch into its frames; any other frame is returned alone. */
export function unbatch(frame: Frame): Frame[] {
  return frame.type === MessageType.BATCH ? frame.data.frames : [frame]
}
