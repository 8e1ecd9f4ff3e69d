/**
 * The one subscriber mechanism of the Redis fan-outs (issue 12; internal until the engine is
 * public): a connection of its own (a duplicate of the process's client) that SSUBSCRIBEs to
 * shard channels, hands each message to its channel's listener as bytes, and after a lost
 * connection subscribes again and tells each listener it may have missed messages.
 */
import type { Redis } from 'ioredis'

/** What one subscribed channel hears. */
export interface ShardListener {
  /** A message published on the channel, as the bytes published. */
  message(message: Buffer): void
  /** The subscription was established again after a lost connection: messages may be missing. */
  resumed(): void
}

export interface ShardSubscriber {
  /** Starts hearing `channel`; resolves once messages published from now on will be heard. */
  subscribe(channel: string, listener: ShardListener): Promise<void>
  /** Stops hearing `channel` (a later `subscribe` starts again). */
  unsubscribe(channel: string): void
  /** Drops every subscription and quits the connection. */
  close(): Promise<void>
}

/**
 * Creates a shard subscriber on a duplicate of `redis`, which it owns. ioredis reconnects the
 * connection; after every reconnect each channel is subscribed again here, then its listener's
 * `resumed()` runs. Here only: ioredis' own `autoResubscribe` is off, as its subscribe promises
 * are nobody's (one rejected by a close during the reconnect was an unhandled rejection).
 *
 * @example
 * const subscriber = createShardSubscriber(redis, 'redis broker', onError)
 * await subscriber.subscribe(channel, { message: (bytes) => …, resumed: () => … })
 */
export function createShardSubscriber(
  redis: Redis,
  what: string,
  onError: (message: string, error: unknown) => void,
): ShardSubscriber {
  const connection = redis.duplicate({ autoResubscribe: false })
  /** channel → its listener, for the channels subscribed to now. */
  const listeners = new Map<string, ShardListener>()
  let readyBefore = false
  let closed = false

  connection.on('error', (error: unknown) =>
    onError(`redux-realtime server: ${what} subscriber connection`, error),
  )

  connection.on('smessageBuffer', (channel: Buffer, message: Buffer) => {
    listeners.get(channel.toString())?.message(message)
  })

  connection.on('ready', () => {
    if (!readyBefore) {
      readyBefore = true
      return
    }
    // Messages published while the connection was down were never heard: once each channel is
    // subscribed again, its listener catches up.
    for (const channel of [...listeners.keys()]) {
      connection.ssubscribe(channel).then(
        () => listeners.get(channel)?.resumed(),
        (error: unknown) => {
          onError(`redux-realtime server: could not subscribe to ${channel} again`, error)
        },
      )
    }
  })

  return {
    async subscribe(channel, listener) {
      if (closed) throw new Error(`${what}: subscribe after close()`)
      listeners.set(channel, listener)
      await connection.ssubscribe(channel)
    },

    unsubscribe(channel) {
      if (!listeners.delete(channel) || closed) return
      connection.sunsubscribe(channel).catch((error: unknown) => {
        onError(`redux-realtime server: could not unsubscribe from ${channel}`, error)
      })
    },

    async close() {
      if (closed) return
      closed = true
      listeners.clear()
      await connection.quit().catch(() => connection.disconnect())
    },
  }
}
