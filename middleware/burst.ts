import type { UnknownAction } from '@reduxjs/toolkit'
import type { ErrorData, EventData } from '../src/protocol/frames'
import type { AppMessage } from '../slices/appMessages'
import {
  chat,
  connection,
  custom,
  events,
  inbound,
  notifications,
  outbox,
  type AckInfo,
  type FrameRejection,
  type ReadReceipt,
} from '../slices/actions'
import type { ChatMessage, DirectMessage, Notification } from '../slices/types'

/** Frames of one burst that coalesce: each group becomes one action. */
export interface BurstGroups {
  messages: ChatMessage[]
  directMessages: DirectMessage[]
  custom: AppMessage[]
  acks: AckInfo[]
  receipts: ReadReceipt[]
  notifications: Notification[]
  events: EventData[]
  errors: ErrorData[]
  rejections: FrameRejection[]
}

/**
 * Group → its action, in the order groups are emitted. Messages come before acks: the server
 * sends a sender its copy before the ack.
 */
const GROUP_ACTIONS: {
  [K in keyof BurstGroups]: (items: BurstGroups[K], at: number) => UnknownAction
} = {
  messages: (messages, at) => chat.messagesReceived({ messages, at }),
  directMessages: (messages, at) => chat.directMessagesReceived({ messages, at }),
  custom: (messages, at) => custom.messagesReceived({ messages, at }),
  acks: (acks, at) => outbox.acked({ acks, at }),
  receipts: (receipts, at) => chat.readReceiptsReceived({ receipts, at }),
  notifications: (items, at) => notifications.received({ notifications: items, at }),
  events: (items, at) => events.received({ events: items, at }),
  errors: (errors, at) => connection.errorsReceived({ errors, at }),
  rejections: (rejections, at) => inbound.framesRejected({ rejections, at }),
}

const GROUPS = Object.keys(GROUP_ACTIONS) as Array<keyof BurstGroups>

function emptyGroups(): BurstGroups {
  return {
    messages: [],
    directMessages: [],
    custom: [],
    acks: [],
    receipts: [],
    notifications: [],
    events: [],
    errors: [],
    rejections: [],
  }
}

/**
 * The frames of one burst, turned into as few actions as order allows: data frames coalesce
 * into one action per group; control frames (auth_ok, joined, left, presence, typing,
 * notification updates) keep their place, so a room's `joined` is reduced before its replay.
 */
export class Burst {
  private actions: UnknownAction[] = []
  private groups = emptyGroups()
  private pending = 0
  private latency: number | undefined

  constructor(private readonly now: () => number) {}

  add<K extends keyof BurstGroups>(group: K, item: BurstGroups[K][number]): void {
    ;(this.groups[group] as Array<BurstGroups[K][number]>).push(item)
    this.pending++
  }

  pong(latency: number): void {
    this.latency = latency
    this.pending++
  }

  control(action: UnknownAction): void {
    this.closeGroups()
    this.actions.push(action)
  }

  get size(): number {
    return this.actions.length + this.pending
  }

  /** Holds an ack or an error: something that settles an outgoing message and frees its slot. */
  get settles(): boolean {
    return this.groups.acks.length > 0 || this.groups.errors.length > 0
  }

  /** The burst's actions in order; the burst is empty afterwards. */
  take(): UnknownAction[] {
    this.closeGroups()
    const actions = this.actions
    this.actions = []
    return actions
  }

  private closeGroups(): void {
    if (this.pending === 0) return
    const at = this.now()
    for (const group of GROUPS) {
      const items = this.groups[group]
      if (items.length > 0)
        this.actions.push(
          (GROUP_ACTIONS[group] as (i: typeof items, at: number) => UnknownAction)(items, at),
        )
    }
    if (this.latency !== undefined)
      this.actions.push(connection.pongReceived({ latency: this.latency, at }))
    this.groups = emptyGroups()
    this.pending = 0
    this.latency = undefined
  }
}
