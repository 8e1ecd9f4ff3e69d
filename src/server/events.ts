import { MessageType, privateStreamOf } from '../protocol'
import type { EventData, EventUpdateFrame } from '../protocol'
import { checkedFrame } from './push'
import type { NotificationInput } from './push'
import { createReminders } from './reminders'

/** What `server.publishEvent` takes; `status` defaults to 'scheduled' ('cancelled' cancels). */
export interface EventInput {
  id: string
  title: string
  /** Epoch ms. */
  startsAt: number
  endsAt?: number
  location?: string
  status?: string
  /** Epoch ms; each future one sends every subscriber an 'event_reminder' notification. */
  remindAt?: number[]
}

/**
 * Events, the users subscribed to them, and their reminders: the event seam (issue 12: this
 * file's board keeps them in memory, `redis/events.ts` shares them between processes). A call
 * that returns a promise may reject (the store failed); the server times it.
 */
export interface EventBoard {
  /**
   * Creates or updates an event and appends it to every subscriber's private stream. Checks
   * the input at once (a `TypeError` naming the field) and returns the event as published.
   */
  publish(input: EventInput): EventData
  /** On a user's first subscription, appends every current event to their private stream. */
  subscribe(userId: string): void | Promise<void>
  unsubscribe(userId: string): void | Promise<void>
  /** Stops every reminder (of this process). */
  close(): void | Promise<void>
}

export interface EventBoardDeps {
  /** Appends a checked `event_update` frame to a private stream (queued until stored). */
  append(stream: string, frame: EventUpdateFrame): void
  notify(userId: string, notification: NotificationInput): string
}

/** How the server makes its event board: `createEventBoard` (memory) or a shared one. */
export type EventBoardFactory = (deps: EventBoardDeps) => EventBoard

const MAX_TITLE = 256

/**
 * An event as `publish` stores and sends it: the input checked by the codec, `status`
 * defaulted, with the given `updatedAt`. Throws a `TypeError` naming the field.
 */
export function checkedEvent(input: EventInput, updatedAt: number): EventData {
  return checkedFrame('publishEvent', MessageType.EVENT_UPDATE, {
    data: { ...input, status: input.status ?? 'scheduled', updatedAt },
  }).data
}

/** Appends the event to the user's private stream. */
export function appendEvent(deps: EventBoardDeps, userId: string, data: EventData): void {
  const stream = privateStreamOf(userId)
  deps.append(
    stream,
    checkedFrame('publishEvent', MessageType.EVENT_UPDATE, { room: stream, data }),
  )
}

/** Sends each subscriber the event's 'event_reminder' notification. */
export function remindSubscribers(
  deps: EventBoardDeps,
  subscribers: Iterable<string>,
  event: EventData,
): void {
  for (const userId of subscribers) {
    deps.notify(userId, {
      title: `Reminder: ${event.title}`.slice(0, MAX_TITLE),
      kind: 'event_reminder',
      eventId: event.id,
      severity: 'info',
    })
  }
}

/**
 * Creates the event board. Subscriptions belong to users, not connections, so they hold across
 * reconnects and devices; updates reach offline subscribers through their stream's replay.
 *
 * @example
 * const writes = createServerWrites({ rooms, logger })
 * const board = createEventBoard({ append: (stream, frame) => writes.append(stream, frame), notify: push.notify })
 * board.publish({ id: 'standup', title: 'Standup', startsAt: Date.now() + 3_600_000 })
 */
export function createEventBoard(deps: EventBoardDeps): EventBoard {
  const events = new Map<string, EventData>()
  const subscribers = new Set<string>()
  const reminders = createReminders()

  const appendTo = (userId: string, data: EventData): void => appendEvent(deps, userId, data)
  const remind = (event: EventData): void => remindSubscribers(deps, subscribers, event)

  return {
    publish(input) {
      const previous = events.get(input.id)
      // Strictly increasing, so two updates in one millisecond are still told apart.
      const updatedAt = Math.max(Date.now(), (previous?.updatedAt ?? 0) + 1)
      const data = checkedEvent(input, updatedAt)
      events.set(data.id, data)
      if (data.status === 'cancelled') reminders.clear(data.id)
      else reminders.set(data.id, data.remindAt ?? [], () => remind(data))
      for (const userId of subscribers) appendTo(userId, data)
      return data
    },

    subscribe(userId) {
      if (subscribers.has(userId)) return
      subscribers.add(userId)
      for (const event of events.values()) appendTo(userId, event)
    },

    unsubscribe: (userId) => void subscribers.delete(userId),

    close: () => reminders.clearAll(),
  }
}
