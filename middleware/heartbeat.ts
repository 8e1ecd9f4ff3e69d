import { makeFrame } from '../src/protocol/build'
import { CloseCode } from '../src/protocol/codes'
import { connection } from '../slices/actions'
import type { Handler, RealtimeContext } from './context'

/**
 * Pings when the line has been quiet for `heartbeatInterval`; any frame counts as life. A ping
 * that no frame followed within `heartbeatTimeout` means a dead socket (often one that still
 * reports OPEN): drop it and reconnect. Elapsed time is measured, never ticks counted, so a
 * throttled background-tab timer only delays the check instead of faking a timeout.
 */
export function buildHeartbeatHandler(ctx: RealtimeContext): Handler {
  const { heartbeatInterval, heartbeatTimeout } = ctx.config
  const tickMs = Math.max(10, Math.min(heartbeatInterval, heartbeatTimeout) / 4)
  let timer: ReturnType<typeof setInterval> | undefined
  let lastPingAt = 0

  function tick(): void {
    const now = ctx.now()
    const { lastFrameAt } = ctx.liveness
    if (lastPingAt > lastFrameAt && now - lastPingAt > heartbeatTimeout) {
      stop()
      ctx.transport.restart(
        CloseCode.HEARTBEAT_TIMEOUT,
        `heartbeat timeout: no frame for ${now - lastFrameAt} ms`,
      )
      return
    }
    if (now - Math.max(lastFrameAt, lastPingAt) >= heartbeatInterval) {
      lastPingAt = now
      if (ctx.send(makeFrame('ping', { timestamp: now, data: {} }))) {
        ctx.dispatch(connection.pingSent({ at: now }))
      }
    }
  }

  function stop(): void {
    clearInterval(timer)
    timer = undefined
  }

  return (action) => {
    if (connection.opened.match(action) && !ctx.session.refresh) {
      stop()
      lastPingAt = 0
      timer = setInterval(tick, tickMs)
    } else if (connection.closed.match(action)) {
      stop()
    }
  }
}
