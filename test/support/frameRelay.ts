import { createServer } from 'node:http'
import type { IncomingMessage } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { WebSocket, WebSocketServer } from 'ws'
import type { RawData } from 'ws'
import { seededRandom } from './tcpProxy'

/**
 * Faults injected in one direction. WebSocket keeps order, so live messages are never held
 * back or reordered: a duplicate is the same message twice in a row, a replay is a stale copy
 * of an earlier message of the same connection sent right after a live one.
 */
export interface RelayFaults {
  /** Chance per live message of sending it twice. */
  duplicate: number
  /** Chance per live message of also sending a copy of one 0..`replayDepth` messages back. */
  replay: number
  replayDepth: number
  /**
   * Frame types (batches are looked into) never replayed. A stale copy of these cannot be told
   * from a fresh one under the protocol (an `error` naming a resent id, a `leave`), so no
   * client could survive it: that would test the relay, not the client.
   */
  neverReplay: readonly string[]
  /**
   * Frame types dropped outright (a lost frame). Inside a `batch` (the server packs acks with
   * the stream frames they answer) those frames are taken out and the rest forwarded; a batch
   * left empty is dropped. A `batch` listed here is dropped whole.
   */
  drop: readonly string[]
}

export type RelayDirection = 'toServer' | 'toClient'

/** What went one way, live and injected. */
export interface RelayDirectionStats {
  /** Live messages forwarded. */
  messages: number
  /** Live messages by frame type (`binary`, `unparsed` for what is not a JSON frame). */
  byType: Record<string, number>
  duplicated: number
  replayed: number
  /** Live messages dropped by `drop`. */
  dropped: number
  /** Injected copies (duplicates and replays) by frame type. */
  injectedByType: Record<string, number>
}

export interface RelayConnectionStats {
  /** 1, 2, … in the order clients connected. */
  id: number
  open: boolean
  /** How each side closed it, once closed (`1006` for an abrupt end). */
  closeCode?: number
  toServer: RelayDirectionStats
  toClient: RelayDirectionStats
}

export interface RelayStats {
  /** Client connections relayed (the upstream opened). */
  connections: number
  /** Client upgrades refused because the upstream could not be reached. */
  refused: number
  toServer: RelayDirectionStats
  toClient: RelayDirectionStats
}

/** One message as it crossed the relay. */
export interface RelayedMessage {
  connection: number
  direction: RelayDirection
  text: string
  /** Set for a copy the relay injected. */
  injected?: 'duplicate' | 'replay'
}

/** A WebSocket-level man in the middle: one upstream socket per client, text forwarded both ways. */
export interface FrameRelay {
  port: number
  /** ws://127.0.0.1:port */
  url: string
  /** Replaces the faults of the directions given; `false` turns a direction's faults off. */
  setFaults(faults: {
    toServer?: Partial<RelayFaults> | false
    toClient?: Partial<RelayFaults> | false
  }): void
  stats(): RelayStats
  /** Every connection so far, oldest first. */
  connections(): RelayConnectionStats[]
  /** Calls `listener` for every message forwarded or injected; returns the unsubscribe. */
  onMessage(listener: (message: RelayedMessage) => void): () => void
  /** Where new connections go. */
  setTarget(url: string): void
  /** Ends every relayed connection abruptly, both sides (no close handshake: 1006). */
  cutAll(): void
  close(): Promise<void>
}

export interface FrameRelayOptions {
  /** The server's URL, e.g. `server.url`. */
  target: string
  seed: number
  toServer?: Partial<RelayFaults>
  toClient?: Partial<RelayFaults>
}

const NO_FAULTS: RelayFaults = {
  duplicate: 0,
  replay: 0,
  replayDepth: 50,
  neverReplay: [],
  drop: [],
}
const DEFAULT_NEVER_REPLAY: Record<RelayDirection, readonly string[]> = {
  toClient: ['error', 'left'],
  toServer: ['leave', 'unsubscribe'],
}

function faultsFor(direction: RelayDirection, faults: Partial<RelayFaults> | false | undefined) {
  if (!faults) return { ...NO_FAULTS, neverReplay: DEFAULT_NEVER_REPLAY[direction] }
  return { ...NO_FAULTS, neverReplay: DEFAULT_NEVER_REPLAY[direction], ...faults }
}

function emptyDirection(): RelayDirectionStats {
  return { messages: 0, byType: {}, duplicated: 0, replayed: 0, dropped: 0, injectedByType: {} }
}

const bump = (counts: Record<string, number>, key: string) => {
  counts[key] = (counts[key] ?? 0) + 1
}

/** The frame's type and, for a batch, its frames' types. */
function typesOf(text: string): { type: string; inner: string[] } {
  try {
    const frame = JSON.parse(text) as { type?: unknown; data?: { frames?: unknown } }
    const type = typeof frame?.type === 'string' ? frame.type : 'unparsed'
    const frames = type === 'batch' && Array.isArray(frame.data?.frames) ? frame.data.frames : []
    const inner = frames.map((f: { type?: unknown }) => (typeof f?.type === 'string' ? f.type : ''))
    return { type, inner }
  } catch {
    return { type: 'unparsed', inner: [] }
  }
}

/** ws may send every code but these; 1005 (none) and 1006 (abnormal) are only ever received. */
function canSend(code: number): boolean {
  return (
    (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) ||
    (code >= 3000 && code <= 4999)
  )
}

/** Passes a close on: the same code and reason when it can be sent, else an abrupt end. */
function closeLike(socket: WebSocket, code: number, reason: Buffer): void {
  if (socket.readyState === WebSocket.CLOSED) return
  if (code === 1005) socket.close()
  else if (canSend(code)) socket.close(code, reason.toString().slice(0, 120))
  else socket.terminate()
}

/**
 * Starts a relay on 127.0.0.1 (port 0) in front of `target`. A client's upgrade completes only
 * once its upstream is open (a server that is down refuses the client, as it would directly);
 * subprotocol and `Origin` are passed on. Faults are seeded and switchable per direction.
 *
 * @example
 * const relay = await createFrameRelay({ target: server.url, seed: 1, toClient: { duplicate: 0.05 } })
 * const client = await connectRaw(relay.url)
 * relay.setFaults({ toClient: { replay: 0.02, replayDepth: 50 } })
 * relay.stats().toClient.replayed // copies injected so far
 */
export async function createFrameRelay(options: FrameRelayOptions): Promise<FrameRelay> {
  let target = options.target
  const random = seededRandom(options.seed)
  const faults: Record<RelayDirection, RelayFaults> = {
    toServer: faultsFor('toServer', options.toServer),
    toClient: faultsFor('toClient', options.toClient),
  }
  const totals = { connections: 0, refused: 0 }
  const all: RelayConnectionStats[] = []
  const live = new Set<{ client: WebSocket; upstream: WebSocket }>()
  const pendingUpgrades = new Set<{ socket: Socket; upstream: WebSocket }>()
  const listeners = new Set<(message: RelayedMessage) => void>()
  const protocolOf = new WeakMap<IncomingMessage, string>()

  const notify = (message: RelayedMessage) => {
    for (const listener of listeners) listener(message)
  }

  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: 64 * 1024 * 1024,
    handleProtocols: (_offered, request) => protocolOf.get(request) ?? false,
  })

  /** One direction of one connection: forwards live messages and injects the faults. */
  function createLane(
    connection: RelayConnectionStats,
    direction: RelayDirection,
    to: WebSocket,
  ): (data: RawData, isBinary: boolean) => void {
    const stats = connection[direction]
    const recent: Array<{ text: string; type: string }> = []
    const inject = (text: string, type: string, kind: 'duplicate' | 'replay') => {
      if (to.readyState !== WebSocket.OPEN) return
      to.send(text)
      if (kind === 'duplicate') stats.duplicated += 1
      else stats.replayed += 1
      bump(stats.injectedByType, type)
      notify({ connection: connection.id, direction, text, injected: kind })
    }
    return (data, isBinary) => {
      if (to.readyState !== WebSocket.OPEN) return
      stats.messages += 1
      if (isBinary) {
        bump(stats.byType, 'binary')
        return to.send(data, { binary: true })
      }
      let text = Buffer.isBuffer(data)
        ? data.toString('utf8')
        : Buffer.from(data as ArrayBuffer).toString('utf8')
      const { type, inner } = typesOf(text)
      bump(stats.byType, type)
      const plan = faults[direction]
      if (plan.drop.includes(type)) {
        stats.dropped += 1
        return
      }
      if (inner.some((t) => plan.drop.includes(t))) {
        stats.dropped += 1
        const batch = JSON.parse(text) as { data: { frames: Array<{ type?: unknown }> } }
        const kept = batch.data.frames.filter((f) => !plan.drop.includes(f.type as string))
        if (kept.length === 0) return
        text = JSON.stringify({ ...batch, data: { ...batch.data, frames: kept } })
      }
      to.send(text)
      notify({ connection: connection.id, direction, text })
      if (plan.duplicate > 0 && random() < plan.duplicate) inject(text, type, 'duplicate')
      const replayable = ![type, ...inner].some((t) => plan.neverReplay.includes(t))
      if (replayable) {
        recent.push({ text, type })
        if (recent.length > plan.replayDepth + 1) recent.shift()
      }
      if (plan.replay > 0 && recent.length > 0 && random() < plan.replay) {
        const back = Math.floor(random() * recent.length)
        const stale = recent[recent.length - 1 - back] as { text: string; type: string }
        inject(stale.text, stale.type, 'replay')
      }
    }
  }

  function relay(client: WebSocket, upstream: WebSocket, early: RawData[]): void {
    totals.connections += 1
    const connection: RelayConnectionStats = {
      id: all.length + 1,
      open: true,
      toServer: emptyDirection(),
      toClient: emptyDirection(),
    }
    all.push(connection)
    const pair = { client, upstream }
    live.add(pair)
    const toClient = createLane(connection, 'toClient', client)
    const toServer = createLane(connection, 'toServer', upstream)
    upstream.removeAllListeners('message')
    for (const data of early) toClient(data, false)
    upstream.on('message', toClient)
    client.on('message', toServer)
    const ended = (other: WebSocket) => (code: number, reason: Buffer) => {
      live.delete(pair)
      if (connection.open) {
        connection.open = false
        connection.closeCode = code
      }
      closeLike(other, code, reason)
    }
    client.once('close', ended(upstream))
    upstream.once('close', ended(client))
    client.on('error', () => undefined)
  }

  const http = createServer((_request, response) => {
    response.writeHead(426).end()
  })
  http.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => {
    socket.on('error', () => undefined)
    const offered = request.headers['sec-websocket-protocol']
    const protocols = offered ? offered.split(',').map((p) => p.trim()) : []
    const origin = request.headers.origin
    const upstream = new WebSocket(target, protocols, {
      perMessageDeflate: false,
      maxPayload: 64 * 1024 * 1024,
      ...(origin ? { origin } : {}),
    })
    const pending = { socket, upstream }
    pendingUpgrades.add(pending)
    const early: RawData[] = []
    upstream.on('message', (data: RawData) => early.push(data))
    upstream.on('error', () => undefined)
    const refuse = () => {
      if (!pendingUpgrades.delete(pending)) return
      totals.refused += 1
      socket.destroy()
    }
    upstream.once('unexpected-response', (_req, response) => {
      response.resume()
      upstream.terminate()
      refuse()
    })
    upstream.once('close', refuse)
    socket.once('close', () => {
      if (pendingUpgrades.delete(pending)) upstream.terminate()
    })
    upstream.once('open', () => {
      if (!pendingUpgrades.delete(pending)) return upstream.terminate()
      upstream.removeListener('close', refuse)
      if (upstream.protocol) protocolOf.set(request, upstream.protocol)
      wss.handleUpgrade(request, socket, head, (client) => relay(client, upstream, early))
    })
  })

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject)
    http.listen(0, '127.0.0.1', () => resolve())
  })
  const port = (http.address() as AddressInfo).port

  const sum = (direction: RelayDirection): RelayDirectionStats => {
    const total = emptyDirection()
    for (const connection of all) {
      const part = connection[direction]
      total.messages += part.messages
      total.duplicated += part.duplicated
      total.dropped += part.dropped
      total.replayed += part.replayed
      for (const [type, n] of Object.entries(part.byType))
        total.byType[type] = (total.byType[type] ?? 0) + n
      for (const [type, n] of Object.entries(part.injectedByType))
        total.injectedByType[type] = (total.injectedByType[type] ?? 0) + n
    }
    return total
  }

  const cutAll = (): void => {
    for (const { client, upstream } of [...live]) {
      client.terminate()
      upstream.terminate()
    }
    for (const { socket, upstream } of [...pendingUpgrades]) {
      socket.destroy()
      upstream.terminate()
    }
  }

  return {
    port,
    url: `ws://127.0.0.1:${port}`,
    setFaults(next) {
      if (next.toServer !== undefined) faults.toServer = faultsFor('toServer', next.toServer)
      if (next.toClient !== undefined) faults.toClient = faultsFor('toClient', next.toClient)
    },
    stats: () => ({ ...totals, toServer: sum('toServer'), toClient: sum('toClient') }),
    connections: () => all.map((c) => structuredClone(c)),
    onMessage(listener) {
      listeners.add(listener)
      return () => {
        listeners.delete(listener)
      }
    },
    setTarget(url) {
      target = url
    },
    cutAll,
    close() {
      cutAll()
      return new Promise<void>((resolve) => {
        wss.close()
        http.close(() => resolve())
        http.closeAllConnections()
      })
    },
  }
}
