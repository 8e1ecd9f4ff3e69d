import { createServer as createHttpServer } from 'node:http'
import type { IncomingMessage, Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { WebSocket, WebSocketServer } from 'ws'
import { CloseCode, createId } from '../protocol'
import { createTokenVerifier } from './auth'
import type { ServerContext } from './clientFrames'
import { serveConnection } from './connection'
import { startHeartbeat } from './heartbeat'
import { resolveServerOptions } from './options'
import type { RealtimeServerOptions } from './options'
import { createRooms } from './rooms'

/** A running reference server. */
export interface RealtimeServer {
  /** e.g. 'ws://127.0.0.1:54321'. */
  readonly url: string
  readonly port: number
  /** Random per start; clients resume a room only with a cursor from the same epoch. */
  readonly epoch: string
  /** Closes every client with 1001 and the HTTP server. Safe to call more than once. */
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

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve((server.address() as AddressInfo).port)
    })
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
 * Starts the reference server: `ws` on an HTTP server, JWT auth in the first frame, rooms with
 * seq, replay on join and idempotent writes.
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
  const epoch = createId()
  const context: ServerContext = {
    options: resolved,
    epoch,
    rooms: createRooms({ history: resolved.history, epoch, maxFrameBytes: resolved.maxPayload }),
    verifyToken: createTokenVerifier(resolved.jwt),
  }
  const httpServer = createHttpServer((_request, response) => {
    response.writeHead(426, { 'content-type': 'text/plain', upgrade: 'websocket' })
    response.end('redux-realtime server: connect with a WebSocket\n')
  })
  const wss = new WebSocketServer({
    noServer: true,
    // Frames between maxPayload and twice it still get an error frame naming their id;
    // only past this hard cap does ws close with 1009.
    maxPayload: resolved.maxPayload * 2,
    perMessageDeflate: false,
  })
  const heartbeat = startHeartbeat(resolved.heartbeatIntervalMs, () => wss.clients)
  let shutdown: Promise<void> | undefined

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
    close() {
      shutdown ??= (async () => {
        heartbeat.stop()
        await closeSockets([...wss.clients])
        await new Promise<void>((resolve) => wss.close(() => resolve()))
        await new Promise<void>((resolve) => {
          httpServer.close(() => resolve())
          httpServer.closeAllConnections()
        })
      })()
      return shutdown
    },
  }
}
