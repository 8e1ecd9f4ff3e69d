import type { Middleware, UnknownAction } from '@reduxjs/toolkit'
import { resolveUrls, type ResolvedConfig } from '../src/config'
import { errorInfo } from '../src/errors'
import { encodeFrame } from '../src/protocol/codec'
import { WebSocketErrorCode } from '../src/protocol/codes'
import type { Frame } from '../src/protocol/frames'
import { connection } from '../slices/actions'
import type { Namespace } from '../slices/namespace'
import type { RealtimeSelectors } from '../slices/selectors'
import type { AnyRealtimePlugin, PluginContext } from '../src/plugins'
import { awaitedOutcome, withUnwrap, type RealtimeDispatch } from './awaitable'
import { buildConnectionHandler } from './connection'
import type { Handler, RealtimeContext } from './context'
import { buildEventsHandler } from './events'
import { createFlowControl } from './flow'
import { buildHeartbeatHandler } from './heartbeat'
import { createInbound } from './inbound'
import type { FrameInspector } from './inspector'
import type { Outcomes } from './outcomes'
import { buildOutboxHandler } from './outbox'
import { buildPresenceHandler } from './presence'
import { createPresenceSync } from './presenceSync'
import { buildReceiptsHandler } from './receipts'
import { buildRoomPresenceHandler } from './roomPresence'
import { buildRoomsHandler } from './rooms'
import { buildSavedCursorsHandler } from './savedCursors'
import { buildSessionHandler } from './session'
import { observeSession } from './sessionFacts'
import { createMemoryStorage } from './storage'
import { createStreamCursors } from './streams'
import { createTransport, type TransportClose } from './transport'
import { buildTypingHandler } from './typing'
import { registerInstance } from './instances'

/** Ids each stream remembers as applied, so no frame is applied twice, across epochs too. */
const APPLIED_IDS_MIN = 5000

/** Frames the server's rate limit counts: all but ping and auth, each frame of a batch. */
function countedFrames(frame: Frame): number {
  if (frame.type === 'ping' || frame.type === 'auth') return 0
  return frame.type === 'batch' ? frame.data.frames.length : 1
}

/**
 * Whether `type` (canonical) is a command's: the middleware acts on these whoever dispatched
 * them. Commands are `realtime/<imperative>`, events `realtime/<domain>/<event>`
 * (test/unit/slices/actions.test.ts holds every creator to it), so no list of commands to keep.
 */
const isCommandType = (type: string) => /^realtime\/[^/]+$/.test(type)

/**
 * The socket-owning middleware: a thin composer. It builds the context and the handlers once
 * per store, wires socket events to actions, and runs every handler after the reducers.
 * A new behaviour is a new handler file and one line in the list below.
 *
 * Replay-safe: handlers see commands (intent) and the events this middleware dispatched itself
 * (its socket's callbacks and its handlers). A past-tense event dispatched from outside — Redux
 * DevTools' Dispatch button, an imported log, a test — only reduces state: no frame, no timer,
 * no transport change. The session facts handlers read are written here, before any handler
 * runs, so no handler depends on the order of the list.
 *
 * Handlers speak the canonical `realtime/…` action types; `namespace` translates at this edge
 * for an instance with another `reducerPath` (its actions in, its events out) and hides every
 * other instance's actions from the handlers.
 */
export function createRealtimeMiddleware(
  config: ResolvedConfig,
  selectors: RealtimeSelectors,
  inspector: FrameInspector,
  outcomes: Outcomes,
  namespace: Namespace,
  plugins: readonly AnyRealtimePlugin[] = [],
): Middleware<RealtimeDispatch> {
  const pluginCommands = new Set(plugins.flatMap((plugin) => plugin.commandTypes))
  const isCommand = (type: string) => isCommandType(type) || pluginCommands.has(type)
  return (api) => {
    registerInstance(api, () => api.getState() as unknown, config.reducerPath)
    const urls = resolveUrls(config)
    const url = urls[0] as string
    const logger = config.logger

    /** Events this middleware dispatched: the only events its handlers act on. */
    const own = new WeakSet<object>()
    function dispatchOwn<A extends UnknownAction>(action: A): A {
      const instanceAction = namespace.toInstance(action)
      own.add(instanceAction)
      return api.dispatch(instanceAction)
    }

    const loads: Promise<unknown>[] = []
    function reportStorage(what: string, error: unknown): void {
      const detail = error instanceof Error ? error.message : String(error)
      ctx.safeDispatch(
        connection.errorOccurred({
          error: errorInfo(WebSocketErrorCode.STORAGE_FAILED, `${what}: ${detail}`, {
            context: 'storage',
          }),
        }),
      )
    }
    const ctx = {
      config,
      url,
      dispatch: dispatchOwn,
      getState: () => api.getState() as unknown,
      selectors,
      streams: createStreamCursors(Math.max(APPLIED_IDS_MIN, config.maxMessagesPerRoom)),
      presence: createPresenceSync(),
      inspector,
      session: { authenticated: false, refresh: false },
      authsPending: 0,
      flow: createFlowControl(Date.now),
      outcomes,
      storage: config.storage ?? createMemoryStorage(),
      persist(what: string, run: () => unknown, done?: () => void): Promise<void> {
        const report = (error: unknown) => reportStorage(`storage ${what} failed`, error)
        let result: unknown
        try {
          result = run()
        } catch (error) {
          report(error)
          done?.()
          return Promise.resolve()
        }
        // A sync storage is done now: nothing waits a tick for it.
        if (typeof (result as PromiseLike<unknown> | undefined)?.then !== 'function') {
          done?.()
          return Promise.resolve()
        }
        return Promise.resolve(result).then(
          () => done?.(),
          (error: unknown) => {
            report(error)
            done?.()
          },
        )
      },
      whenLoaded(loading: Promise<unknown>) {
        loads.push(loading)
      },
      loaded: () => Promise.all(loads).then(() => undefined),
      liveness: { lastFrameAt: 0 },
      closeError: null,
      now: Date.now,
      log(message: string, detail?: unknown) {
        if (config.enableLogging) logger.debug(`[redux-realtime] ${message}`, detail ?? '')
      },
      beforeSend() {},
      send(frame: Frame, encoded?: string) {
        ctx.beforeSend()
        const sent = ctx.transport.send(encoded ?? encodeFrame(frame))
        if (!sent) return false
        ctx.flow.spend(countedFrames(frame))
        if (inspector.active) inspector.record({ direction: 'out', at: Date.now(), frame })
        return true
      },
      safeDispatch(action: UnknownAction) {
        try {
          dispatchOwn(action)
        } catch (error) {
          logger.error(`[redux-realtime] dispatching ${action.type} threw`, error)
        }
      },
      frameReceivers: new Map(),
    } as Omit<RealtimeContext, 'transport'> as RealtimeContext

    // Plugins get a narrow view of the context, built before any frame can arrive.
    const pluginContext: PluginContext = {
      get session() {
        return ctx.session
      },
      send: (frame) => ctx.send(frame),
      allowance: () => ctx.flow.allowance(),
      waitMs: () => ctx.flow.waitMs(),
      dispatch: (action) => ctx.safeDispatch(action),
      getState: ctx.getState,
      storage: ctx.storage,
      persist: (what, run, done) => ctx.persist(what, run, done),
      now: () => ctx.now(),
      log: (message, detail) => ctx.log(message, detail),
    }
    const pluginHandlers = plugins.map((plugin) => plugin.handler(pluginContext))
    const receivers = ctx.frameReceivers as Map<string, (frame: Frame) => void>
    for (const [i, plugin] of plugins.entries()) {
      const handler = pluginHandlers[i]
      if (!handler?.receive) continue
      const receive = (frame: Frame) => handler.receive?.(frame)
      for (const type of plugin.frameTypes ?? []) receivers.set(type, receive)
    }

    // Records the storage skipped (unreadable, a failed take-over) are errors in state too.
    ctx.storage.onProblem?.((error) => reportStorage('storage', error))
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
      if (close.failure !== undefined) {
        error = errorInfo(WebSocketErrorCode.CONNECTION_FAILED, close.failure, {
          context: 'transport',
        })
      }
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
        urls,
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
        onOpen: (socketUrl) =>
          ctx.safeDispatch(connection.socketOpened({ url: socketUrl, at: ctx.now() })),
        onMessage: (data) => inbound.receive(data),
        onClose: reportClose,
      },
    )

    const handlers: Handler[] = [
      buildConnectionHandler(ctx),
      buildSessionHandler(ctx),
      buildRoomsHandler(ctx),
      buildOutboxHandler(ctx),
      buildSavedCursorsHandler(ctx),
      buildHeartbeatHandler(ctx),
      buildTypingHandler(ctx),
      buildReceiptsHandler(ctx),
      buildPresenceHandler(ctx),
      buildRoomPresenceHandler(ctx),
      buildEventsHandler(ctx),
      ...pluginHandlers.map((plugin) => (action: UnknownAction) => plugin.handle(action)),
    ]

    /** `action` as dispatched (in this instance's namespace); `event`, the same in canonical form. */
    function run(
      next: (action: unknown) => unknown,
      action: UnknownAction,
      event: UnknownAction,
    ): unknown {
      const result = next(action)
      if (own.has(action)) observeSession(ctx, event)
      else if (!isCommand(event.type)) return result
      for (const handler of handlers) handler(event)
      return result
    }

    return (next) => (dispatched) => {
      const action = dispatched as UnknownAction
      const event = namespace.toCanonical(action)
      // Another instance's action: not for these handlers.
      if (!event) return next(action)
      const awaited = isCommandType(event.type) ? awaitedOutcome(event) : undefined
      if (!awaited) return run(next, action, event)
      // An awaitable command: its outcome is registered before the handlers run, so one decided
      // during the dispatch (a full outbox, an already joined room) is not missed.
      const [kind, key] = awaited
      let result: unknown
      let failure: { error: unknown } | undefined
      const outcome = outcomes.wait(kind, key, () => {
        try {
          result = run(next, action, event)
        } catch (error) {
          failure = { error }
          throw error
        }
      })
      if (failure) {
        outcome.catch(() => undefined)
        throw failure.error
      }
      return withUnwrap(result, outcome, action.type)
    }
  }
}
