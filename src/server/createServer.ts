import { createServer as createHttpServer } from 'node:http'
import type { IncomingMessage, Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { WebSocket, WebSocketServer } from 'ws'
import type { PerMessageDeflateOptions } from 'ws'
import { CloseCode, createId } from '../protocol'
import type { EventData } from '../protocol'
import { createTokenVerifier } from './auth'
import type { ServerContext } from './context'
import { createDocuments } from './collab/documents'
import { createConnectionCap } from './connectionCap'
import { serveConnection } from './connection'
import { createEventBoard } from './events'
import type { EventInput } from './events'
import type { EngineImplementation, EngineParts } from './engine'
import { startHeartbeat } from './heartbeat'
import { resolveServerOptions } from './options'
import type {
  CompressionOptions,
  RealtimeServerOptions,
  ResolvedServerOptions,
} from './serverOptions'
import { createPresence } from './presence'
import { createReadReceipts } from './readReceipts'
import { createServerPush } from './push'
import type { NotificationInput, SystemAlertInput } from './push'
import { createRooms } from './rooms'
import { createServerWrites } from './serverWrites'
import { timedHistory } from './storeCalls'

/** A running reference server. */
export interface RealtimeServer {
  /** e.g. 'ws://127.0.0.1:54321'. */
  readonly url: string
  readonly port: number
  /**
   * This server's instance id, random per start, sent as `auth_ok.epoch`. It is also the epoch
   * of every stream whose history store names none (the in-memory default), so there a cursor
   * resumes only on the server start that gave it. A store that keeps each stream's epoch
   * (one that outlives the process) sends that one in `joined` instead.
   */
  readonly epoch: string
  /**
   * Appends a notification to the user's private stream, online or not (an offline user gets it
   * once, in the replay of their next join). Returns its id. Throws a `TypeError` naming the
   * field when the notification is not one clients accept. While the history store fails it
   * waits in the server's queue (in order per user, retried with backoff) and is stored once it
   * is back; with 10,000 waiting, new ones are refused and logged (not thrown).
   *
   * @example
   * const id = server.notify('alice', { title: 'Build finished', severity: 'info', link: '/builds/42' })
   */
  notify(userId: string, notification: NotificationInput): string
  /**
   * Sends a `system_alert` to every authenticated connection now. Nothing is stored.
   *
   * @example
   * server.systemAlert({ message: 'Maintenance at 22:00 UTC', severity: 'warning' })
   */
  systemAlert(alert: SystemAlertInput): void
  /**
   * Creates or updates an event by id (`status: 'cancelled'` cancels it), appends it to the
   * private stream of every user subscribed to events, and (re)arms its reminders: at each
   * future `remindAt`, every subscriber gets an 'event_reminder' notification.
   *
   * @example
   * server.publishEvent({ id: 'standup', title: 'Standup', startsAt, remindAt: [startsAt - 600_000] })
   */
  publishEvent(event: EventInput): EventData
  /**
   * Closes every client with 1001, the HTTP server, the reminder timers, and then the engine
   * (`engine`: withdraws this process's presence, disconnects from Redis). Notifications and
   * event updates still waiting for a failed store get 5 s first; what is left is logged.
   * Safe to repeat.
   */
  close(): Promise<void>
}

/** After this, clients that did not finish the close handshake are cut off. */
const CLOSE_GRACE_MS = 1000

function refuseUpgrade(socket: Socket, status: number, text: string): void {
  socket.once('finish', () => socket.destroy())
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
}

function originAllowed(
  allowed: ReadonlySet<string> | undefined,
  request: IncomingMessage,
): boolean {
  if (!allowed) return true
  const origin = request.headers.origin
  return origin !== undefined && allowed.has(origin)
}

/**
 * `ws`'s permessage-deflate settings for the resolved option. No context takeover either way:
 * no window is kept between messages, so memory does not grow with each compressed connection.
 */
function perMessageDeflate(
  compression: Required<CompressionOptions> | false,
): PerMessageDeflateOptions | false {
  if (!compression) return false
  return {
    threshold: compression.threshold,
    concurrencyLimit: compression.concurrencyLimit,
    serverNoContextTakeover: true,
    clientNoContextTakeover: true,
    serverMaxWindowBits: compression.windowBits,
    zlibDeflateOptions: { level: compression.level, memLevel: compression.memLevel },
  }
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve((server.address() as AddressInfo).port)
    })
  })
}

/** Closes the engine, logging (never throwing) what fails: the server is down either way. */
async function closeEngine(
  engine: EngineImplementation,
  logger: { error(message: string, ...details: unknown[]): void },
): Promise<void> {
  await engine.close().catch((error: unknown) => {
    logger.error(`redux-realtime server: closing the ${engine.name} engine failed`, error)
  })
}

function closeSockets(sockets: WebSocket[]): Promise<void> {
  const closed = sockets.map(
    (socket) =>
      new Promise<void>((resolve) => {
        if (socket.readyState === WebSocket.CLOSED) resolve()
        else socket.once('close', () => resolve())
      }),
  )
  for (const socket of sockets) socket.close(CloseCode.GOING_AWAY, 'server shutting down')
  const grace = setTimeout(() => sockets.forEach((socket) => socket.terminate()), CLOSE_GRACE_MS)
  return Promise.all(closed).then(() => clearTimeout(grace))
}

/**
 * Starts the reference server: `ws` on an HTTP server, JWT auth in the first frame, rooms and
 * per-user private streams (`user:<id>`: direct messages, notifications, event updates) with
 * seq, replay on join and idempotent writes; typing, read receipts and presence on the side.
 *
 * @example
 * const server = await createRealtimeServer({ port: 0, jwt: { secret: 'dev-secret' } })
 * console.log(server.url) // ws://127.0.0.1:54321
 * await server.close()
 */
export async function createRealtimeServer(
  options: RealtimeServerOptions,
): Promise<RealtimeServer> {
  const resolved = resolveServerOptions(options)
  const { logger, engine } = resolved
  // Rejects when the engine cannot start (Redis unreachable): nothing listens yet.
  const parts = await engine.start({ historySize: resolved.historySize, logger })
  try {
    return await startServer(resolved, parts)
  } catch (error) {
    await closeEngine(engine, logger)
    throw error
  }
}

async function startServer(
  resolved: ResolvedServerOptions,
  parts: EngineParts,
): Promise<RealtimeServer> {
  const { logger, engine } = resolved
  const epoch = createId()
  // Every history call is timed: a store that fails or hangs refuses writes, never wedges a room.
  const history = timedHistory(parts.history, resolved.historyStoreTimeoutMs)
  const rooms = createRooms({
    history,
    epoch,
    ...(parts.broker ? { broker: parts.broker } : {}),
    onError: (message, error) => logger.error(message, error),
  })
  const presence = createPresence(rooms, {
    ...(parts.presence ? { engine: parts.presence } : {}),
    onError: (message, error) => logger.error(message, error),
  })
  // Notifications, event updates and reminders: queued per stream, retried until stored.
  const writes = createServerWrites({ rooms, logger, ...resolved.serverWrites })
  const push = createServerPush({ writes, presence })
  const events = (parts.eventBoard ?? createEventBoard)({
    append: (stream, frame) => writes.append(stream, frame),
    notify: (userId, notification) => push.notify(userId, notification),
  })
  const context: ServerContext = {
    options: resolved,
    epoch,
    rooms,
    verifyToken: createTokenVerifier(resolved.jwt),
    presence,
    receipts: parts.receipts ?? createReadReceipts(),
    events,
    connectionCap: (parts.connectionCap ?? createConnectionCap)(resolved.maxConnectionsPerUser),
    documents: createDocuments({
      ...resolved,
      documents: parts.documents ?? resolved.documents,
      documentBroker: parts.documentBroker ?? resolved.documentBroker,
    }),
  }
  const httpServer = createHttpServer((request, response) => {
    try {
      if (resolved.httpHandler?.(request, response)) return
    } catch (error) {
      resolved.logger.error('redux-realtime server: httpHandler threw', error)
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' })
      response.end()
      return
    }
    response.writeHead(426, { 'content-type': 'text/plain', upgrade: 'websocket' })
    response.end('redux-realtime server: connect with a WebSocket\n')
  })
  const wss = new WebSocketServer({
    noServer: true,
    // Frames between maxPayload and twice it still get an error frame naming their id;
    // only past this hard cap does ws close with 1009 (a compressed frame: once inflated).
    maxPayload: resolved.maxPayload * 2,
    perMessageDeflate: perMessageDeflate(resolved.compression),
  })
  const heartbeat = startHeartbeat(resolved.heartbeatIntervalMs, () => wss.clients)
  let shutdown: Promise<void> | undefined
  const whileOpen = (method: string): void => {
    if (shutdown) throw new Error(`server.${method}: the server is closed`)
  }

  httpServer.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => {
    socket.on('error', () => undefined)
    if (shutdown) return refuseUpgrade(socket, 503, 'Service Unavailable')
    if (!originAllowed(resolved.allowedOrigins, request))
      return refuseUpgrade(socket, 403, 'Forbidden')
    wss.handleUpgrade(request, socket, head, (client) => {
      if (shutdown) return client.close(CloseCode.GOING_AWAY, 'server shutting down')
      heartbeat.track(client)
      serveConnection(client, context)
    })
  })
  httpServer.on('error', (error) =>
    resolved.logger.error('redux-realtime server: HTTP server error', error),
  )

  const port = await listen(httpServer, resolved.port, resolved.host)
  const host = resolved.host.includes(':') ? `[${resolved.host}]` : resolved.host

  return {
    url: `ws://${host}:${port}`,
    port,
    epoch,
    notify(userId, notification) {
      whileOpen('notify')
      return push.notify(userId, notification)
    },
    systemAlert(alert) {
      whileOpen('systemAlert')
      push.systemAlert(alert)
    },
    publishEvent(event) {
      whileOpen('publishEvent')
      return events.publish(event)
    },
    close() {
      shutdown ??= (async () => {
        heartbeat.stop()
        await events.close()
        // While members are still connected and the store still open: they get them live.
        await writes.close()
        await closeSockets([...wss.clients])
        await context.connectionCap.close?.()
        context.documents.close()
        await new Promise<void>((resolve) => wss.close(() => resolve()))
        await new Promise<void>((resolve) => {
          httpServer.close(() => resolve())
          httpServer.closeAllConnections()
        })
        await closeEngine(engine, logger)
      })()
      return shutdown
    },
  }
}
