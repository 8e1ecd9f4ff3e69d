import { defaultAuthorize } from './access'
import { createRealtimeServer } from './createServer'
import type { RealtimeServer } from './createServer'
import { startDemo } from './demo'
import type { Demo, DemoOptions } from './demo'
import { createDevTokenEndpoint } from './devTokens'
import type {
  Authorize,
  EngineOrHistory,
  HttpRequestHandler,
  RealtimeServerOptions,
  ServerOptionFields,
} from './serverOptions'
import { createStaticFiles } from './staticFiles'

/** The server's options (`engine` or `history`, not both) but `jwt` and `httpHandler`, and these. */
export type DevServerOptions = Omit<
  ServerOptionFields,
  'jwt' | 'httpHandler' | 'engine' | 'history'
> &
  EngineOrHistory &
  DevOnlyOptions

interface DevOnlyOptions {
  /** JWT secret (HS256); default 'dev-secret'. */
  secret?: string
  /** Dev mode: `GET /dev/token?user=<id>` and the demo traffic. Default true. */
  dev?: boolean
  /** Sample notifications, events and an alert in dev mode; `false` turns them off. Default on. */
  demo?: boolean | DemoOptions
  /** Also serve the files of this directory (the built example app) on the same port. */
  staticDir?: string
}

export const DEV_SECRET = 'dev-secret'

/** The demo user who may open and follow shared documents but not change them (dev mode). */
export const DEMO_VIEWER = 'viewer'

/**
 * Dev mode's `authorize` when none is given: the default rules, and `viewer` may only view
 * documents (so the example app can show a read-only document).
 */
function demoAuthorize(rooms: RealtimeServerOptions['rooms']): Authorize {
  const rules = defaultAuthorize(rooms)
  return (request) =>
    request.room === undefined && request.action === 'edit' && request.userId === DEMO_VIEWER
      ? false
      : rules(request)
}

function firstTaker(handlers: readonly HttpRequestHandler[]): HttpRequestHandler {
  return (request, response) => handlers.some((handle) => handle(request, response))
}

/**
 * The reference server as the CLI's `--dev` and `--static` run it (and the browser tests): one
 * port for the WebSocket, the dev token endpoint and the app's files. `close()` also stops
 * the demo.
 *
 * @example
 * const server = await startDevServer({ port: 3000, staticDir: 'examples/web/dist' })
 * // http://127.0.0.1:3000 serves the app; it fetches /dev/token?user=alice and connects
 */
export async function startDevServer(options: DevServerOptions = {}): Promise<RealtimeServer> {
  const { secret = DEV_SECRET, dev = true, demo: demoOption = true, staticDir, ...rest } = options
  let demo: Demo | undefined
  const handlers: HttpRequestHandler[] = []
  if (dev)
    handlers.push(createDevTokenEndpoint({ secret, onIssued: (user) => demo?.welcome(user) }))
  if (staticDir !== undefined) handlers.push(await createStaticFiles(staticDir))

  const server = await createRealtimeServer({
    ...rest,
    ...(dev && rest.authorize === undefined ? { authorize: demoAuthorize(rest.rooms) } : {}),
    jwt: { secret },
    ...(handlers.length > 0 ? { httpHandler: firstTaker(handlers) } : {}),
  })
  if (dev && demoOption !== false) {
    demo = startDemo(server, {
      ...(rest.logger ? { logger: rest.logger } : {}),
      ...(demoOption === true ? {} : demoOption),
    })
  }
  return {
    ...server,
    close() {
      demo?.stop()
      return server.close()
    },
  }
}
