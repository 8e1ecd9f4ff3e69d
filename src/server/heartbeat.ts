import type { WebSocket } from 'ws'

/** WebSocket-level pings that drop connections which stopped answering. */
export interface Heartbeat {
  /** Starts watching a socket's pongs. */
  track(socket: WebSocket): void
  stop(): void
}

/**
 * Every `intervalMs`, terminates sockets that did not answer the previous ping and pings the
 * rest. A dead peer (cable pulled, blackholed NAT) is dropped within two intervals.
 *
 * @example
 * const heartbeat = startHeartbeat(30_000, () => wss.clients)
 * wss.on('connection', (socket) => heartbeat.track(socket))
 */
export function startHeartbeat(intervalMs: number, sockets: () => Iterable<WebSocket>): Heartbeat {
  const awaitingPong = new WeakSet<WebSocket>()
  const timer =
    intervalMs > 0
      ? setInterval(() => {
          for (const socket of sockets()) {
            if (awaitingPong.has(socket)) {
              socket.terminate()
              continue
            }
            awaitingPong.add(socket)
            socket.ping()
          }
        }, intervalMs)
      : undefined
  return {
    track(socket) {
      socket.on('pong', () => awaitingPong.delete(socket))
    },
    stop() {
      clearInterval(timer)
    },
  }
}
