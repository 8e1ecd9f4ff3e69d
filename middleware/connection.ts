import { connect, connection, disconnect, reconnect } from '../slices/actions'
import { CloseCode } from '../src/protocol/codes'
import type { Handler, RealtimeContext } from './context'

/**
 * The connection commands: connect, disconnect, reconnect; and an immediate retry when the
 * browser says it is back online, instead of waiting out the backoff.
 */
export function buildConnectionHandler(ctx: RealtimeContext): Handler {
  const network = ctx.config.networkEvents
  let listening = false
  const onOnline = () => {
    ctx.log('online: retrying now')
    ctx.transport.retryNow()
  }

  function listen(on: boolean): void {
    if (!network || listening === on) return
    listening = on
    if (on) network.addEventListener('online', onOnline)
    else network.removeEventListener('online', onOnline)
  }

  /** From idle or closed, says it is connecting (before the transport opens). */
  function announce(): void {
    const state = ctx.selectors.selectConnectionState(ctx.getState())
    if (state === 'idle' || state === 'closed') {
      ctx.dispatch(connection.connecting({ url: ctx.url, at: ctx.now() }))
    }
  }

  return (action) => {
    if (connect.match(action)) {
      // Already authenticated: there is nothing to wait for.
      const { authenticated, userId, sessionId } = ctx.session
      if (authenticated && userId !== undefined && sessionId !== undefined) {
        ctx.outcomes.resolve('connect', '', { userId, sessionId })
      }
      announce()
      listen(true)
      ctx.transport.open()
    } else if (disconnect.match(action)) {
      listen(false)
      ctx.transport.close(CloseCode.NORMAL, 'disconnect requested')
    } else if (reconnect.match(action)) {
      listen(true)
      if (ctx.transport.isOpen()) ctx.transport.restart(CloseCode.NORMAL, 'reconnect requested')
      else {
        announce()
        ctx.transport.open()
      }
    } else if (connection.closed.match(action) && !action.payload.willReconnect) {
      listen(false)
    }
  }
}
