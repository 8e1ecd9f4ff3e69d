import { SHOULD_AUTOBATCH, type UnknownAction } from '@reduxjs/toolkit'
import { DEFAULT_LIMITS, decodeChecked, isRejection } from '../src/protocol/codec'
import { hasKeyCount } from '../src/protocol/fields'
import type { Frame } from '../src/protocol/frames'
import { MessageType } from '../src/protocol/messageTypes'
import type { RealtimeContext } from './context'
import { Burst, routeFrame, type RouteContext } from './frameActions'

export interface Inbound {
  /** A WebSocket message arrived: validate it and add its frames to the current burst. */
  receive(data: unknown): void
  /** Reduce everything buffered now (before a close is reported, for order). */
  flush(): void
}

/** Dispatching may take this share of the time before frames start waiting for a window. */
const LOAD_SHARE = 0.5

/** A high-resolution clock for what dispatching costs (Date.now's milliseconds are too coarse). */
const clock: () => number =
  typeof globalThis.performance?.now === 'function'
    ? () => globalThis.performance.now()
    : () => Date.now()

/** The mark of RTK's `autoBatchEnhancer`, shared by every event that has no `meta` of its own. */
const AUTO_BATCHED = Object.freeze({ [SHOULD_AUTOBATCH]: true })

/** Marks an event so RTK's `autoBatchEnhancer` (on in every `configureStore`) notifies once per frame. */
function autoBatched(action: UnknownAction): UnknownAction {
  // No spreads for the usual `{ type, payload }`: a spread with a symbol key was 5 % of a round trip.
  if (action.meta === undefined && hasKeyCount(action, 2) && 'payload' in action)
    return { type: action.type, payload: action.payload, meta: AUTO_BATCHED }
  return { ...action, meta: { ...(action.meta as object | undefined), [SHOULD_AUTOBATCH]: true } }
}

/**
 * Turns socket messages into actions, one dispatch per burst, reduced at once unless the store
 * is falling behind. Two mechanisms, each for one cost:
 * - Reducing: frames are reduced a microtask after they arrive (frames delivered in the same
 *   task join them), so an answer the app waits for costs no added latency. Acks and errors
 *   are always applied so, since they free the sender's in-flight slots. Only under load —
 *   when dispatching took more than half of the last `batchWindowMs` — does a window open:
 *   frames then wait for its end (at most `batchWindowMs`) and are reduced in one dispatch,
 *   and it stays open while each window collects more than one socket message. Browsers
 *   deliver each message as its own task, so without the window a busy stream would be one
 *   dispatch per frame.
 * - Notifying: every event carries RTK's auto-batch mark, so a `configureStore` store notifies
 *   its subscribers (React) once per animation frame however often it reduces.
 */
export function createInbound(ctx: RealtimeContext): Inbound {
  const burst = new Burst(ctx.now)
  const limits = { ...DEFAULT_LIMITS, maxBytes: ctx.config.maxFrameBytes }
  const windowMs = ctx.config.batchWindowMs
  // Built once: the per-frame path allocates nothing it does not keep.
  const route: RouteContext = {
    streams: ctx.streams,
    presence: ctx.presence,
    get selfId() {
      return ctx.session.userId
    },
    takeAuthReply() {
      if (ctx.authsPending === 0) return false
      ctx.authsPending -= 1
      return true
    },
  }
  let windowTimer: ReturnType<typeof setTimeout> | null = null
  let microtaskQueued = false
  /** Socket messages buffered in the open window. */
  let messagesInWindow = 0
  /** Time spent dispatching since `periodStart` (immediate mode), against the load share. */
  let periodStart = 0
  let spent = 0

  function flush(): number {
    const start = clock()
    const actions = burst.take()
    for (const action of actions) ctx.safeDispatch(autoBatched(action))
    return clock() - start
  }

  function openWindow(): void {
    messagesInWindow = 0
    windowTimer = setTimeout(onWindowEnd, windowMs)
  }

  function onWindowEnd(): void {
    windowTimer = null
    const busy = messagesInWindow > 1
    if (burst.size > 0) flush()
    // Still busy: keep coalescing. Otherwise back to reducing each frame at once.
    if (busy) openWindow()
    else {
      periodStart = clock()
      spent = 0
    }
  }

  function flushNow(): void {
    microtaskQueued = false
    if (windowTimer !== null) return
    const cost = flush()
    const now = clock()
    if (now - periodStart > windowMs) {
      periodStart = now - cost
      spent = 0
    }
    spent += cost
    if (windowMs > 0 && spent > windowMs * LOAD_SHARE) openWindow()
  }

  /** Inside an open window: reduces what is buffered now, and the window goes on. */
  function flushSettling(): void {
    microtaskQueued = false
    if (windowTimer !== null && burst.size > 0) flush()
  }

  function schedule(): void {
    if (windowTimer !== null) {
      messagesInWindow += 1
      // Acks and errors settle outgoing messages and free their in-flight slots: they are
      // applied as they arrive, window or not, or a busy window would throttle the sender.
      if (burst.settles && !microtaskQueued) {
        microtaskQueued = true
        queueMicrotask(flushSettling)
      }
      return
    }
    if (microtaskQueued) return
    microtaskQueued = true
    queueMicrotask(flushNow)
  }

  /** To the plugin that claims the frame's type, else into this burst's actions. */
  function deliver(frame: Frame): void {
    const receivers = ctx.frameReceivers
    const receive = receivers.size > 0 ? receivers.get(frame.type) : undefined
    if (receive) receiveByPlugin(receive, frame)
    else routeFrame(frame, burst, route)
  }

  /** A plugin's frame: a throw is its bug, reported as a rejection, never the socket's. */
  function receiveByPlugin(receive: (frame: Frame) => void, frame: Frame): void {
    try {
      receive(frame)
    } catch (error) {
      ctx.log(`a plugin threw on a ${frame.type} frame`, error)
      burst.add('rejections', {
        reason: 'invalid_field',
        message: `${frame.type}: ${error instanceof Error ? error.message : String(error)}`,
        id: frame.id,
      })
    }
  }

  return {
    receive(data) {
      // Once per burst: the other messages of one read arrive in the same task, as good as now.
      if (!microtaskQueued) ctx.liveness.lastFrameAt = ctx.now()
      const result = decodeChecked(data, limits)
      const rejected = isRejection(result)
      if (ctx.inspector.active) {
        ctx.inspector.record(
          rejected
            ? { direction: 'in', at: ctx.now(), rejected: result.reason, message: result.message }
            : { direction: 'in', at: ctx.now(), frame: result },
        )
      }
      if (rejected) {
        ctx.log('rejected frame', result)
        burst.add('rejections', {
          reason: result.reason,
          message: result.message,
          ...(result.id !== undefined ? { id: result.id } : {}),
        })
      } else if (result.type === MessageType.BATCH) {
        for (const frame of result.data.frames) deliver(frame)
      } else {
        // Not `unbatch`: no one-frame array per frame.
        deliver(result)
      }
      schedule()
    },
    flush() {
      if (windowTimer !== null) clearTimeout(windowTimer)
      windowTimer = null
      flush()
    },
  }
}
