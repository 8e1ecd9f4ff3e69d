/**
 * The fan-out of the Redis history (issue 12; internal until the engine is public): the append
 * script SPUBLISHes each new frame on its stream's shard channel (`<prefix><tag>:live`, the
 * slot of the stream's keys); each process SSUBSCRIBEs, on a connection of its own, to the
 * streams it has local members for (`shardSubscriber.ts`, the one subscriber mechanism).
 */
import type { Redis } from 'ioredis'
import type { StreamBroker } from '../broker'
import { liveChannel, parseLiveMessage } from './history'
import { createShardSubscriber } from './shardSubscriber'

export interface RedisBrokerOptions {
  /**
   * The process's ioredis client (the history's); the broker subscribes on a duplicate of it,
   * which it owns and `close()` quits.
   */
  redis: Redis
  /** The history's key prefix. Default `'rr:'`. */
  prefix?: string
  /** A message that is not a stored frame, a failed (re)subscription. Default: console.error. */
  onError?: (message: string, error: unknown) => void
}

/**
 * Creates the Redis broker. ioredis reconnects the subscriber connection and subscribes again
 * (`autoResubscribe`); after every reconnect the broker confirms each subscription itself and
 * then tells each stream it may have missed frames (`resumed`), which reads them from history.
 *
 * @example
 * const redis = new Redis(url)
 * const server = await createRealtimeServer({
 *   jwt, history: createRedisHistory({ redis, historySize }), broker: createRedisBroker({ redis }),
 * })
 */
export function createRedisBroker(options: RedisBrokerOptions): StreamBroker {
  const { redis, prefix = 'rr:' } = options
  const onError =
    options.onError ?? ((message: string, error: unknown) => console.error(message, error))
  const subscriber = createShardSubscriber(redis, 'redis broker', onError)

  return {
    subscribe(stream, feed) {
      const channel = liveChannel(prefix, stream)
      return subscriber.subscribe(channel, {
        message(message) {
          let parsed: ReturnType<typeof parseLiveMessage>
          try {
            parsed = parseLiveMessage(message.toString('utf8'))
          } catch (error) {
            // The gap this leaves is read from history once a later frame shows it.
            return onError(`redux-realtime server: a bad message on ${channel}`, error)
          }
          feed.frame(parsed.frame, parsed.epoch)
        },
        // Frames published while the connection was down are read from history.
        resumed: () => feed.resumed(),
      })
    },

    unsubscribe: (stream) => subscriber.unsubscribe(liveChannel(prefix, stream)),

    close: () => subscriber.close(),
  }
}
