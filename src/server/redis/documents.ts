/**
 * Collaborative documents on Redis (issue 12; internal until the engine is public): the
 * `DocumentStore` every server process on one Redis shares, and the `DocumentBroker` that
 * carries each stored update, and each awareness change, live to the processes that have the
 * document loaded.
 *
 * Keys. `<tag>` is `{<doc>}` with `%`, `{` and `}` of the document name escaped as `%25`,
 * `%7B`, `%7D` (as the history's stream keys: the name is the key's whole hash tag, one slot per
 * document, and no name can build another document's key or a stream's, which have no `doc`
 * before the brace). `<prefix>` holds no brace.
 *
 * | key                           | type          | holds                                                                   | TTL  |
 * | ----------------------------- | ------------- | ----------------------------------------------------------------------- | ---- |
 * | `<prefix>doc<tag>:meta`       | hash          | `seq` (the newest update's), `state` (the compacted Yjs state), `upto` (the last seq merged into it) | none |
 * | `<prefix>doc<tag>:log`        | stream        | entry `<seq>-0`, field `u`: one Yjs update (bytes), each after `upto`   | none |
 * | `<prefix>doc<tag>:live` (channel) | shard channel | `u<seq> <update bytes>` from the append script, `a<process> <awareness update bytes>` from a broker | — |
 *
 * A document is its compacted state plus the log after it. Compaction merges the state and the
 * entries it read (`Y.mergeUpdates`, with the caller's state) and one script replaces exactly
 * those: it checks `upto` is still what it read, sets the new state and `upto`, and trims the
 * log up to the last entry merged, so an update another process appended meanwhile stays.
 */
import type { Redis } from 'ioredis'
import { createId } from '../../protocol'
import type { DocumentBroker } from '../collab/documentBroker'
import type { DocumentStore } from '../collab/documentStore'
import { loadYjs } from '../collab/yjsPeer'
import { streamKey } from './history'
import { createShardSubscriber } from './shardSubscriber'

export interface RedisDocumentStoreOptions {
  /** An ioredis client; the caller owns it (connects and quits it). Three scripts are defined on it. */
  redis: Redis
  /** Key prefix, no `{` or `}`. Default `'rr:'`. */
  prefix?: string
}

export interface RedisDocumentBrokerOptions {
  /** The process's ioredis client (the store's); the broker subscribes on a duplicate it owns. */
  redis: Redis
  /** The store's key prefix. Default `'rr:'`. */
  prefix?: string
  /** A message that is not one, a failed publish or (re)subscription. Default: console.error. */
  onError?: (message: string, error: unknown) => void
}

/**
 * KEYS: meta, log, live channel (SPUBLISH: the same slot). ARGV: the update.
 * Takes the document's next seq, appends the update and publishes it; returns the seq.
 */
const APPEND_LUA = `
local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
local tag = string.format('%d', seq)
redis.call('XADD', KEYS[2], tag .. '-0', 'u', ARGV[1])
redis.call('SPUBLISH', KEYS[3], 'u' .. tag .. ' ' .. ARGV[1])
return seq
`

/** KEYS: meta, log. Returns { state or '', upto, every log entry }, read at one instant. */
const LOAD_LUA = `
local meta = redis.call('HMGET', KEYS[1], 'state', 'upto')
return {meta[1] or '', tonumber(meta[2] or '0'), redis.call('XRANGE', KEYS[2], '-', '+')}
`

/**
 * KEYS: meta, log. ARGV: the merged state, the upto it was read with, the last seq merged.
 * Returns 1 when it replaced them, 0 when another compaction came first (nothing changed).
 */
const COMPACT_LUA = `
local upto = tonumber(redis.call('HGET', KEYS[1], 'upto') or '0')
if upto ~= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], 'state', ARGV[1], 'upto', ARGV[3])
redis.call('XTRIM', KEYS[2], 'MINID', ARGV[3] .. '-1')
return 1
`

type LogEntry = [id: Buffer, fields: Buffer[]]
type LoadReply = [state: Buffer, upto: number, entries: LogEntry[]]

/** The three scripts, as `defineCommand` adds them (the Buffer variants keep bytes bytes). */
interface DocumentCommands {
  realtimeDocAppend(meta: string, log: string, live: string, update: Buffer): Promise<number>
  realtimeDocLoadBuffer(meta: string, log: string): Promise<LoadReply>
  realtimeDocCompact(
    meta: string,
    log: string,
    state: Buffer,
    upto: string,
    last: string,
  ): Promise<number>
}

/** Every key of document `doc` starts with this: the prefix, `doc` and the name's hash tag. */
export const documentKey = (prefix: string, doc: string) => streamKey(`${prefix}doc`, doc)

/** The shard channel of `doc`'s stored updates and awareness changes. */
export const documentChannel = (prefix: string, doc: string) => `${documentKey(prefix, doc)}live`

const checkPrefix = (factory: string, prefix: string): void => {
  if (/[{}]/.test(prefix))
    throw new TypeError(
      `${factory}: prefix must hold no { or } (the document name is the key's hash tag), got ${JSON.stringify(prefix)}`,
    )
}

/** A view of `bytes` as a Buffer (no copy): what ioredis sends as binary. */
const asBuffer = (bytes: Uint8Array) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)

/**
 * Creates the Redis document store: `append` is one script (next seq, XADD, SPUBLISH) and is
 * durable as Redis is once it resolves; `load` merges the compacted state and the log after it
 * (read atomically); `compact` merges what it read with the given state and replaces exactly
 * the entries it merged. Binary-safe (Buffer commands). Scripts go by EVALSHA, re-sent after
 * NOSCRIPT.
 *
 * @example
 * const redis = new Redis(url)
 * const server = await createRealtimeServer({
 *   jwt,
 *   documents: createRedisDocumentStore({ redis }),
 *   documentBroker: createRedisDocumentBroker({ redis }),
 * })
 */
export function createRedisDocumentStore(options: RedisDocumentStoreOptions): DocumentStore {
  const { redis, prefix = 'rr:' } = options
  checkPrefix('createRedisDocumentStore', prefix)
  redis.defineCommand('realtimeDocAppend', { numberOfKeys: 3, lua: APPEND_LUA })
  redis.defineCommand('realtimeDocLoad', { numberOfKeys: 2, lua: LOAD_LUA })
  redis.defineCommand('realtimeDocCompact', { numberOfKeys: 2, lua: COMPACT_LUA })
  const commands = redis as unknown as DocumentCommands

  /** The compacted state (if any) and the log's updates after it, each with its seq. */
  const read = async (doc: string) => {
    const key = documentKey(prefix, doc)
    const [state, upto, entries] = await commands.realtimeDocLoadBuffer(`${key}meta`, `${key}log`)
    const updates = entries.map(([id, fields]) => {
      const seq = Number.parseInt(id.toString('latin1'), 10)
      const update = fields[1]
      if (!Number.isSafeInteger(seq) || fields[0]?.toString() !== 'u' || !update)
        throw new Error(
          `redis documents: entry ${id.toString('latin1')} of ${doc} is not an update`,
        )
      return { seq, update: new Uint8Array(update) }
    })
    return { state: state.length > 0 ? new Uint8Array(state) : undefined, upto, updates }
  }

  return {
    async load(doc) {
      const { state, updates } = await read(doc)
      const parts = state ? [state, ...updates.map((u) => u.update)] : updates.map((u) => u.update)
      if (parts.length === 0) return null
      if (parts.length === 1) return parts[0] as Uint8Array
      const { Y } = await loadYjs()
      return Y.mergeUpdates(parts)
    },

    async append(doc, update) {
      const key = documentKey(prefix, doc)
      await commands.realtimeDocAppend(`${key}meta`, `${key}log`, `${key}live`, asBuffer(update))
    },

    async compact(doc, state) {
      const stored = await read(doc)
      const last = stored.updates[stored.updates.length - 1]
      // Nothing after the compacted state: it already holds all that is stored.
      if (!last) return
      const { Y } = await loadYjs()
      const parts = stored.updates.map((u) => u.update)
      const merged = Y.mergeUpdates(
        stored.state ? [stored.state, ...parts, state] : [...parts, state],
      )
      const key = documentKey(prefix, doc)
      // 0: another process compacted first; what it stored covers at least what it read.
      await commands.realtimeDocCompact(
        `${key}meta`,
        `${key}log`,
        asBuffer(merged),
        String(stored.upto),
        String(last.seq),
      )
    },
  }
}

const SPACE = 0x20
const UPDATE = 0x75 // 'u'
const AWARENESS = 0x61 // 'a'

/**
 * Creates the Redis document broker: one shard channel per loaded document (subscribed on the
 * one subscriber mechanism, `shardSubscriber.ts`), the store's append script publishing each
 * update with its seq. A seq that skips one, a message that is not one, or a subscription
 * established again after a lost connection tells the document it missed updates (it reloads
 * from the store). Awareness changes are published by this process and ignored when they come
 * back to it.
 *
 * @example
 * const documentBroker = createRedisDocumentBroker({ redis })
 * // …
 * await documentBroker.close()
 */
export function createRedisDocumentBroker(options: RedisDocumentBrokerOptions): DocumentBroker {
  const { redis, prefix = 'rr:' } = options
  checkPrefix('createRedisDocumentBroker', prefix)
  const onError =
    options.onError ?? ((message: string, error: unknown) => console.error(message, error))
  const subscriber = createShardSubscriber(redis, 'redis document broker', onError)
  /** This process's awareness messages start with this. */
  const self = createId()
  const awarenessHead = Buffer.from(`a${self} `, 'latin1')

  return {
    subscribe(doc, feed) {
      const channel = documentChannel(prefix, doc)
      /** The newest seq heard since the (re)subscription. */
      let heard: number | undefined
      return subscriber.subscribe(channel, {
        message(message) {
          const space = message.indexOf(SPACE)
          const head = space > 1 ? message.toString('latin1', 1, space) : ''
          const body = new Uint8Array(message.subarray(space + 1))
          if (message[0] === AWARENESS && head !== '') {
            if (head !== self) feed.awareness(body)
            return
          }
          const seq = Number(head)
          if (message[0] !== UPDATE || !/^\d+$/.test(head) || !Number.isSafeInteger(seq)) {
            onError(`redux-realtime server: a bad message on ${channel}`, undefined)
            // It may have been an update.
            return feed.missed()
          }
          feed.update(body)
          const skipped = heard !== undefined && seq > heard + 1
          if (heard === undefined || seq > heard) heard = seq
          if (skipped) feed.missed()
        },
        resumed() {
          heard = undefined
          feed.missed()
        },
      })
    },

    unsubscribe: (doc) => subscriber.unsubscribe(documentChannel(prefix, doc)),

    publishAwareness(doc, update) {
      const channel = documentChannel(prefix, doc)
      redis.spublish(channel, Buffer.concat([awarenessHead, update])).catch((error: unknown) => {
        onError(`redux-realtime server: could not publish awareness on ${channel}`, error)
      })
    },

    close: () => subscriber.close(),
  }
}
