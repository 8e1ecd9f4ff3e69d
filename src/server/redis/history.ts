/**
 * The `HistoryStore` on Redis: each stream's seq, epoch, recent frames and idempotency keys,
 * shared by every server process on one Redis (issue 12; `createRedisEngine` builds it).
 *
 * Keys. `<tag>` is `{<stream>}` with `%`, `{` and `}` of the stream name escaped as `%25`,
 * `%7B`, `%7D`, so the name is the key's whole hash tag (one cluster slot per stream) and no
 * room name can build another stream's key. `<prefix>` holds no brace.
 *
 * | key                              | type   | holds                                                   | TTL        |
 * | -------------------------------- | ------ | ------------------------------------------------------- | ---------- |
 * | `<prefix><tag>:meta`             | hash   | `epoch` (random, made with the stream), `seq` (newest)  | `streamTtlMs` |
 * | `<prefix><tag>:log`              | stream | entry `<seq>-0`, field `f`: the frame's JSON (with seq) | `streamTtlMs`, `MAXLEN ~ historySize` |
 * | `<prefix><tag>:key:<dedupeKey>`  | string | `<seq>` of the accepted frame, `:`, its JSON            | `dedupeTtlMs` |
 * | `<prefix><tag>:id:<frame id>`    | string | the dedupe key that brought the id into the stream      | `dedupeTtlMs` |
 * | `<prefix><tag>:live` (channel)   | shard channel | each new frame as `<epoch> <json>`, from the append script | — |
 *
 * A dedupe key is `<userId>\0<id>` (a server frame's: `\0<id>`). The meta hash lives as long
 * as the stream's history: when it is missing, the next read or write makes a new epoch and
 * drops any log left over, so a cursor from before never resumes a renumbered stream.
 *
 * Every append sets the meta's and the log's TTL to `streamTtlMs` again (a read that creates a
 * stream sets it once; reads do not extend it): a stream with no append for that long is gone,
 * and whoever comes back to it gets a new epoch (`gap: true`), never part of it. Idempotency
 * records live `dedupeTtlMs` ≤ `streamTtlMs` from an append no later than the stream's last,
 * so none outlives its stream to answer for a frame of the old epoch.
 */
import type { Redis } from 'ioredis'
import { createId, decodeFrame } from '../../protocol'
import type { StreamFrame } from '../../protocol'
import { isStreamFrame } from '../frameLimit'
import type {
  AppendResult,
  HistoryStore,
  HistoryView,
  UnsequencedStreamFrame,
} from '../historyStore'

/** Idempotency keys outlive any resume a client attempts: an outbox kept a day still dedupes. */
export const DEFAULT_DEDUPE_TTL_MS = 24 * 60 * 60 * 1000
/** A stream nobody appended to for a week is deleted. */
export const DEFAULT_STREAM_TTL_MS = 7 * 24 * 60 * 60 * 1000

export interface RedisHistoryOptions {
  /** An ioredis client; the caller owns it (connects and quits it). Two scripts are defined on it. */
  redis: Redis
  /** Frames retained per stream (at least; Redis trims whole nodes), as `historySize`. */
  historySize: number
  /** Key prefix, no `{` or `}`. Default `'rr:'`. */
  prefix?: string
  /** How long `(stream, dedupe key)` and `(stream, frame id)` are remembered. Default 24 h. */
  dedupeTtlMs?: number
  /**
   * A stream's keys live this long after its last append; 0 keeps them for ever. At least
   * `dedupeTtlMs`. Default 7 days.
   */
  streamTtlMs?: number
}

/**
 * KEYS: meta, log, dedupe record, id record, live channel (SPUBLISH: the same slot).
 * ARGV: frame JSON without seq, epoch for a new stream, historySize, TTL ms, dedupe key,
 * stream TTL ms (0: none).
 * Returns { 0, epoch, seq } for a new frame, { 1, epoch, stored } for a repeated dedupe key
 * (`stored` = `<seq>:<json>`), { 2, epoch, owner } when another dedupe key has the id.
 */
const APPEND_LUA = `
local epoch = redis.call('HGET', KEYS[1], 'epoch')
if not epoch then
  epoch = ARGV[2]
  redis.call('DEL', KEYS[2])
  redis.call('HSET', KEYS[1], 'epoch', epoch, 'seq', 0)
end
local earlier = redis.call('GET', KEYS[3])
if earlier then return {1, epoch, earlier} end
local owner = redis.call('GET', KEYS[4])
if owner and owner ~= ARGV[5] then return {2, epoch, owner} end
local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
local json = string.sub(ARGV[1], 1, -2) .. ',"seq":' .. string.format('%d', seq) .. '}'
local size = tonumber(ARGV[3])
if size > 0 then
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', size, string.format('%d-0', seq), 'f', json)
end
local stored = string.format('%d', seq) .. ':' .. json
redis.call('SET', KEYS[3], stored, 'PX', ARGV[4])
redis.call('SET', KEYS[4], ARGV[5], 'PX', ARGV[4])
if ARGV[6] ~= '0' then
  redis.call('PEXPIRE', KEYS[1], ARGV[6])
  redis.call('PEXPIRE', KEYS[2], ARGV[6])
end
redis.call('SPUBLISH', KEYS[5], epoch .. ' ' .. json)
return {0, epoch, seq}
`

/**
 * KEYS: meta, log. ARGV: afterSeq, epoch for a new stream, historySize, stream TTL ms (0: none).
 * Returns { epoch, headSeq, firstSeq, entries after the cursor }. firstSeq counts only the
 * newest historySize (Redis may keep more) and never an entry the log no longer has.
 */
const SINCE_LUA = `
local epoch = redis.call('HGET', KEYS[1], 'epoch')
if not epoch then
  epoch = ARGV[2]
  redis.call('DEL', KEYS[2])
  redis.call('HSET', KEYS[1], 'epoch', epoch, 'seq', 0)
  if ARGV[4] ~= '0' then redis.call('PEXPIRE', KEYS[1], ARGV[4]) end
end
local head = tonumber(redis.call('HGET', KEYS[1], 'seq'))
local first = head - tonumber(ARGV[3]) + 1
local oldest = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)
if #oldest == 0 then
  first = head + 1
else
  local oldestSeq = tonumber(string.match(oldest[1][1], '^%d+'))
  if oldestSeq > first then first = oldestSeq end
end
if first < 1 then first = 1 end
local from = tonumber(ARGV[1]) + 1
if from < first then from = first end
local entries = {}
if from <= head then
  entries = redis.call('XRANGE', KEYS[2], string.format('%d-0', from), string.format('%d-0', head))
end
return {epoch, head, first, entries}
`

type StreamEntry = [id: string, fields: string[]]
type AppendReply = [0, string, number] | [1, string, string] | [2, string, string]
type SinceReply = [epoch: string, headSeq: number, firstSeq: number, entries: StreamEntry[]]

/** The two scripts, as `defineCommand` adds them to the client. */
interface HistoryCommands {
  realtimeHistoryAppend(
    ...args: [string, string, string, string, string, ...string[]]
  ): Promise<AppendReply>
  realtimeHistorySince(...args: [string, string, ...string[]]): Promise<SinceReply>
}

/** Stored frames are ours, but Redis is outside the process: decode them like any input. */
const STORED_LIMITS = { maxBytes: Number.MAX_SAFE_INTEGER }

function parseStored(text: string, where: string): StreamFrame {
  const decoded = decodeFrame(text, STORED_LIMITS)
  if (!decoded.ok || !isStreamFrame(decoded.frame)) {
    const reason = decoded.ok ? `a ${decoded.frame.type} frame without seq` : decoded.message
    throw new Error(`redis history: ${where} does not hold a stream frame (${reason})`)
  }
  return decoded.frame
}

/** `<seq>:<json>` of a dedupe record. */
function parseRecord(record: string, where: string): StreamFrame {
  return parseStored(record.slice(record.indexOf(':') + 1), where)
}

const escapeStream = (stream: string) =>
  stream.replace(/[%{}]/g, (c) => (c === '%' ? '%25' : c === '{' ? '%7B' : '%7D'))

/** Every key of `stream` starts with this: the prefix and the stream's hash tag. */
export const streamKey = (prefix: string, stream: string) => `${prefix}{${escapeStream(stream)}}:`

/** The shard channel the append script publishes `stream`'s new frames on. */
export const liveChannel = (prefix: string, stream: string) => `${streamKey(prefix, stream)}live`

/**
 * A message of the live channel, `<epoch> <frame JSON>` (an epoch holds no space), decoded like
 * any input; throws when it is not one.
 */
export function parseLiveMessage(message: string): { epoch: string; frame: StreamFrame } {
  const space = message.indexOf(' ')
  if (space < 1) throw new Error('redis history: a live message without an epoch')
  return {
    epoch: message.slice(0, space),
    frame: parseStored(message.slice(space + 1), 'a live message'),
  }
}

/**
 * Creates the Redis history: one Lua script per append checks the dedupe key and the id,
 * creates the stream's epoch if missing, takes the next seq and appends to the capped log,
 * atomically, and publishes the stored frame on the stream's shard channel (`liveChannel`);
 * `since` reads the gap with XRANGE and never replays part of a gap silently.
 * Scripts go by EVALSHA and are re-sent after NOSCRIPT (a restarted Redis needs nothing).
 *
 * @example
 * const history = createRedisHistory({ redis: new Redis(url), historySize: 1000 })
 * const server = await createRealtimeServer({ jwt, history })
 */
export function createRedisHistory(options: RedisHistoryOptions): HistoryStore {
  const {
    redis,
    historySize,
    prefix = 'rr:',
    dedupeTtlMs = DEFAULT_DEDUPE_TTL_MS,
    streamTtlMs = DEFAULT_STREAM_TTL_MS,
  } = options
  if (!Number.isSafeInteger(historySize) || historySize < 0)
    throw new RangeError(
      `createRedisHistory: historySize must be a non-negative integer, got ${historySize}`,
    )
  if (/[{}]/.test(prefix))
    throw new TypeError(
      `createRedisHistory: prefix must hold no { or } (the stream name is the key's hash tag), got ${JSON.stringify(prefix)}`,
    )
  if (!Number.isSafeInteger(dedupeTtlMs) || dedupeTtlMs < 1)
    throw new RangeError(
      `createRedisHistory: dedupeTtlMs must be a positive integer (ms), got ${dedupeTtlMs}`,
    )
  if (
    !Number.isSafeInteger(streamTtlMs) ||
    streamTtlMs < 0 ||
    (streamTtlMs > 0 && streamTtlMs < dedupeTtlMs)
  )
    throw new RangeError(
      `createRedisHistory: streamTtlMs must be 0 (keep streams for ever) or an integer of at least dedupeTtlMs (${dedupeTtlMs} ms), got ${streamTtlMs}`,
    )
  redis.defineCommand('realtimeHistoryAppend', { numberOfKeys: 5, lua: APPEND_LUA })
  redis.defineCommand('realtimeHistorySince', { numberOfKeys: 2, lua: SINCE_LUA })
  const commands = redis as unknown as HistoryCommands
  const keyOf = (stream: string) => streamKey(prefix, stream)
  const size = String(historySize)
  const ttl = String(dedupeTtlMs)
  const streamTtl = String(streamTtlMs)

  const append = async (
    stream: string,
    frame: UnsequencedStreamFrame,
    dedupeKey: string,
    retried = false,
  ): Promise<AppendResult> => {
    const key = keyOf(stream)
    const reply = await commands.realtimeHistoryAppend(
      `${key}meta`,
      `${key}log`,
      `${key}key:${dedupeKey}`,
      `${key}id:${frame.id}`,
      `${key}live`,
      JSON.stringify(frame),
      createId(),
      size,
      ttl,
      dedupeKey,
      streamTtl,
    )
    const where = `the dedupe record of ${stream}`
    if (reply[0] === 0) {
      // What the script stored: this JSON with the seq spliced in.
      const stored: StreamFrame = { ...frame, seq: reply[2] }
      return { seq: reply[2], duplicate: false, frame: stored, epoch: reply[1] }
    }
    if (reply[0] === 1) {
      const earlier = parseRecord(reply[2], where)
      return { seq: earlier.seq ?? 0, duplicate: true, frame: earlier, epoch: reply[1] }
    }
    // The owner's record is set with the id's and expires with it: gone means both just expired.
    const record = await redis.get(`${key}key:${reply[2]}`)
    if (record === null) {
      if (retried)
        throw new Error(`redis history: ${key}id:${frame.id} names a dedupe record that is gone`)
      return append(stream, frame, dedupeKey, true)
    }
    const taken = parseRecord(record, where)
    return { seq: taken.seq ?? 0, duplicate: false, conflict: true, frame: taken, epoch: reply[1] }
  }

  return {
    append: (stream, frame, dedupeKey) => append(stream, frame, dedupeKey),

    async conflicts(stream, id, dedupeKey) {
      const owner = await redis.get(`${keyOf(stream)}id:${id}`)
      return owner !== null && owner !== dedupeKey
    },

    async since(stream, afterSeq): Promise<HistoryView> {
      const key = keyOf(stream)
      const [epoch, headSeq, firstSeq, entries] = await commands.realtimeHistorySince(
        `${key}meta`,
        `${key}log`,
        String(afterSeq),
        createId(),
        size,
        streamTtl,
      )
      const frames = entries.map(([id, fields]) => {
        const frame = parseStored(fields[1] ?? '', `entry ${id} of ${stream}`)
        if (`${frame.seq}-0` !== id)
          throw new Error(`redis history: entry ${id} of ${stream} holds seq ${frame.seq}`)
        return frame
      })
      return { frames, firstSeq, headSeq, epoch }
    },
  }
}
