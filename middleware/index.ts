import type { Middleware, UnknownAction } from '@reduxjs/toolkit'
import { resolveUrl, type ResolvedConfig } from '../src/config'
import { errorInfo } from '../src/errors'
import { encodeFrame } from '../src/protocol/codec'
import { WebSocketErrorCode } from '../src/protocol/codes'
import { connection } from '../slices/actions'
import type { RealtimeSelectors } from '../slices/selectors'
import { buildConnectionHandler } from './connection'
import type { Handler, RealtimeContext } from './context'
import { buildHeartbeatHandler } from './heartbeat'
import { createInbound } from './inbound'
import { buildOutboxHandler } from './outbox'
import { buildRoomsHandler } from './rooms'
import { buildTypingHandler } from './typing'
import { buildReceiptsHandler } from './receipts'
import { buildPresenceHandler } from './presence'
import { buildEventsHandler } from './events'
import { buildSessionHandler } from './session'
import { createPresenceSync } from './presenceSync'
import { createStreamCursors } from './streams'
import type { FrameInspector } from './inspector'
import { createTransport, type TransportClose } from './transport'

/**
 * The socket-owning middleware: a thin composer. It builds the context and the handlers once
 * per store, wires socket events to actions, and runs every handler after the reducers.
 * A new behaviour is a new handler file and one line in the list below.
 */
export function createRealtimeMiddleware(
  config: ResolvedConfig,
  selectors: RealtimeSelectors,
  inspector: FrameInspector,
): Middleware {
  return (api) => {
    const url = resolveUrl(config)
    const logger = config.logger

    const ctx = {
      config,
      url,
      dispatch: api.dispatch,
      getState: () => api.getState() as unknown,
      selectors,
      streams: createStreamCursors((room) =>
        selectors.selectMessagesByRoom(api.getState(), room).map((m) => m.id),
      ),
      presence: createPresenceSync(),
      inspector,
      session: { authenticated: false },
      liveness: { lastFrameAt: 0 },
      closeError: null,
      now: Date.now,
      log(message: string, detail?: unknown) {
        if (config.enableLogging) logger.debug(`[redux-realtime] ${message}`, detail ?? '')
      },
      send(frame) {
        const sent = ctx.transport.send(encodeFrame(frame))
        if (sent && inspector.active) inspector.record({ direction: 'out', at: Date.now(), frame })
        return sent
      },
      safeDispatch(action: UnknownAction) {
        try {
          api.dispatch(action)
        } catch (error) {
          logger.error(`[redux-realtime] dispatching ${action.type} threw`, error)
        }
      },
    } as Omit<RealtimeContext, 'transport'> as RealtimeContext

    const inbound = createInbound(ctx)

    let closesReported = 0
    function reportClose(close: TransportClose): void {
      const report = ++closesReported
      inbound.flush()
      // Flushing can end the connection itself (an auth refusal buffered in the burst): that
      // close was reported during the flush and is newer than this one.
      if (report !== closesReported) return
      let error = ctx.closeError ?? undefined
      ctx.closeError = null
      let reason = close.reason
      if (close.gaveUp) {
        reason = `gave up after ${close.attempt - 1} reconnect attempts: ${close.reason}`
        error = errorInfo(WebSocketErrorCode.RECONNECT_FAILED, reason, { context: 'transport' })
      }
      ctx.safeDispatch(
        connection.closed({
          code: close.code,
          reason,
          willReconnect: close.willReconnect,
          attempt: close.attempt,
          at: ctx.now(),
          ...(close.retryInMs !== undefined ? { retryInMs: close.retryInMs } : {}),
          ...(error ? { error } : {}),
        }),
      )
    }

    ctx.transport = createTransport(
      {
        url,
        ...(config.protocols ? { protocols: config.protocols } : {}),
        ...(config.WebSocket ? { WebSocket: config.WebSocket } : {}),
        connectionTimeout: config.connectionTimeout,
        autoReconnect: config.autoReconnect,
        maxReconnectAttempts: config.maxReconnectAttempts,
        reconnectInterval: config.reconnectInterval,
        maxReconnectDelay: config.maxReconnectDelay,
        stableConnectionMs: config.stableConnectionMs,
      },
      {
        onOpen: () => ctx.safeDispatch(connection.socketOpened({ at: ctx.now() })),
        onMessage: (data) => inbound.receive(data),
        onClose: reportClose,
      },
    )

    // Order matters: the session authenticates, rooms are joined, then the outbox flushes.
    const handlers: Handler[] = [
      buildConnectionHandler(ctx),
      buildSessionHandler(ctx),
      buildRoomsHandler(ctx),
      buildOutboxHandler(ctx),
      buildHeartbeatHandler(ctx),
      buildTypingHandler(ctx),
      buildReceiptsHandler(ctx),
      buildPresenceHandler(ctx),
      buildEventsHandler(ctx),
    ]

    return (next) => (action) => {
      const result = next(action)
      for (const handler of handlers) handler(action as UnknownAction)
      return result
    }
  }
}
