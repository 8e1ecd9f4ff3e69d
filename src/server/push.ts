import { isValidId, makeFrame, MessageType, privateStreamOf, validateFrame } from '../protocol'
import type { Frame, FrameOfType, NotificationSeverity } from '../protocol'
import { encodeOnce } from './frameLimit'
import type { UnsequencedStreamFrame } from './historyStore'
import type { RealtimeServerLogger } from './options'
import type { Presence } from './presence'
import type { Rooms } from './rooms'

/** What `server.notify` takes; `kind` and `severity` default to 'info', `id` to a fresh one. */
export interface NotificationInput {
  title: string
  body?: string
  /** 'info', 'event_reminder', 'system_alert' or your own. */
  kind?: string
  severity?: NotificationSeverity
  eventId?: string
  link?: string
  /** Pass your own to make `notify` idempotent: a repeated id stores nothing new. */
  id?: string
}

/** What `server.systemAlert` takes; `severity` defaults to 'info'. */
export interface SystemAlertInput {
  message: string
  severity?: NotificationSeverity
}

/** The server's pushes that are not about events. */
export interface ServerPush {
  /** Appends a notification to the user's private stream; returns its id. */
  notify(userId: string, notification: NotificationInput): string
  /** Sends an alert to every authenticated connection; nothing is stored. */
  systemAlert(alert: SystemAlertInput): void
}

type FrameFields<T extends Frame['type']> = Parameters<typeof makeFrame<T>>[1]

/**
 * Builds a frame and runs the codec over it, so what the server pushes is exactly what clients
 * accept. Throws a `TypeError` naming the field, e.g. "notify: title must be a string".
 *
 * @example
 * const frame = checkedFrame('systemAlert', 'system_alert', { data: { message, severity } })
 */
export function checkedFrame<T extends Frame['type']>(
  caller: string,
  type: T,
  fields: FrameFields<T>,
): FrameOfType<T> {
  const result = validateFrame(makeFrame(type, fields))
  if (!result.ok) throw new TypeError(`${caller}: ${result.message.replace(/^data\./, '')}`)
  return result.frame as FrameOfType<T>
}

/** Server-originated frames dedupe by their own id; `\0` keeps these keys apart from users'. */
const serverKey = (frame: UnsequencedStreamFrame) => `\u0000${frame.id}`

/**
 * Appends a server-originated frame to `stream` and broadcasts it to the stream's members.
 * Runs in the background, in order with the stream's other writes; a failing store, or an id
 * already used in the stream by a user's message (nothing is stored then), is logged.
 *
 * @example
 * appendServerFrame(rooms, logger, 'user:alice', checkedFrame('notify', 'notification', fields))
 */
export function appendServerFrame(
  rooms: Rooms,
  logger: RealtimeServerLogger,
  stream: string,
  frame: UnsequencedStreamFrame,
): void {
  rooms.publish(stream, frame, serverKey(frame)).then(
    (result) => {
      if (result.conflict)
        logger.error(
          `redux-realtime server: ${frame.type} ${frame.id} not stored: the id is already used in ${stream} by a user's message`,
        )
    },
    (error: unknown) =>
      logger.error(`redux-realtime server: could not append ${frame.type} to ${stream}`, error),
  )
}

export interface ServerPushDeps {
  rooms: Rooms
  presence: Presence
  logger: RealtimeServerLogger
}

/**
 * Creates `notify` and `systemAlert`. Both check their input with the codec first.
 *
 * @example
 * const push = createServerPush({ rooms, presence, logger })
 * const id = push.notify('alice', { title: 'Build finished', link: '/builds/42' })
 */
export function createServerPush({ rooms, presence, logger }: ServerPushDeps): ServerPush {
  return {
    notify(userId, notification) {
      if (!isValidId(userId)) {
        throw new TypeError(
          `notify: userId must be a 1-128 character printable id and not a reserved name (an Object.prototype member such as toString or __proto__), got ${JSON.stringify(userId)}`,
        )
      }
      const { id, kind = 'info', severity = 'info', ...rest } = notification
      const stream = privateStreamOf(userId)
      const frame = checkedFrame('notify', MessageType.NOTIFICATION, {
        ...(id !== undefined ? { id } : {}),
        room: stream,
        data: { ...rest, kind, severity },
      })
      appendServerFrame(rooms, logger, stream, frame)
      return frame.id
    },

    systemAlert({ message, severity = 'info' }) {
      const frame = checkedFrame('systemAlert', MessageType.SYSTEM_ALERT, {
        data: { message, severity },
      })
      const { text, bytes } = encodeOnce(frame)
      for (const member of presence.connections()) member.sendText(text, bytes)
    },
  }
}
