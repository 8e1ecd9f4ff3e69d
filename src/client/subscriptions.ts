import { createId } from '../protocol/ids'
import type { DeliveredMessage, RealtimeMessage, SubscribableMessageType } from './messageEvents'

/**
 * A `subscribe` callback for messages of type `T`.
 *
 * @example
 * const onChat: MessageHandler<typeof MessageType.CHAT_MESSAGE> = (m) => render(m.data.content)
 */
export type MessageHandler<T extends SubscribableMessageType = SubscribableMessageType> = (
  message: RealtimeMessage<T>,
) => void

interface Subscription {
  /** A protocol type or an app-defined message type. */
  type: string
  room: string | undefined
  handler: (message: DeliveredMessage) => void
}

export interface Subscriptions {
  add(type: string, handler: (message: never) => void, room?: string): string
  remove(id: string): boolean
  /** Queues messages for delivery once the current dispatch has finished. */
  deliver(messages: readonly DeliveredMessage[]): void
  clear(): void
  readonly size: number
}

/**
 * The client's subscribers. Delivery is deferred to a microtask so a handler that calls back
 * into the client never runs in the middle of the middleware handling the same action, and a
 * throwing handler is reported and skipped, never stopping the others.
 */
export function createSubscriptions(
  reportError: (error: unknown, message: DeliveredMessage) => void,
): Subscriptions {
  const byId = new Map<string, Subscription>()
  let queue: DeliveredMessage[] = []

  function flush(): void {
    const messages = queue
    queue = []
    for (const message of messages) {
      // A snapshot: subscriptions added by a handler start with the next message.
      for (const [id, sub] of [...byId]) {
        if (sub.type !== message.type || (sub.room !== undefined && sub.room !== message.room))
          continue
        // An earlier handler may have unsubscribed this one.
        if (!byId.has(id)) continue
        try {
          sub.handler(message)
        } catch (error) {
          reportError(error, message)
        }
      }
    }
  }

  return {
    add(type, handler, room) {
      const id = createId()
      // The caller matched the handler to its type; delivery only hands it messages of that type.
      byId.set(id, { type, room, handler: handler as (message: DeliveredMessage) => void })
      return id
    },
    remove: (id) => byId.delete(id),
    deliver(messages) {
      if (messages.length === 0 || byId.size === 0) return
      if (queue.length === 0) queueMicrotask(flush)
      queue.push(...messages)
    },
    clear() {
      byId.clear()
      queue = []
    },
    get size() {
      return byId.size
    },
  }
}
