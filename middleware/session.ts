import { WebSocketErrorCode } from '../src/protocol/codes'
import { CloseCode } from '../src/protocol/codes'
import { makeFrame } from '../src/protocol/build'
import { errorInfo } from '../src/errors'
import { authenticate, connect, connection } from '../slices/actions'
import type { Handler, RealtimeContext } from './context'

/**
 * Auth: the first frame on every socket is `auth`, with a token from `getToken()` (called on every
 * connect) or `authToken`, and the client's frame limit. A refused token gets one retry with a
 * fresh `getToken()`; a second refusal, or a refusal with no way to get another token, stops
 * reconnecting (no storm) and says why in state. A `getToken()` that throws or rejects is a
 * failed attempt (`AUTH_PROVIDER_FAILED`): the transport backs off and tries again.
 */
export function buildSessionHandler(ctx: RealtimeContext): Handler {
  let socketGeneration = 0
  let refusals = 0
  let tokenOverride: string | undefined

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
    } else if (connection.closed.match(action)) {
      socketGeneration += 1
    } else if (connection.errorsReceived.match(action)) {
      const refusal = action.payload.errors.find(
        (e) => e.code === WebSocketErrorCode.AUTHENTICATION_FAILED,
      )
      if (refusal) refused(refusal.message)
    } else if (connect.match(action)) {
      refusals = 0
    } else if (authenticate.match(action)) {
      tokenOverride = action.payload.token
      refusals = 0
      if (ctx.transport.isOpen()) sendAuthFrame(tokenOverride)
    }
  }
}
