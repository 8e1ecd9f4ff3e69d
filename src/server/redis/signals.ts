/**
 * Room signals on Redis (issue 12; internal until the engine is public): typing, read receipts
 * and volatile app messages reach a room's members on every process, and read receipts are
 * kept where every process reads them.
 *
 * Signals ride the stream's own shard channel (`<prefix><tag>:live`, which the broker already
 * SSUBSCRIBEs to while the process has members in the stream): one subscription per stream, so
 * a process hears a room's signals exactly while it hears its frames, and frames and signals one
 * process publishes arrive in the order it published them. A signal's message starts with `!`
 * (never in an epoch: the id alphabet has none), so it can never be taken for a stored frame.
 *
 * Keys (`<prefix>` and `<tag>` as in `redis/history.ts`: the stream's slot):
 *
 * | key                            | type    | holds                                                       | TTL |
 * | ------------------------------ | ------- | ----------------------------------------------------------- | --- |
 * | `<prefix><tag>:live` (channel) | shard channel | also each signal, as `!<process id> <frame JSON>`, SPUBLISHed by the broker | — |
 * | `<prefix><tag>:receipts`       | hash    | userId → `<seq> <messageId>`, the user's highest receipt     | `ttlMs` from the last receipt, none by default |
 */
import type { Redis } from 'ioredis'
import { decodeFrame, isValidId, MessageType } from '../../protocol'
import type { ReadReceiptData } from '../../protocol'
import type { SignalFrame } from '../broker'
import type { ReadReceipts } from '../readReceipts'
import { streamKey } from './history'

/** What a signal message of the live channel starts with (no epoch does). */
const SIGNAL_MARK = '!'

/** Signals are ours, but Redis is outside the process: decode them like any input. */
const SIGNAL_LIMITS = { maxBytes: Number.MAX_SAFE_INTEGER }

/**
 * The live-channel message of a signal `process` relays.
 *
 * @example
 * redis.spublish(liveChannel(prefix, room), signalMessage(processId, frame))
 */
export function signalMessage(process: string, frame: SignalFrame): string {
  return `${SIGNAL_MARK}${process} ${JSON.stringify(frame)}`
}

/** Whether a live-channel message is a signal (else it is a stored frame, `<epoch> <json>`). */
export const isSignalMessage = (message: string): boolean => message.startsWith(SIGNAL_MARK)

/**
 * A signal message of `stream`'s channel, decoded like any input: the process that relayed it
 * and the frame, which must be a signal of that stream from a user (a volatile one, for an app
 * message). Throws when it is not one.
 */
export function parseSignalMessage(
  message: string,
  stream: string,
): { process: string; frame: SignalFrame } {
  const space = message.indexOf(' ')
  const process = message.slice(SIGNAL_MARK.length, space)
  if (space < 0 || !isValidId(process))
    throw new Error('redis signals: a signal message without a process id')
  const decoded = decodeFrame(message.slice(space + 1), SIGNAL_LIMITS)
  if (!decoded.ok) throw new Error(`redis signals: a bad signal (${decoded.message})`)
  const { frame } = decoded
  const isSignal =
    frame.type === MessageType.TYPING_START ||
    frame.type === MessageType.TYPING_STOP ||
    frame.type === MessageType.READ_RECEIPT ||
    (frame.type === MessageType.APP_MESSAGE && frame.data.volatile === true)
  if (!isSignal) throw new Error(`redis signals: a ${frame.type} frame is not a signal`)
  if (frame.room !== stream || !isValidId(frame.userId) || frame.seq !== undefined)
    throw new Error(`redis signals: a ${frame.type} signal that is not from a user of ${stream}`)
  return { process, frame }
}

export interface RedisReceiptsOptions {
  /** The process's ioredis client (the history's). One script is defined on it. */
  redis: Redis
  /** The history's key prefix. Default `'rr:'`. */
  prefix?: string
  /**
   * A room's receipts are dropped this long after its last receipt (like the stream keys they
   * point into). Default 0: kept.
   */
  ttlMs?: number
}

/**
 * KEYS: the room's receipts hash. ARGV: userId, seq, messageId, TTL ms (0: none).
 * Returns 1 when the receipt is the user's highest so far (stored), else 0.
 */
const RECORD_LUA = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current then
  local seq = tonumber(string.match(current, '^%d+'))
  if seq and seq >= tonumber(ARGV[2]) then return 0 end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. ' ' .. ARGV[3])
if tonumber(ARGV[4]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[4]) end
return 1
`

interface ReceiptCommands {
  realtimeReceiptRecord(key: string, ...args: string[]): Promise<number>
}

/** A stored receipt, `<seq> <messageId>`; undefined when it is not one. */
function parseReceipt(value: string): ReadReceiptData | undefined {
  const space = value.indexOf(' ')
  const seq = Number(value.slice(0, space))
  const messageId = value.slice(space + 1)
  if (space < 1 || !Number.isSafeInteger(seq) || seq < 0 || !isValidId(messageId)) return undefined
  return { messageId, seq }
}

/**
 * Creates the read receipts on Redis: one hash per room, a receipt kept only when it is higher
 * than the user's last, by one script (two processes' receipts of one user never move it back).
 *
 * @example
 * const server = await createRealtimeServer({ jwt, receipts: createRedisReceipts({ redis }) })
 */
export function createRedisReceipts(options: RedisReceiptsOptions): ReadReceipts {
  const { redis, prefix = 'rr:', ttlMs = 0 } = options
  if (/[{}]/.test(prefix))
    throw new TypeError(
      `createRedisReceipts: prefix must hold no { or } (the room name is the key's hash tag), got ${JSON.stringify(prefix)}`,
    )
  if (!Number.isSafeInteger(ttlMs) || ttlMs < 0)
    throw new RangeError(
      `createRedisReceipts: ttlMs must be a non-negative integer (ms, 0: kept), got ${ttlMs}`,
    )
  redis.defineCommand('realtimeReceiptRecord', { numberOfKeys: 1, lua: RECORD_LUA })
  const commands = redis as unknown as ReceiptCommands
  const keyOf = (room: string) => `${streamKey(prefix, room)}receipts`
  const ttl = String(ttlMs)

  return {
    async record(room, userId, receipt) {
      const stored = await commands.realtimeReceiptRecord(
        keyOf(room),
        userId,
        String(receipt.seq),
        receipt.messageId,
        ttl,
      )
      return stored === 1
    },

    async of(room) {
      const fields = await redis.hgetall(keyOf(room))
      const receipts: Array<{ userId: string; receipt: ReadReceiptData }> = []
      for (const [userId, value] of Object.entries(fields)) {
        const receipt = parseReceipt(value)
        if (receipt && isValidId(userId)) receipts.push({ userId, receipt })
      }
      return receipts
    },
  }
}
