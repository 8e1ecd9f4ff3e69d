import { isValidId, makeFrame, MessageType, privateStreamOf, validateFrame } from '../protocol'
import type { Frame, FrameOfType, NotificationSeverity } from '../protocol'
import { encodeOnce } from './frameLimit'
import type { Presence } from './presence'
import type { ServerWrites } from './serverWrites'

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
  /**
   * Appends a notification to the user's private stream (through the server's queue: stored
   * once the store takes it); returns its id.
   */
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

export interface ServerPushDeps {
  /** Where the server's own appends go (`createServerWrites`): queued, retried, in order. */
  writes: ServerWrites
  presence: Presence
}

/**
 * Creates `notify` and `systemAlert`. Both check their input with the codec first.
 *
 * @example
 * const push = createServerPush({ writes: createServerWrites({ rooms, logger }), presence })
 * const id = push.notify('alice', { title: 'Build finished', link: '/builds/42' })
 */
export function createServerPush({ writes, presence }: ServerPushDeps): ServerPush {
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
      // Refused only when 10,000 wait for the store (logged): see createServerWrites.
      writes.append(stream, frame)
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
