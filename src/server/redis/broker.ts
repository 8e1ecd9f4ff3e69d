/**
 * The fan-out of the Redis history (issue 12; internal until the engine is public): the append
 * script SPUBLISHes each new frame on its stream's shard channel (`<prefix><tag>:live`, the
 * slot of the stream's keys); each process SSUBSCRIBEs, on a connection of its own, to the
 * streams it has local members for (`shardSubscriber.ts`, the one subscriber mechanism).
 * Signals (typing, receipts, volatile app messages) ride the same channels, SPUBLISHed by the
 * broker (`redis/signals.ts`).
 */
import type { Redis } from 'ioredis'
import { createId } from '../../protocol'
import type { StreamBroker } from '../broker'
import { liveChannel, parseLiveMessage } from './history'
import { createShardSubscriber } from './shardSubscriber'
import { isSignalMessage, parseSignalMessage, signalMessage } from './signals'

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
 * Creates the Redis broker. ioredis reconnects the subscriber connection; after every reconnect
 * the broker subscribes to each stream again itself (`shardSubscriber.ts`) and then tells each
 * it may have missed frames (`resumed`), which reads them from history.
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
  /** Names this process in its signals, so it never hears its own back. */
  const process = createId()
  let closed = false

  return {
    subscribe(stream, feed) {
      const channel = liveChannel(prefix, stream)
      return subscriber.subscribe(channel, {
        message(bytes) {
          const message = bytes.toString('utf8')
          if (isSignalMessage(message)) {
            let signal: ReturnType<typeof parseSignalMessage>
            try {
              signal = parseSignalMessage(message, stream)
            } catch (error) {
              return onError(`redux-realtime server: a bad signal on ${channel}`, error)
            }
            // This process's members had it from the relaying connection's process: this one.
            if (signal.process !== process) feed.signal(signal.frame)
            return
          }
          let parsed: ReturnType<typeof parseLiveMessage>
          try {
            parsed = parseLiveMessage(message)
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

    signal(stream, frame) {
      // Not queued while Redis is away (ioredis would send it on reconnect): worthless late.
      if (closed || redis.status !== 'ready') return
      const channel = liveChannel(prefix, stream)
      redis.spublish(channel, signalMessage(process, frame)).catch((error: unknown) => {
        onError(`redux-realtime server: could not relay a ${frame.type} on ${channel}`, error)
      })
    },

    unsubscribe: (stream) => subscriber.unsubscribe(liveChannel(prefix, stream)),

    close() {
      closed = true
      return subscriber.close()
    },
  }
}
