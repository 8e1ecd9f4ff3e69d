import { WebSocketErrorCode } from '../src/protocol/codes'
import { CloseCode } from '../src/protocol/codes'
import { makeFrame } from '../src/protocol/build'
import { errorInfo, WebSocketError } from '../src/errors'
import { authenticate, connect, connection } from '../slices/actions'
import type { Handler, RealtimeContext } from './context'

/** A token is refreshed at this share of its lifetime… */
const REFRESH_AT = 0.8
/** …and at least this long before it expires. */
const REFRESH_LEAD_MS = 5000
const MIN_REFRESH_DELAY_MS = 1000
const REFRESH_RETRY_MS = 1000

/**
 * Auth: the first frame on every socket is `auth`, with a token from `getToken()` (called on every
 * connect) or `authToken`, and the client's frame limit. A refused token gets one retry with a
 * fresh `getToken()`; a second refusal, or a refusal with no way to get another token, stops
 * reconnecting (no storm) and says why in state. A `getToken()` that throws or rejects is a
 * failed attempt (`AUTH_PROVIDER_FAILED`): the transport backs off and tries again. With
 * `getToken`, a token is refreshed in-band before it expires (`auth_ok.expiresAt`), and at once
 * when the server says `TOKEN_EXPIRED`; after a 4002 close the reconnect gets a fresh one.
 */
export function buildSessionHandler(ctx: RealtimeContext): Handler {
  let socketGeneration = 0
  let refusals = 0
  let tokenOverride: string | undefined
  let refreshTimer: ReturnType<typeof setTimeout> | undefined
  let refreshing = false

  /**
   * Refreshes the token in-band ahead of its expiry (at 80 % of its lifetime, at least 5 s
   * before, never sooner than 1 s from now), on the open socket: no reconnect, rooms kept. The
   * lifetime is read on the server's clock (`auth_ok`'s timestamp), so a skewed client clock
   * neither skips the refresh nor loops it.
   */
  function scheduleRefresh(expiresAt: number, serverTime: number): void {
    clearTimeout(refreshTimer)
    if (!ctx.config.getToken) return
    const lifetime = expiresAt - serverTime
    const delay = Math.max(
      MIN_REFRESH_DELAY_MS,
      Math.min(lifetime * REFRESH_AT, lifetime - REFRESH_LEAD_MS),
    )
    refreshTimer = setTimeout(() => void refresh(socketGeneration), delay)
  }

  async function refresh(generation: number): Promise<void> {
    const { getToken } = ctx.config
    if (refreshing || !getToken) return
    refreshing = true
    let token: string | undefined
    try {
      token = await getToken()
    } catch (error) {
      // Transient: the socket stays; try again shortly (the server closes 4002 if it is too late).
      const message = `getToken() failed while refreshing: ${error instanceof Error ? error.message : String(error)}`
      ctx.safeDispatch(
        connection.errorOccurred({
          error: errorInfo(WebSocketErrorCode.AUTH_PROVIDER_FAILED, message, { context: 'auth' }),
        }),
      )
      if (generation === socketGeneration) {
        clearTimeout(refreshTimer)
        refreshTimer = setTimeout(() => void refresh(generation), REFRESH_RETRY_MS)
      }
      return
    } finally {
      refreshing = false
    }
    if (generation !== socketGeneration || !ctx.session.authenticated || !token) return
    sendAuthFrame(token)
  }

  async function resolveToken(): Promise<string | undefined> {
    const { getToken, authToken } = ctx.config
    if (getToken) {
      const token = await getToken()
      if (token) return token
    }
    return tokenOverride ?? authToken
  }

  function stop(message: string): void {
    ctx.closeError = errorInfo(WebSocketErrorCode.AUTHENTICATION_FAILED, message, {
      context: 'auth',
    })
    ctx.transport.close(CloseCode.AUTH_FAILED, message)
  }

  function refused(message: string): void {
    refusals += 1
    if (refusals === 1 && ctx.config.getToken) {
      ctx.log('token refused, retrying once with a fresh getToken()', message)
      return
    }
    stop(`authentication failed: ${message}`)
  }

  async function sendAuth(generation: number): Promise<void> {
    let token: string | undefined
    try {
      // The outbox and cursors are loaded first: joins resume from them, restored messages go first.
      await ctx.loaded()
      if (generation !== socketGeneration) return
      token = await resolveToken()
    } catch (error) {
      if (generation !== socketGeneration) return
      // The app's token provider is down, not the token refused: retry with backoff, keep the outbox.
      const message = `getToken() failed: ${error instanceof Error ? error.message : String(error)}`
      ctx.closeError = errorInfo(WebSocketErrorCode.AUTH_PROVIDER_FAILED, message, {
        context: 'auth',
      })
      ctx.transport.fail(CloseCode.AUTH_FAILED, message)
      return
    }
    if (generation !== socketGeneration) return
    if (!token) {
      stop('no token: pass authToken or getToken to createRealtime')
      return
    }
    sendAuthFrame(token)
  }

  function sendAuthFrame(token: string): void {
    // The client states its frame limit: the server never sends it a larger frame.
    if (ctx.send(makeFrame('auth', { data: { token, maxFrameBytes: ctx.config.maxFrameBytes } })))
      ctx.authsPending += 1
  }

  return (action) => {
    if (connection.socketOpened.match(action)) {
      const generation = ++socketGeneration
      void sendAuth(generation)
    } else if (connection.opened.match(action)) {
      refusals = 0
      const { expiresAt, serverTime } = action.payload
      if (expiresAt !== undefined) scheduleRefresh(expiresAt, serverTime ?? action.payload.at)
    } else if (connection.closed.match(action)) {
      socketGeneration += 1
      clearTimeout(refreshTimer)
    } else if (connection.errorsReceived.match(action)) {
      const { errors } = action.payload
      const refusal = errors.find((e) => e.code === WebSocketErrorCode.AUTHENTICATION_FAILED)
      if (refusal) {
        ctx.outcomes.reject(
          'authenticate',
          '',
          new WebSocketError(refusal.code, refusal.message, { context: 'auth' }),
        )
        refused(refusal.message)
      }
      // Expired before the refresh landed: refresh now; the outbox waits for the new auth_ok.
      else if (
        ctx.authsPending === 0 &&
        errors.some((e) => e.code === WebSocketErrorCode.TOKEN_EXPIRED)
      ) {
        // (One fresh auth at a time: later refusals in the same expiry need no second one.)
        void refresh(socketGeneration)
      }
    } else if (connect.match(action)) {
      refusals = 0
    } else if (authenticate.match(action)) {
      tokenOverride = action.payload.token
      refusals = 0
      if (ctx.transport.isOpen()) sendAuthFrame(tokenOverride)
    }
  }
}
