import type { IncomingMessage, ServerResponse } from 'node:http'
import { isValidId } from '../protocol'
import type { HttpRequestHandler } from './serverOptions'
import { signDevToken } from './tokens'

export interface DevTokenEndpointOptions {
  secret: string
  /** Called after a token was issued, e.g. to greet the user. */
  onIssued?: (userId: string) => void
}

const PATH = '/dev/token'
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]'])

/** Browsers on this machine (the Vite dev server, the served app) may read the token. */
function corsHeaders(request: IncomingMessage): Record<string, string> {
  const origin = request.headers.origin
  if (origin === undefined) return {}
  try {
    if (!LOOPBACK.has(new URL(origin).hostname)) return {}
  } catch {
    return {}
  }
  return { 'access-control-allow-origin': origin, vary: 'Origin' }
}

function sendJson(
  request: IncomingMessage,
  response: ServerResponse,
  status: number,
  body: unknown,
): void {
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    ...corsHeaders(request),
  })
  response.end(JSON.stringify(body))
}

/**
 * `GET /dev/token?user=<id>` → `{ token }`: a 24 h token signed with the dev secret, so the
 * example app can log in as anyone. Only the CLI's `--dev` mode installs it.
 *
 * @example
 * createRealtimeServer({ jwt: { secret }, httpHandler: createDevTokenEndpoint({ secret }) })
 */
export function createDevTokenEndpoint(options: DevTokenEndpointOptions): HttpRequestHandler {
  return (request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost')
    if (url.pathname !== PATH) return false
    if (request.method === 'OPTIONS') {
      response.writeHead(204, { ...corsHeaders(request), 'access-control-max-age': '600' })
      response.end()
      return true
    }
    if (request.method !== 'GET') {
      sendJson(request, response, 405, { error: 'use GET /dev/token?user=<id>' })
      return true
    }
    const user = url.searchParams.get('user')
    if (!isValidId(user)) {
      sendJson(request, response, 400, {
        error: 'user must be a 1-128 character printable id, e.g. /dev/token?user=alice',
      })
      return true
    }
    signDevToken(options.secret, user).then(
      (token) => {
        sendJson(request, response, 200, { token, userId: user })
        options.onIssued?.(user)
      },
      () => sendJson(request, response, 500, { error: 'could not sign a token' }),
    )
    return true
  }
}
