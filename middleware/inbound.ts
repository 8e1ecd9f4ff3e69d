import { decodeFrame, unbatch } from '../src/protocol/codec'
import type { RealtimeContext } from './context'
import { Burst, routeFrame, type RouteContext } from './frameActions'

export interface Inbound {
  /** A WebSocket message arrived: validate it and add its frames to the current burst. */
  receive(data: unknown): void
  /** Reduce everything buffered now (before a close is reported, for order). */
  flush(): void
}

/**
 * Turns socket messages into actions, one dispatch per burst. Leading-edge window: the first
 * frame after a quiet period is reduced at once (a microtask later, so frames delivered in the
 * same task join it); frames within `batchWindowMs` after a flush wait for the window's end.
 * Browsers deliver each message as its own task, so a microtask alone would batch nothing.
 */
export function createInbound(ctx: RealtimeContext): Inbound {
  const burst = new Burst(ctx.now)
  const limits = { maxBytes: ctx.config.maxFrameBytes }
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

  function flush(): void {
    const actions = burst.take()
    for (const action of actions) ctx.safeDispatch(action)
  }

  function onWindowEnd(): void {
    windowTimer = null
    if (burst.size === 0) return
    flush()
    windowTimer = setTimeout(onWindowEnd, ctx.config.batchWindowMs)
  }

  function schedule(): void {
    if (windowTimer !== null || microtaskQueued) return
    microtaskQueued = true
    queueMicrotask(() => {
      microtaskQueued = false
      flush()
      windowTimer ??= setTimeout(onWindowEnd, ctx.config.batchWindowMs)
    })
  }

  return {
    receive(data) {
      ctx.liveness.lastFrameAt = ctx.now()
      const result = decodeFrame(data, limits)
      if (ctx.inspector.active) {
        ctx.inspector.record(
          result.ok
            ? { direction: 'in', at: ctx.now(), frame: result.frame }
            : { direction: 'in', at: ctx.now(), rejected: result.reason, message: result.message },
        )
      }
      if (!result.ok) {
        ctx.log('rejected frame', result)
        burst.add('rejections', {
          reason: result.reason,
          message: result.message,
          ...(result.id !== undefined ? { id: result.id } : {}),
        })
      } else {
        for (const frame of unbatch(result.frame)) routeFrame(frame, burst, route)
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
