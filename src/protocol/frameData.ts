import { MessageType } from './messageTypes'
import { WebSocketErrorCode } from './codes'
import {
  MAX_ROOM_PRESENCE_BYTES,
  NOTIFICATION_SEVERITIES,
  PRESENCE_STATUSES,
  type Attachment,
  type ChatMessageData,
  type DirectMessageData,
  type Frame,
  type NotificationOp,
  type JsonValue,
  type PresenceEntry,
  type RoomMemberEntry,
} from './frames'
import {
  defined,
  fail,
  hasKeyCount,
  link,
  oneOf,
  optionalId,
  optionalSeq,
  optionalString,
  optionalTimestamp,
  requireArray,
  requireBoolean,
  requireId,
  requireContent,
  requireJson,
  requireLabel,
  requireRecord,
  requireSeq,
  requireString,
  requireTimestamp,
} from './fields'
import { APP_MESSAGE_TYPE_RULE, isValidAppMessageType } from './validate'
import { DOC_DATA_VALIDATORS, optionalDocId } from './docFrames'

const MAX_MENTIONS = 50
const MAX_ATTACHMENTS = 10
const MAX_STATUS_LENGTH = 128
const MAX_PRESENCE_USERS = 1000
/** Most members (or left users) one `room_presence` frame carries; a longer list is chunked. */
export const MAX_ROOM_MEMBERS_PER_FRAME = 1000
const MAX_REMINDERS = 20
const NOTIFICATION_OPS: readonly NotificationOp[] = ['read', 'read_all', 'dismiss', 'clear']
const ERROR_CODES = Object.values(WebSocketErrorCode)

/** Frame types that only make sense with a `room`. */
export const ROOM_REQUIRED = new Set<string>([
  MessageType.JOIN,
  MessageType.JOINED,
  MessageType.LEAVE,
  MessageType.LEFT,
  MessageType.CHAT_MESSAGE,
  MessageType.TYPING_START,
  MessageType.TYPING_STOP,
  MessageType.READ_RECEIPT,
  MessageType.APP_MESSAGE,
  MessageType.ROOM_PRESENCE,
])

function attachment(value: unknown, index: number, inPlace: boolean): Attachment {
  const field = `data.attachments[${index}]`
  const record = requireRecord(value, field)
  const size = record.size
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    fail(`${field}.size must be a non-negative integer`)
  }
  const name = requireString(record.name, `${field}.name`, 256)
  const url = link(record.url, `${field}.url`) ?? fail(`${field}.url must be http(s) or a path`)
  const mimeType = requireString(record.mimeType, `${field}.mimeType`, 128)
  if (inPlace && hasKeyCount(record, 4)) return record as unknown as Attachment
  return { name, url, mimeType, size }
}

/** Checks every item; the array itself when in place and every item was kept, else a copy. */
function checkedItems<T>(
  list: unknown[],
  inPlace: boolean,
  item: (value: unknown, index: number) => T,
): T[] {
  let out: T[] | undefined = inPlace ? undefined : []
  for (let i = 0; i < list.length; i++) {
    const checked = item(list[i], i)
    if (out) out.push(checked)
    else if (checked !== list[i]) {
      out = list.slice(0, i) as T[]
      out.push(checked)
    }
  }
  return out ?? (list as T[])
}

/**
 * Chat content and its optional fields. In place (parsed JSON), `data` itself when it holds
 * nothing else (but `extra` more keys the caller checks: a direct message's `to`).
 */
function chatData(data: Record<string, unknown>, inPlace: boolean, extra = 0): ChatMessageData {
  const content = requireContent(data.content)
  const replyTo = optionalId(data.replyTo, 'data.replyTo')
  const mentions =
    data.mentions === undefined
      ? undefined
      : checkedItems(
          requireArray(data.mentions, 'data.mentions', MAX_MENTIONS, 'user ids'),
          inPlace,
          (m, i) => requireId(m, `data.mentions[${i}]`),
        )
  const attachments =
    data.attachments === undefined
      ? undefined
      : checkedItems(
          requireArray(data.attachments, 'data.attachments', MAX_ATTACHMENTS, 'items'),
          inPlace,
          (a, i) => attachment(a, i, inPlace),
        )
  if (
    inPlace &&
    mentions === data.mentions &&
    attachments === data.attachments &&
    hasKeyCount(
      data,
      1 +
        extra +
        +(replyTo !== undefined) +
        +(mentions !== undefined) +
        +(attachments !== undefined),
    )
  )
    return data as unknown as ChatMessageData
  return defined({ content, replyTo, mentions, attachments })
}

function presenceEntry(value: unknown, field: string): PresenceEntry {
  const record = requireRecord(value, field)
  return defined({
    userId: requireId(record.userId, `${field}.userId`),
    status: oneOf(record.status, `${field}.status`, PRESENCE_STATUSES),
    customStatus: optionalString(record.customStatus, `${field}.customStatus`, MAX_STATUS_LENGTH),
    lastSeen: optionalTimestamp(record.lastSeen, `${field}.lastSeen`),
  })
}

function roomMember(value: unknown, field: string): RoomMemberEntry {
  const record = requireRecord(value, field)
  return defined({
    userId: requireId(record.userId, `${field}.userId`),
    data:
      record.data === undefined
        ? undefined
        : requireJson(record.data, `${field}.data`, MAX_ROOM_PRESENCE_BYTES),
  })
}

function idList(value: unknown, field: string, max: number): string[] | undefined {
  if (value === undefined) return undefined
  return requireArray(value, field, max, 'user ids').map((u, i) => requireId(u, `${field}[${i}]`))
}

const empty = () => ({})

type DataValidators = {
  [T in Exclude<Frame['type'], 'batch'>]: (
    data: Record<string, unknown>,
    /** `data` is the decoder's parsed JSON: a validator may return it itself when it holds only known fields. */
    inPlace: boolean,
  ) => Extract<Frame, { type: T }>['data']
}

/**
 * Each frame type's `data`, validated and rebuilt from known fields only, or (chat and direct
 * messages, decoded in place) returned itself when it has no other field (the envelope and
 * `batch` are the codec's). One line per type: what the protocol accepts is read here.
 */
export const DATA_VALIDATORS: DataValidators = {
  auth: (d) =>
    defined({
      token: requireString(d.token, 'data.token', 8192),
      maxFrameBytes: optionalPositive(d.maxFrameBytes, 'data.maxFrameBytes'),
    }),
  auth_ok: (d) =>
    defined({
      userId: requireId(d.userId, 'data.userId'),
      sessionId: requireId(d.sessionId, 'data.sessionId'),
      epoch: requireId(d.epoch, 'data.epoch'),
      maxFrameBytes: optionalPositive(d.maxFrameBytes, 'data.maxFrameBytes'),
      expiresAt: optionalTimestamp(d.expiresAt, 'data.expiresAt'),
      rateLimit: d.rateLimit === undefined ? undefined : rateLimit(d.rateLimit),
      maxInFlight: optionalPositive(d.maxInFlight, 'data.maxInFlight'),
    }),
  ack: (d) =>
    defined({ refId: requireId(d.refId, 'data.refId'), seq: optionalSeq(d.seq, 'data.seq') }),
  ping: empty,
  pong: (d) => ({ echo: requireTimestamp(d.echo, 'data.echo') }),
  join: (d) =>
    defined({ epoch: optionalId(d.epoch, 'data.epoch'), seq: optionalSeq(d.seq, 'data.seq') }),
  joined: (d) =>
    defined({
      refId: optionalId(d.refId, 'data.refId'),
      epoch: requireId(d.epoch, 'data.epoch'),
      fromSeq: requireSeq(d.fromSeq, 'data.fromSeq'),
      headSeq: requireSeq(d.headSeq, 'data.headSeq'),
      resumed: requireBoolean(d.resumed, 'data.resumed'),
      gap: requireBoolean(d.gap, 'data.gap'),
    }),
  leave: empty,
  left: empty,
  chat_message: (d, inPlace) => chatData(d, inPlace),
  direct_message: (d, inPlace) => {
    const chat = chatData(d, inPlace, 1)
    const to = requireId(d.to, 'data.to')
    return (chat as unknown) === d ? (d as unknown as DirectMessageData) : { ...chat, to }
  },
  typing_start: empty,
  typing_stop: empty,
  read_receipt: (d) => ({
    messageId: requireId(d.messageId, 'data.messageId'),
    seq: requireSeq(d.seq, 'data.seq'),
  }),
  presence_update: (d) => {
    const users =
      d.users === undefined
        ? undefined
        : requireArray(d.users, 'data.users', MAX_PRESENCE_USERS, 'entries')
    return defined({
      status:
        d.status === undefined ? undefined : oneOf(d.status, 'data.status', PRESENCE_STATUSES),
      customStatus: optionalString(d.customStatus, 'data.customStatus', MAX_STATUS_LENGTH),
      snapshot: d.snapshot === undefined ? undefined : requireBoolean(d.snapshot, 'data.snapshot'),
      users: users?.map((u, i) => presenceEntry(u, `data.users[${i}]`)),
      removed: idList(d.removed, 'data.removed', MAX_PRESENCE_USERS),
    })
  },
  room_presence: (d) => {
    const members =
      d.members === undefined
        ? undefined
        : requireArray(d.members, 'data.members', MAX_ROOM_MEMBERS_PER_FRAME, 'members')
    return defined({
      data:
        d.data === undefined
          ? undefined
          : requireJson(d.data, 'data.data', MAX_ROOM_PRESENCE_BYTES),
      snapshot: d.snapshot === undefined ? undefined : requireBoolean(d.snapshot, 'data.snapshot'),
      members: members?.map((m, i) => roomMember(m, `data.members[${i}]`)),
      left: idList(d.left, 'data.left', MAX_ROOM_MEMBERS_PER_FRAME),
    })
  },
  user_online: (d) => presenceEntry(d, 'data'),
  user_offline: (d) => presenceEntry(d, 'data'),
  subscribe: (d) => subscription(d),
  unsubscribe: (d) => subscription(d),
  notification: (d) =>
    defined({
      title: requireString(d.title, 'data.title', 256),
      body: optionalString(d.body, 'data.body', 4096),
      kind: requireLabel(d.kind, 'data.kind', 64),
      severity: oneOf(d.severity, 'data.severity', NOTIFICATION_SEVERITIES),
      eventId: optionalId(d.eventId, 'data.eventId'),
      link: link(d.link, 'data.link'),
    }),
  notification_update: (d) => {
    const op = oneOf(d.op, 'data.op', NOTIFICATION_OPS)
    const id = optionalId(d.id, 'data.id')
    if ((op === 'read' || op === 'dismiss') && id === undefined)
      fail(`data.id is required for ${op}`)
    return defined({ op, id })
  },
  system_alert: (d) => ({
    message: requireString(d.message, 'data.message', 1024),
    severity: oneOf(d.severity, 'data.severity', NOTIFICATION_SEVERITIES),
  }),
  event_update: (d) => {
    const remindAt =
      d.remindAt === undefined
        ? undefined
        : requireArray(d.remindAt, 'data.remindAt', MAX_REMINDERS, 'times')
    return defined({
      id: requireId(d.id, 'data.id'),
      title: requireString(d.title, 'data.title', 256),
      startsAt: requireTimestamp(d.startsAt, 'data.startsAt'),
      endsAt: optionalTimestamp(d.endsAt, 'data.endsAt'),
      location: optionalString(d.location, 'data.location', 256),
      status: requireLabel(d.status, 'data.status', 32),
      remindAt: remindAt?.map((t, i) => requireTimestamp(t, `data.remindAt[${i}]`)),
      updatedAt: requireTimestamp(d.updatedAt, 'data.updatedAt'),
    })
  },
  app_message: (d) => {
    if (!isValidAppMessageType(d.type)) fail(`data.type must be ${APP_MESSAGE_TYPE_RULE}`)
    // Parsed JSON is JSON: the codec's walk already refused prototype keys and deep nesting.
    if (d.data === undefined) fail('data.data is required (null when there is nothing to say)')
    const volatile = d.volatile === undefined ? false : requireBoolean(d.volatile, 'data.volatile')
    return { type: d.type, data: d.data as JsonValue, ...(volatile ? { volatile } : {}) }
  },
  error: (d) =>
    defined({
      code: oneOf(d.code, 'data.code', ERROR_CODES),
      message: requireString(d.message, 'data.message', 1024),
      refId: optionalId(d.refId, 'data.refId'),
      retryAfterMs: optionalSeq(d.retryAfterMs, 'data.retryAfterMs'),
      seq: optionalSeq(d.seq, 'data.seq'),
      doc: optionalDocId(d.doc, 'data.doc'),
    }),
  ...DOC_DATA_VALIDATORS,
}

function optionalPositive(value: unknown, field: string): number | undefined {
  const n = optionalSeq(value, field)
  if (n === 0) fail(`${field} must be a positive integer`)
  return n
}

function rateLimit(value: unknown) {
  const record = requireRecord(value, 'data.rateLimit')
  const messages = optionalPositive(record.messages, 'data.rateLimit.messages')
  const perMs = optionalPositive(record.perMs, 'data.rateLimit.perMs')
  if (messages === undefined || perMs === undefined)
    fail('data.rateLimit needs positive integers messages and perMs')
  return { messages, perMs }
}

function subscription(d: Record<string, unknown>) {
  const topic = oneOf(d.topic, 'data.topic', ['user', 'events'] as const)
  return topic === 'user' ? { topic, userId: requireId(d.userId, 'data.userId') } : { topic }
}
