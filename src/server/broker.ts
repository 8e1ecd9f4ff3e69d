import type {
  AppMessageFrame,
  ReadReceiptFrame,
  StreamFrame,
  TypingStartFrame,
  TypingStopFrame,
} from '../protocol'

/**
 * What a room relays to its members without storing it: typing, read receipts and volatile app
 * messages (`data.volatile: true`). No seq, no history, no ack: worthless late, so fire-and-forget.
 */
export type SignalFrame = TypingStartFrame | TypingStopFrame | ReadReceiptFrame | AppMessageFrame

/**
 * What a process hears of one stream's frames while it is subscribed. Frames come as the
 * history store stored them (with `seq`), each with its stream's epoch; they may repeat, come
 * out of order, or be missing (a dropped connection), so `streamDelivery.ts` orders them.
 */
export interface StreamFeed {
  /** A frame some process appended (this one too: its own frames may come back). */
  frame(frame: StreamFrame, epoch: string): void
  /** The subscription was established again after a lost connection: frames may be missing. */
  resumed(): void
  /** A signal another process relayed to the stream (never one of this process's own). */
  signal(frame: SignalFrame): void
}

/**
 * The fan-out seam: how a frame one process appends reaches the other processes' members of
 * its stream. The server subscribes to a stream when its first local member joins and
 * unsubscribes after the last one leaves. Publishing is the history store's: the Redis store's
 * append script publishes the stored frame itself, so storing and publishing are one step.
 * Internal (issue 12) until the engine has a public name.
 */
export interface StreamBroker {
  /** Starts hearing `stream`; resolves once frames appended from now on will be heard. */
  subscribe(stream: string, feed: StreamFeed): Promise<void>
  /**
   * Relays a signal to the stream's members on the other processes, heard by their `signal`
   * feeds and never by this process's own. Fire-and-forget: not stored, not retried.
   */
  signal(stream: string, frame: SignalFrame): void
  /** Stops hearing `stream` (a later `subscribe` starts again). */
  unsubscribe(stream: string): void
  /** Drops every subscription and the connection it owns. */
  close(): Promise<void>
}

/**
 * One process alone: nothing comes from elsewhere, so subscribing hears nothing and members
 * get what this process appends (today's local broadcast).
 */
export const localBroker: StreamBroker = {
  subscribe: () => Promise.resolve(),
  signal: () => undefined,
  unsubscribe: () => undefined,
  close: () => Promise.resolve(),
}
