import type { WebSocketConstructor, WebSocketLike } from '../src/config'
import { backoffDelay } from './backoff'

/**
 * One socket at a time and the reconnect loop around it: a handshake timeout, our backoff
 * (full jitter, reset after a stable connection), giving up after `maxReconnectAttempts`. It
 * replaces reconnecting-websocket 4.4.0 (unmaintained, 9 KB minified of the bundle), keeping
 * what this file used to correct in it:
 * - Every socket keeps its listeners for good, and a socket that is no longer the current one is
 *   ignored: closing a `ws` socket still in its handshake emits a late `error` that would crash
 *   Node without a listener, and late events never reach the middleware.
 * - An error, a handshake timeout or a close the client did not ask for is never "clean": a code
 *   1000 from the socket is reported as 1006.
 * - Giving up after `maxReconnectAttempts` is reported (`gaveUp`), never silent.
 */

export interface TransportOptions {
  url: string
  protocols?: string[]
  WebSocket?: WebSocketConstructor
  connectionTimeout: number
  autoReconnect: boolean
  maxReconnectAttempts: number
  reconnectInterval: number
  maxReconnectDelay: number
  /** An open connection this old resets the backoff. */
  stableConnectionMs: number
  random?: () => number
  now?: () => number
}

export interface TransportClose {
  code: number
  reason: string
  willReconnect: boolean
  /** Failed attempts in a row, including the one about to be made. */
  attempt: number
  retryInMs?: number
  /** True when the client gave up after `maxReconnectAttempts`. */
  gaveUp?: boolean
  /** Why no socket could be made at all (no WebSocket class here): nothing will retry. */
  failure?: string
}

export interface TransportEvents {
  onOpen(): void
  onMessage(data: unknown): void
  onClose(close: TransportClose): void
}

export interface Transport {
  /** Connect now; while waiting to reconnect, retry at once. */
  open(): void
  /** Close for good (until `open`). Reports one close if a socket was live or pending. */
  close(code?: number, reason?: string): void
  /** Drop the current socket (e.g. it went silent) and reconnect. */
  restart(code: number, reason: string): void
  /**
   * Drop the current socket as a failed attempt: reconnect after the backoff (e.g. `getToken`
   * failed), or give up after `maxReconnectAttempts` failures in a row.
   */
  fail(code: number, reason: string): void
  /** The server accepted this socket's auth: the failures in a row start again from zero. */
  authenticated(): void
  /** Skip the remaining backoff wait (the browser came back online). */
  retryNow(): void
  /** Sends when open; returns false otherwise (the caller keeps the message). */
  send(text: string): boolean
  isOpen(): boolean
}

const OPEN = 1

/** What the transport needs of a socket beyond `WebSocketLike` (browsers' and `ws`'s have it). */
interface Socket extends WebSocketLike {
  addEventListener(type: 'open' | 'error', listener: () => void): void
  addEventListener(type: 'close', listener: (event: { code: number; reason: string }) => void): void
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void
}

function defaultWebSocket(): WebSocketConstructor {
  const global = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket
  if (!global) {
    throw new TypeError(
      "redux-realtime: no global WebSocket here (Node 20). Pass one: createRealtime({ url, WebSocket: (await import('ws')).WebSocket })",
    )
  }
  return global
}

/** Closes `socket`, whatever its state; a browser throws for codes it does not allow. */
function shut(socket: Socket, code?: number, reason?: string): void {
  try {
    socket.close(code, reason)
  } catch {
    socket.close()
  }
}

export function createTransport(options: TransportOptions, events: TransportEvents): Transport {
  const now = options.now ?? Date.now
  const random = options.random ?? Math.random
  let WebSocketClass: WebSocketConstructor | undefined
  /** stopped → (waiting →) connecting → open → waiting (a retry) or stopped. */
  let phase: 'stopped' | 'waiting' | 'connecting' | 'open' = 'stopped'
  let socket: Socket | null = null
  /** The wait before the next socket, or the current socket's handshake timeout. */
  let timer: ReturnType<typeof setTimeout> | undefined
  /** Failed attempts since the last authenticated session: what `maxReconnectAttempts` limits. */
  let failures = 0
  /** Backoff exponent: grows with every close, resets only after a stable connection. */
  let level = 0
  let openedAt: number | null = null

  /**
   * Counts one failed attempt and picks the wait before the next. A link that flaps (closes
   * before `stableConnectionMs`) keeps backing off even when every session authenticated, but
   * only sessions that never authenticated count towards giving up.
   */
  function planRetry(): { attempt: number; delay: number } {
    if (openedAt !== null && now() - openedAt >= options.stableConnectionMs) level = 0
    openedAt = null
    failures += 1
    level += 1
    const delay = backoffDelay(level, options.reconnectInterval, options.maxReconnectDelay, random)
    return { attempt: failures, delay }
  }

  /** Drops the current socket (if any) and any timer: nothing more happens until `open`. */
  function stop(code?: number, reason?: string): void {
    const current = socket
    socket = null
    phase = 'stopped'
    clearTimeout(timer)
    if (current) shut(current, code, reason)
  }

  /** Drops the current socket and makes the next one after `delay` ms. */
  function connectAfter(delay: number, code?: number, reason?: string): void {
    stop(code, reason)
    phase = 'waiting'
    timer = setTimeout(connect, delay)
  }

  function connect(): void {
    const Class = (WebSocketClass ??= options.WebSocket ?? defaultWebSocket())
    let current: Socket
    try {
      current = (
        options.protocols ? new Class(options.url, options.protocols) : new Class(options.url)
      ) as Socket
    } catch (error) {
      // A URL the WebSocket class refuses: nothing to retry.
      stop()
      const failure = error instanceof Error ? error.message : String(error)
      events.onClose({
        code: 1006,
        reason: failure,
        willReconnect: false,
        attempt: failures,
        failure,
      })
      return
    }
    socket = current
    phase = 'connecting'
    timer = setTimeout(() => lost(current, 1006, 'connection timeout'), options.connectionTimeout)
    current.addEventListener('open', () => {
      if (current !== socket) return
      clearTimeout(timer)
      phase = 'open'
      openedAt = now()
      events.onOpen()
    })
    current.addEventListener('message', (event) => {
      if (current === socket) events.onMessage(event.data)
    })
    current.addEventListener('error', () => lost(current, 1006, 'connection lost'))
    current.addEventListener('close', (event) => {
      lost(current, event.code === 1000 ? 1006 : event.code, event.reason || 'connection lost')
    })
  }

  /** The current socket failed or closed without being asked to: retry after the backoff. */
  function lost(lostSocket: Socket, code: number, reason: string): void {
    if (lostSocket !== socket) return
    if (options.autoReconnect) retryLater(code, reason, planRetry())
    else {
      stop()
      events.onClose({ code, reason, willReconnect: false, attempt: failures })
    }
  }

  /** Reconnects after `plan.delay`, or gives up. */
  function retryLater(
    code: number,
    reason: string,
    plan: { attempt: number; delay: number },
  ): void {
    if (!options.autoReconnect || plan.attempt > options.maxReconnectAttempts) {
      stop(code, reason)
      const gaveUp = options.autoReconnect
      events.onClose({
        code,
        reason,
        willReconnect: false,
        attempt: plan.attempt,
        ...(gaveUp ? { gaveUp } : {}),
      })
      return
    }
    connectAfter(plan.delay, code, reason)
    events.onClose({
      code,
      reason,
      willReconnect: true,
      attempt: plan.attempt,
      retryInMs: plan.delay,
    })
  }

  const isOpen = () => phase === 'open' && socket?.readyState === OPEN

  return {
    open() {
      if (phase === 'waiting') connectAfter(0)
      else if (phase === 'stopped') {
        failures = 0
        level = 0
        try {
          WebSocketClass ??= options.WebSocket ?? defaultWebSocket()
        } catch (error) {
          // No WebSocket class (Node 20 without `ws`, SSR): a closed connection that says why.
          const failure = error instanceof Error ? error.message : String(error)
          events.onClose({ code: 1006, reason: failure, willReconnect: false, attempt: 0, failure })
          return
        }
        // The socket comes a task later: a `close` in the same task never opens one.
        connectAfter(0)
      }
    },
    close(code = 1000, reason = 'client closed') {
      if (phase === 'stopped') return
      stop(code, reason)
      failures = 0
      level = 0
      events.onClose({ code, reason, willReconnect: false, attempt: 0 })
    },
    fail(code, reason) {
      if (phase === 'stopped') return
      retryLater(code, reason, planRetry())
    },
    authenticated() {
      failures = 0
    },
    restart(code, reason) {
      // A reconnect we asked for happens even with autoReconnect off, at once.
      if (phase !== 'open') return
      connectAfter(0, code, reason)
      events.onClose({ code, reason, willReconnect: true, attempt: failures, retryInMs: 0 })
    },
    retryNow() {
      if (phase === 'waiting') connectAfter(0)
    },
    send(text) {
      if (!isOpen()) return false
      socket?.send(text)
      return true
    },
    isOpen,
  }
}
