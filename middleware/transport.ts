import ReconnectingWebSocket from 'reconnecting-websocket'
import type { WebSocketConstructor } from '../src/config'
import { backoffDelay } from './backoff'
import { devText } from '../src/dev'

/**
 * The one file that knows reconnecting-websocket 4.4.0. It is unmaintained and has bugs this
 * wrapper works around:
 * - `close()` during the reconnect wait leaves its connect lock held, so that instance can never
 *   connect again → every stop disposes the instance; the next start builds a fresh one.
 * - Closing a `ws` socket that is still connecting emits an `error` after RWS removed its
 *   listeners, which crashes Node → every socket gets its own permanent error listener.
 * - Errors and timeouts are reported as a close with code 1000 → reported as 1006 here.
 * - Hitting `maxRetries` stops silently → we count attempts and report giving up.
 * - Its delay is `min · grow^n` without jitter → its delay option reads ours (full jitter).
 *
 * dist bundles it compiled from the TypeScript source the package ships, not its ES5 build
 * (same code, 1.1 KiB less gzip: `tsup.config.ts`); the tests run that build too
 * (`vitest.config.ts`).
 */

export interface TransportOptions {
  /** Tried in turn: each connection attempt takes the next (round robin); one is fine. */
  urls: readonly string[]
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
  /** `url`: the one of `urls` this socket was opened with. */
  onOpen(url: string): void
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
const noop = () => {}

/** Adds a permanent error listener to every socket so a late `error` event cannot crash Node. */
function guardErrors(Base: WebSocketConstructor): WebSocketConstructor {
  return class GuardedWebSocket extends Base {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols)
      const target = this as unknown as { addEventListener?: (t: string, l: () => void) => void }
      target.addEventListener?.('error', noop)
    }
  }
}

function defaultWebSocket(): WebSocketConstructor {
  const global = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket
  if (!global) {
    throw new TypeError(
      `redux-realtime: no global WebSocket here. Pass one: createRealtime({ WebSocket })${devText(() => (process.env.NODE_ENV !== 'production' ? " (Node 20: createRealtime({ url, WebSocket: (await import('ws')).WebSocket }))" : ''))}`,
    )
  }
  return global
}

export function createTransport(options: TransportOptions, events: TransportEvents): Transport {
  const now = options.now ?? Date.now
  const random = options.random ?? Math.random
  let WebSocketClass: WebSocketConstructor | undefined
  let current: ReconnectingWebSocket | null = null
  let constructing = false
  /** Failed attempts since the last authenticated session: what `maxReconnectAttempts` limits. */
  let failures = 0
  /** Backoff exponent: grows with every close, resets only after a stable connection. */
  let level = 0
  let openedAt: number | null = null
  let connected = false
  /** Closed and waiting out the backoff before the next attempt. */
  let waiting = false
  let fallbackTimer: ReturnType<typeof setTimeout> | undefined
  let scheduled: { attempt: number; delay: number } | null = null
  let restartRequested: { code: number; reason: string } | null = null
  /** The index in `urls` of the next connection attempt. */
  let nextUrl = 0
  if (options.urls.length === 0) throw new TypeError('createTransport: urls is empty')

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

  // RWS reads this once per reconnect; it is where our backoff decides the wait.
  function nextDelay(): number {
    if (constructing || !current || current.retryCount === 0) return 0
    scheduled = planRetry()
    return scheduled.delay
  }

  function create(): void {
    WebSocketClass ??= guardErrors(options.WebSocket ?? defaultWebSocket())
    const rwsOptions = {
      WebSocket: WebSocketClass,
      connectionTimeout: options.connectionTimeout,
      maxRetries: Infinity,
      maxEnqueuedMessages: 0,
      minUptime: options.stableConnectionMs,
      reconnectionDelayGrowFactor: 1,
      maxReconnectionDelay: Number.MAX_SAFE_INTEGER,
      get minReconnectionDelay() {
        return nextDelay()
      },
    }
    constructing = true
    let instance: ReconnectingWebSocket
    /** The URL of this instance's latest attempt: RWS asks the provider once per attempt. */
    let attemptUrl = options.urls[0] as string
    const urlProvider = (): string => {
      attemptUrl = options.urls[nextUrl % options.urls.length] as string
      nextUrl = (nextUrl + 1) % options.urls.length
      return attemptUrl
    }
    try {
      instance = new ReconnectingWebSocket(urlProvider, options.protocols, rwsOptions)
    } finally {
      constructing = false
    }
    current = instance
    connected = false
    waiting = false
    instance.addEventListener('open', () => {
      if (instance !== current) return
      connected = true
      waiting = false
      openedAt = now()
      events.onOpen(attemptUrl)
    })
    instance.addEventListener('message', (event) => {
      if (instance === current) events.onMessage(event.data)
    })
    instance.addEventListener('close', (event) => {
      if (instance !== current) return
      handleClose(event.code, event.reason)
    })
  }

  function dispose(code: number, reason: string): void {
    const instance = current
    current = null
    connected = false
    waiting = false
    scheduled = null
    clearTimeout(fallbackTimer)
    if (instance) instance.close(code, reason)
  }

  function handleClose(rawCode: number, rawReason: string): void {
    connected = false
    const requested = restartRequested
    restartRequested = null
    // RWS reports errors and connect timeouts as a clean 1000; nothing we did not ask for is clean.
    const code = requested?.code ?? (rawCode === 1000 ? 1006 : rawCode)
    const reason =
      requested?.reason ??
      (rawReason === 'timeout' ? 'connection timeout' : rawReason || 'connection lost')
    const plan = scheduled
    scheduled = null
    // A reconnect we asked for happens even with autoReconnect off.
    if (requested) {
      waiting = true
      events.onClose({ code, reason, willReconnect: true, attempt: failures, retryInMs: 0 })
      return
    }
    if (!options.autoReconnect) {
      dispose(code, reason)
      events.onClose({ code, reason, willReconnect: false, attempt: failures })
      return
    }
    // RWS declined to reconnect (its connect lock is stuck): do it with a fresh instance.
    if (!plan) return retryLater(code, reason, planRetry())
    if (plan.attempt > options.maxReconnectAttempts) {
      dispose(code, reason)
      events.onClose({ code, reason, willReconnect: false, attempt: plan.attempt, gaveUp: true })
      return
    }
    waiting = true
    events.onClose(retrying(code, reason, plan))
  }

  function retrying(code: number, reason: string, plan: { attempt: number; delay: number }) {
    return { code, reason, willReconnect: true, attempt: plan.attempt, retryInMs: plan.delay }
  }

  /** Reconnects with a fresh instance after `plan.delay`, or gives up. */
  function retryLater(
    code: number,
    reason: string,
    plan: { attempt: number; delay: number },
  ): void {
    dispose(code, reason)
    if (!options.autoReconnect || plan.attempt > options.maxReconnectAttempts) {
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
    waiting = true
    fallbackTimer = setTimeout(create, plan.delay)
    events.onClose(retrying(code, reason, plan))
  }

  function retry(): void {
    if (current) dispose(1000, 'retrying now')
    else clearTimeout(fallbackTimer)
    create()
  }

  return {
    open() {
      if (waiting) retry()
      else if (!current) {
        failures = 0
        level = 0
        nextUrl = 0
        try {
          create()
        } catch (error) {
          // No WebSocket class (Node 20 without `ws`, SSR): a closed connection that says why.
          const failure = error instanceof Error ? error.message : String(error)
          events.onClose({ code: 1006, reason: failure, willReconnect: false, attempt: 0, failure })
        }
      }
    },
    close(code = 1000, reason = 'client closed') {
      if (!current && !waiting) return
      dispose(code, reason)
      failures = 0
      level = 0
      events.onClose({ code, reason, willReconnect: false, attempt: 0 })
    },
    fail(code, reason) {
      if (!current) return
      retryLater(code, reason, planRetry())
    },
    authenticated() {
      failures = 0
    },
    restart(code, reason) {
      if (!current || !connected) return
      restartRequested = { code, reason }
      current.reconnect(code, reason)
    },
    retryNow() {
      if (waiting) retry()
    },
    send(text) {
      if (!current || !connected || current.readyState !== OPEN) return false
      current.send(text)
      return true
    },
    isOpen() {
      return current !== null && connected && current.readyState === OPEN
    },
  }
}
