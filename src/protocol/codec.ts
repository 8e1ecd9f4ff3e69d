import { MessageType, PROTOCOL_VERSION } from './messageTypes'
import { WebSocketErrorCode } from './codes'
import {
  NOTIFICATION_SEVERITIES,
  PRESENCE_STATUSES,
  type Attachment,
  type ChatMessageData,
  type Frame,
  type NotificationOp,
  type NotificationSeverity,
  type PresenceEntry,
  type PresenceStatus,
} from './frames'
import {
  findStructuralProblem,
  isPlainRecord,
  isSeq,
  isTimestamp,
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

const MAX_CONTENT_LENGTH = 16 * 1024
const MAX_MENTIONS = 50
const MAX_ATTACHMENTS = 10

const KNOWN_TYPES = new Set<string>(Object.values(MessageType))

class FieldError extends Error {}

function fail(message: string): never {
  throw new FieldError(message)
}

function optionalId(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined
  return isValidId(value) ? value : fail(`${field} must be a 1-128 character printable id`)
}

function requireId(value: unknown, field: string): string {
  return isValidId(value) ? value : fail(`${field} must be a 1-128 character printable id`)
}

function requireString(value: unknown, field: string, max: number): string {
  if (typeof value !== 'string') fail(`${field} must be a string`)
  if (value.length > max) fail(`${field} is longer than ${max} characters`)
  return value
}

function requireSeq(value: unknown, field: string): number {
  return isSeq(value) ? value : fail(`${field} must be a non-negative integer`)
}

function requireData(value: unknown): Record<string, unknown> {
  if (value === undefined) return {}
  return isPlainRecord(value) ? value : fail('data must be an object')
}

function attachment(value: unknown, index: number): Attachment {
  if (!isPlainRecord(value)) fail(`data.attachments[${index}] must be an object`)
  const size = value.size
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    fail(`data.attachments[${index}].size must be a non-negative integer`)
  }
  const url = requireString(value.url, `data.attachments[${index}].url`, 2048)
  if (!/^(https?:\/\/|\/)/.test(url))
    fail(`data.attachments[${index}].url must be http(s) or a path`)
  return {
    name: requireString(value.name, `data.attachments[${index}].name`, 256),
    url,
    mimeType: requireString(value.mimeType, `data.attachments[${index}].mimeType`, 128),
    size,
  }
}

function chatData(data: Record<string, unknown>): ChatMessageData {
  const out: ChatMessageData = {
    content: requireString(data.content, 'data.content', MAX_CONTENT_LENGTH),
  }
  const replyTo = optionalId(data.replyTo, 'data.replyTo')
  if (replyTo !== undefined) out.replyTo = replyTo
  if (data.mentions !== undefined) {
    if (!Array.isArray(data.mentions) || data.mentions.length > MAX_MENTIONS) {
      fail(`data.mentions must be an array of at most ${MAX_MENTIONS} user ids`)
    }
    out.mentions = data.mentions.map((m, i) => requireId(m, `data.mentions[${i}]`))
  }
  if (data.attachments !== undefined) {
    if (!Array.isArray(data.attachments) || data.attachments.length > MAX_ATTACHMENTS) {
      fail(`data.attachments must be an array of at most ${MAX_ATTACHMENTS} items`)
    }
    out.attachments = data.attachments.map(attachment)
  }
  return out
}

function optionalString(value: unknown, field: string, max: number): string | undefined {
  return value === undefined ? undefined : requireString(value, field, max)
}

function optionalTimestamp(value: unknown, field: string): number | undefined {
  if (value === undefined) return undefined
  return isTimestamp(value) ? value : fail(`${field} must be epoch ms`)
}

function oneOf<T extends string>(value: unknown, field: string, allowed: readonly T[]): T {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value)
    ? (value as T)
    : fail(`${field} must be one of ${allowed.join(', ')}`)
}

/** Copies the defined entries only, so frames hold no `undefined` fields. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T
}

function presenceEntry(value: unknown, field: string): PresenceEntry {
  if (!isPlainRecord(value)) fail(`${field} must be an object`)
  return defined({
    userId: requireId(value.userId, `${field}.userId`),
    status: oneOf<PresenceStatus>(value.status, `${field}.status`, PRESENCE_STATUSES),
    customStatus: optionalString(value.customStatus, `${field}.customStatus`, MAX_STATUS_LENGTH),
    lastSeen: optionalTimestamp(value.lastSeen, `${field}.lastSeen`),
  })
}

function link(value: unknown, field: string): string | undefined {
  const url = optionalString(value, field, 2048)
  if (url !== undefined && !/^(https?:\/\/|\/)/.test(url))
    fail(`${field} must be http(s) or a path`)
  return url
}

const NOTIFICATION_OPS: readonly NotificationOp[] = ['read', 'read_all', 'dismiss', 'clear']
const MAX_STATUS_LENGTH = 128
const MAX_PRESENCE_USERS = 1000
const MAX_REMINDERS = 20

/** Builds the validated frame from known fields only; anything else is dropped. */
function buildFrame(
  raw: Record<string, unknown>,
  type: string,
  id: string,
  limits: Required<CodecLimits>,
  nested: boolean,
): Frame {
  if (!isTimestamp(raw.timestamp)) fail('timestamp must be a non-negative number (epoch ms)')
  const base = {
    v: PROTOCOL_VERSION,
    id,
    timestamp: raw.timestamp,
    ...(raw.userId !== undefined ? { userId: requireId(raw.userId, 'userId') } : {}),
    ...(raw.seq !== undefined ? { seq: requireSeq(raw.seq, 'seq') } : {}),
  }
  const room =
    raw.room === undefined
      ? undefined
      : isValidRoom(raw.room)
        ? raw.room
        : fail('room must be a 1-128 character printable name')
  const withRoom = () => (room !== undefined ? room : fail(`a ${type} frame needs a room`))
  const data = requireData(raw.data)
  const maybeRoom = room !== undefined ? { room } : {}

  switch (type) {
    case MessageType.AUTH:
      return {
        ...base,
        ...maybeRoom,
        type,
        data: { token: requireString(data.token, 'data.token', 8192) },
      }
    case MessageType.AUTH_OK: {
      const maxFrameBytes = data.maxFrameBytes
      if (maxFrameBytes !== undefined && !(isSeq(maxFrameBytes) && maxFrameBytes > 0)) {
        fail('data.maxFrameBytes must be a positive integer')
      }
      return {
        ...base,
        ...maybeRoom,
        type,
        data: {
          userId: requireId(data.userId, 'data.userId'),
          sessionId: requireId(data.sessionId, 'data.sessionId'),
          epoch: requireId(data.epoch, 'data.epoch'),
          ...(maxFrameBytes !== undefined ? { maxFrameBytes } : {}),
        },
      }
    }
    case MessageType.ACK: {
      const seq = data.seq === undefined ? undefined : requireSeq(data.seq, 'data.seq')
      return {
        ...base,
        ...maybeRoom,
        type,
        data: { refId: requireId(data.refId, 'data.refId'), ...(seq !== undefined ? { seq } : {}) },
      }
    }
    case MessageType.PING:
      return { ...base, ...maybeRoom, type, data: {} }
    case MessageType.PONG:
      if (!isTimestamp(data.echo)) fail('data.echo must be the ping timestamp')
      return { ...base, ...maybeRoom, type, data: { echo: data.echo } }
    case MessageType.JOIN: {
      const epoch = optionalId(data.epoch, 'data.epoch')
      const seq = data.seq === undefined ? undefined : requireSeq(data.seq, 'data.seq')
      return {
        ...base,
        room: withRoom(),
        type,
        data: { ...(epoch !== undefined ? { epoch } : {}), ...(seq !== undefined ? { seq } : {}) },
      }
    }
    case MessageType.JOINED:
      if (typeof data.resumed !== 'boolean' || typeof data.gap !== 'boolean') {
        fail('data.resumed and data.gap must be booleans')
      }
      return {
        ...base,
        room: withRoom(),
        type,
        data: {
          epoch: requireId(data.epoch, 'data.epoch'),
          fromSeq: requireSeq(data.fromSeq, 'data.fromSeq'),
          headSeq: requireSeq(data.headSeq, 'data.headSeq'),
          resumed: data.resumed,
          gap: data.gap,
        },
      }
    case MessageType.LEAVE:
    case MessageType.LEFT:
      return { ...base, room: withRoom(), type, data: {} }
    case MessageType.CHAT_MESSAGE:
      return { ...base, room: withRoom(), type, data: chatData(data) }
    case MessageType.ERROR: {
      const code = requireString(data.code, 'data.code', 64)
      if (!(Object.values(WebSocketErrorCode) as string[]).includes(code)) {
        fail('data.code must be a WebSocketErrorCode')
      }
      const refId = optionalId(data.refId, 'data.refId')
      const retryAfterMs = data.retryAfterMs
      if (retryAfterMs !== undefined && !isSeq(retryAfterMs)) fail('data.retryAfterMs must be ms')
      return {
        ...base,
        ...maybeRoom,
        type,
        data: {
          code: code as (typeof WebSocketErrorCode)[keyof typeof WebSocketErrorCode],
          message: requireString(data.message, 'data.message', 1024),
          ...(refId !== undefined ? { refId } : {}),
          ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
        },
      }
    }
    case MessageType.BATCH: {
      if (nested) fail('a batch cannot contain a batch')
      const frames = data.frames
      if (!Array.isArray(frames) || frames.length > limits.maxBatch) {
        fail(`data.frames must be an array of at most ${limits.maxBatch} frames`)
      }
      const inner: Frame[] = []
      for (const item of frames) {
        const result = validateFrame(item, limits, true)
        if (!result.ok) fail(`data.frames: ${result.message}`)
        inner.push(result.frame)
      }
      return { ...base, ...maybeRoom, type, data: { frames: inner } }
    }
    case MessageType.DIRECT_MESSAGE:
      return {
        ...base,
        ...maybeRoom,
        type,
        data: { ...chatData(data), to: requireId(data.to, 'data.to') },
      }
    case MessageType.TYPING_START:
    case MessageType.TYPING_STOP:
      return { ...base, room: withRoom(), type, data: {} }
    case MessageType.READ_RECEIPT:
      return {
        ...base,
        room: withRoom(),
        type,
        data: {
          messageId: requireId(data.messageId, 'data.messageId'),
          seq: requireSeq(data.seq, 'data.seq'),
        },
      }
    case MessageType.PRESENCE_UPDATE: {
      const users = data.users
      if (users !== undefined && (!Array.isArray(users) || users.length > MAX_PRESENCE_USERS)) {
        fail(`data.users must be an array of at most ${MAX_PRESENCE_USERS} entries`)
      }
      if (data.snapshot !== undefined && typeof data.snapshot !== 'boolean')
        fail('data.snapshot must be a boolean')
      return {
        ...base,
        ...maybeRoom,
        type,
        data: defined({
          status:
            data.status === undefined
              ? undefined
              : oneOf<PresenceStatus>(data.status, 'data.status', PRESENCE_STATUSES),
          customStatus: optionalString(data.customStatus, 'data.customStatus', MAX_STATUS_LENGTH),
          snapshot: data.snapshot,
          users: users?.map((u, i) => presenceEntry(u, `data.users[${i}]`)),
        }),
      }
    }
    case MessageType.USER_ONLINE:
    case MessageType.USER_OFFLINE:
      return { ...base, ...maybeRoom, type, data: presenceEntry(data, 'data') }
    case MessageType.SUBSCRIBE:
    case MessageType.UNSUBSCRIBE: {
      const topic = oneOf(data.topic, 'data.topic', ['user', 'events'] as const)
      const subscription =
        topic === 'user' ? { topic, userId: requireId(data.userId, 'data.userId') } : { topic }
      return { ...base, ...maybeRoom, type, data: subscription }
    }
    case MessageType.NOTIFICATION:
      return {
        ...base,
        ...maybeRoom,
        type,
        data: defined({
          title: requireString(data.title, 'data.title', 256),
          body: optionalString(data.body, 'data.body', 4096),
          kind: requireString(data.kind, 'data.kind', 64),
          severity: oneOf<NotificationSeverity>(
            data.severity,
            'data.severity',
            NOTIFICATION_SEVERITIES,
          ),
          eventId: optionalId(data.eventId, 'data.eventId'),
          link: link(data.link, 'data.link'),
        }),
      }
    case MessageType.NOTIFICATION_UPDATE: {
      const op = oneOf(data.op, 'data.op', NOTIFICATION_OPS)
      const id = optionalId(data.id, 'data.id')
      if ((op === 'read' || op === 'dismiss') && id === undefined)
        fail(`data.id is required for ${op}`)
      return { ...base, ...maybeRoom, type, data: defined({ op, id }) }
    }
    case MessageType.SYSTEM_ALERT:
      return {
        ...base,
        ...maybeRoom,
        type,
        data: {
          message: requireString(data.message, 'data.message', 1024),
          severity: oneOf<NotificationSeverity>(
            data.severity,
            'data.severity',
            NOTIFICATION_SEVERITIES,
          ),
        },
      }
    case MessageType.EVENT_UPDATE: {
      const remindAt = data.remindAt
      if (remindAt !== undefined && (!Array.isArray(remindAt) || remindAt.length > MAX_REMINDERS)) {
        fail(`data.remindAt must be an array of at most ${MAX_REMINDERS} times`)
      }
      if (!isTimestamp(data.startsAt)) fail('data.startsAt must be epoch ms')
      if (!isTimestamp(data.updatedAt)) fail('data.updatedAt must be epoch ms')
      return {
        ...base,
        ...maybeRoom,
        type,
        data: defined({
          id: requireId(data.id, 'data.id'),
          title: requireString(data.title, 'data.title', 256),
          startsAt: data.startsAt,
          endsAt: optionalTimestamp(data.endsAt, 'data.endsAt'),
          location: optionalString(data.location, 'data.location', 256),
          status: requireString(data.status, 'data.status', 32),
          remindAt: remindAt?.map((t: unknown, i) =>
            isTimestamp(t) ? t : fail(`data.remindAt[${i}] must be epoch ms`),
          ),
          updatedAt: data.updatedAt,
        }),
      }
    }
  }
  return fail(`frame type ${type} has no validator`)
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
  const full = { ...DEFAULT_LIMITS, ...limits }
  if (!isPlainRecord(value)) return reject('not_object', 'a frame must be a JSON object')
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
    return reject('bad_id', 'id must be a 1-128 character printable id', undefined, type)
  if (type === undefined || !KNOWN_TYPES.has(type)) {
    return reject('unknown_type', `unknown frame type ${JSON.stringify(value.type)}`, id)
  }
  try {
    return { ok: true, frame: buildFrame(value, type, id, full, nested) }
  } catch (error) {
    if (error instanceof FieldError) return reject('invalid_field', error.message, id, type)
    return reject('invalid_field', 'frame could not be validated', id, type)
  }
}

/** Decodes one WebSocket message. Never throws. */
export function decodeFrame(raw: unknown, limits: CodecLimits = DEFAULT_LIMITS): DecodeResult {
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
  return validateFrame(parsed, limits)
}

/** Serializes a frame. Frames built by this package are always valid. */
export function encodeFrame(frame: Frame): string {
  return JSON.stringify(frame)
}

/** Expands a batch into its frames; any other frame is returned alone. */
export function unbatch(frame: Frame): Frame[] {
  return frame.type === MessageType.BATCH ? frame.data.frames : [frame]
}
