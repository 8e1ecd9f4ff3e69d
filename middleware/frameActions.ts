import type { UnknownAction } from '@reduxjs/toolkit'
import type { ErrorData, Frame, FrameOfType } from '../src/protocol/frames'
import {
  chat,
  connection,
  inbound,
  outbox,
  rooms,
  type AckInfo,
  type FrameRejection,
} from '../slices/actions'
import type { ChatMessage } from '../slices/types'
import type { StreamCursors } from './streams'

/**
 * The frames of one burst, turned into as few actions as order allows: data frames (messages,
 * acks, errors, rejections, pongs) coalesce into one action each; control frames (auth_ok,
 * joined, left) keep their place, so a room's `joined` is always reduced before its replay.
 */
export class Burst {
  private actions: UnknownAction[] = []
  private messages: ChatMessage[] = []
  private acks: AckInfo[] = []
  private errors: ErrorData[] = []
  private rejections: FrameRejection[] = []
  private latency: number | undefined

  constructor(private readonly now: () => number) {}

  message(message: ChatMessage): void {
    this.messages.push(message)
  }
  ack(ack: AckInfo): void {
    this.acks.push(ack)
  }
  error(error: ErrorData): void {
    this.errors.push(error)
  }
  reject(rejection: FrameRejection): void {
    this.rejections.push(rejection)
  }
  pong(latency: number): void {
    this.latency = latency
  }
  control(action: UnknownAction): void {
    this.closeGroup()
    this.actions.push(action)
  }

  get size(): number {
    return (
      this.actions.length +
      this.messages.length +
      this.acks.length +
      this.errors.length +
      this.rejections.length
    )
  }

  /** The burst's actions in order; the burst is empty afterwards. */
  take(): UnknownAction[] {
    this.closeGroup()
    const actions = this.actions
    this.actions = []
    return actions
  }

  private closeGroup(): void {
    const at = this.now()
    // Messages before acks: the server sends a sender its copy before the ack.
    if (this.messages.length > 0)
      this.actions.push(chat.messagesReceived({ messages: this.messages, at }))
    if (this.acks.length > 0) this.actions.push(outbox.acked({ acks: this.acks, at }))
    if (this.errors.length > 0)
      this.actions.push(connection.errorsReceived({ errors: this.errors, at }))
    if (this.rejections.length > 0) {
      this.actions.push(inbound.framesRejected({ rejections: this.rejections, at }))
    }
    if (this.latency !== undefined)
      this.actions.push(connection.pongReceived({ latency: this.latency, at }))
    this.messages = []
    this.acks = []
    this.errors = []
    this.rejections = []
    this.latency = undefined
  }
}

type Route<T extends Frame['type']> = (
  frame: FrameOfType<T>,
  burst: Burst,
  streams: StreamCursors,
) => void

const clientOnly = (frame: Frame, burst: Burst) => {
  burst.reject({
    reason: 'unexpected_type',
    message: `servers do not send ${frame.type} frames`,
    id: frame.id,
  })
}

/**
 * THE frame-to-action table: what each incoming frame type becomes. README lists the same.
 *
 * | frame          | action                                   |
 * |----------------|------------------------------------------|
 * | auth_ok        | realtime/connection/opened               |
 * | pong           | realtime/connection/pongReceived         |
 * | error          | realtime/connection/errorsReceived       |
 * | joined         | realtime/rooms/joined                    |
 * | left           | realtime/rooms/left                      |
 * | chat_message   | realtime/chat/messagesReceived (batched) |
 * | ack            | realtime/outbox/acked (batched)          |
 * | (gap in seq)   | realtime/rooms/gapDetected               |
 * | (invalid)      | realtime/inbound/framesRejected          |
 */
export const FRAME_ROUTES: { [T in Frame['type']]: Route<T> } = {
  auth_ok: (frame, burst) => {
    burst.control(connection.opened({ ...frame.data, at: Date.now() }))
  },
  pong: (frame, burst) => {
    burst.pong(Math.max(0, Date.now() - frame.data.echo))
  },
  error: (frame, burst) => {
    burst.error(frame.data)
  },
  joined: (frame, burst, streams) => {
    if (streams.joined(frame.room, frame.data.epoch, frame.data.fromSeq, frame.data.headSeq)) {
      burst.control(rooms.joined({ room: frame.room, ...frame.data, at: Date.now() }))
    }
  },
  left: (frame, burst) => {
    burst.control(rooms.left({ room: frame.room }))
  },
  chat_message: (frame, burst, streams) => {
    if (frame.seq === undefined) {
      burst.reject({ reason: 'invalid_field', message: 'a room message needs a seq', id: frame.id })
      return
    }
    const verdict = streams.accept(frame.room, frame.seq, frame.id)
    if (verdict === 'apply') {
      const { v: _v, ...message } = frame
      burst.message(message)
    } else if (verdict === 'gap') {
      const expectedSeq = (streams.cursor(frame.room).seq ?? 0) + 1
      burst.control(rooms.gapDetected({ room: frame.room, expectedSeq, receivedSeq: frame.seq }))
    }
  },
  ack: (frame, burst) => {
    burst.ack({
      refId: frame.data.refId,
      ...(frame.data.seq !== undefined ? { seq: frame.data.seq } : {}),
      ...(frame.room !== undefined ? { room: frame.room } : {}),
    })
  },
  // A server-sent ping is a sign of life and needs nothing else.
  ping: () => {},
  auth: clientOnly,
  join: clientOnly,
  leave: clientOnly,
  batch: clientOnly,
}

export function routeFrame(frame: Frame, burst: Burst, streams: StreamCursors): void {
  const route = FRAME_ROUTES[frame.type] as Route<Frame['type']>
  route(frame, burst, streams)
}
