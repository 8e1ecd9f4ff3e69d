import { WebSocketErrorCode } from '../src/protocol/codes'
import { CloseCode } from '../src/protocol/codes'
import { makeFrame } from '../src/protocol/build'
import { errorInfo } from '../src/errors'
import { authenticate, connect, connection } from '../slices/actions'
import type { Handler, RealtimeContext } from './context'

/**
 * Auth: the first frame on every socket is `auth`, with a token from `getToken()` (called on every
 * connect) or `authToken`. A refused token gets one retry with a fresh `getToken()`; a second
 * refusal, or a refusal with no way to get another token, stops reconnecting (no storm) and
 * says why in state.
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
      token = await resolveToken()
    } catch (error) {
      if (generation !== socketGeneration) return
      refused(`getToken() threw: ${error instanceof Error ? error.message : String(error)}`)
      if (ctx.closeError === null) ctx.transport.restart(CloseCode.AUTH_FAILED, 'getToken() failed')
      return
    }
    if (generation !== socketGeneration) return
    if (!token) {
      stop('no token: pass authToken or getToken to createRealtime')
      return
    }
    ctx.send(makeFrame('auth', { data: { token } }))
  }

  return (action) => {
    if (connection.socketOpened.match(action)) {
      const generation = ++socketGeneration
      void sendAuth(generation)
    } else if (connection.opened.match(action)) {
      refusals = 0
      ctx.session.authenticated = true
      ctx.session.userId = action.payload.userId
      if (action.payload.maxFrameBytes !== undefined)
        ctx.session.maxFrameBytes = action.payload.maxFrameBytes
      else delete ctx.session.maxFrameBytes
    } else if (connection.closed.match(action)) {
      socketGeneration += 1
      ctx.session.authenticated = false
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
      if (ctx.transport.isOpen()) ctx.send(makeFrame('auth', { data: { token: tokenOverride } }))
    }
  }
}
