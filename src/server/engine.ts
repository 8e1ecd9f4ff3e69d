import type { StreamBroker } from './broker'
import type { DocumentBroker } from './collab/documentBroker'
import type { DocumentStore } from './collab/documentStore'
import type { ConnectionCap } from './connectionCap'
import type { EventBoardFactory } from './events'
import type { HistoryStore } from './historyStore'
import type { RealtimeServerLogger } from './serverOptions'
import type { PresenceEngine } from './presenceEngine'
import type { ReadReceipts } from './readReceipts'

/** Only the package makes engines: the type has a member no other code can name. */
declare const engineBrand: unique symbol

/**
 * What a server keeps outside its process, shared with the other processes of a deployment:
 * today each stream's history, idempotency keys and epoch, the live fan-out of other
 * processes' appends, and presence. Made by `createRedisEngine({ url })`; without an engine
 * the server keeps all of it in memory (one process, as `npm start` and the tests run it).
 *
 * Opaque on purpose: what an engine is made of (the history store, the stream broker, the
 * presence engine, and the seams still being added — collaborative documents, room signals,
 * the event board, connection caps) is still moving, so those interfaces stay internal instead
 * of becoming a contract users implement. The history store alone is public (`history`,
 * `HistoryStore`), for a single process keeping its history elsewhere.
 *
 * An engine serves one server: `createRealtimeServer` starts it (and rejects when it cannot,
 * e.g. Redis unreachable) and `server.close()` closes it after the server's sockets.
 *
 * @example
 * const server = await createRealtimeServer({ jwt, engine: createRedisEngine({ url: 'redis://127.0.0.1:6379' }) })
 */
export interface RealtimeEngine {
  /** Which engine, for logs, e.g. `'redis redis://127.0.0.1:6379 (keys rr:*)'`; no password. */
  readonly name: string
  readonly [engineBrand]: true
}

/**
 * What a started engine gives its server, one member per seam. A seam the engine does not
 * share is left out and the server uses its one-process default. Adding a seam (documents,
 * room signals, the event board, connection caps of issue 12) is one more optional member
 * here, read in `createServer.ts` as `parts.x ?? localX`, filled by `createRedisEngine`'s
 * `start`, and — while it also has an internal option of its own — passed into
 * `memoryEngine` by `resolveServerOptions` (and refused alongside `engine`, as `broker` is).
 */
export interface EngineParts {
  /** Each stream's seq, epoch, retained frames and idempotency keys. */
  history: HistoryStore
  /** How frames other processes append reach this one's members. Default: none (one process). */
  broker?: StreamBroker
  /** Per-user and per-room presence shared with other processes. Default: none. */
  presence?: PresenceEngine
  /**
   * Makes what holds each user to `maxConnectionsPerUser` (called once, with it); the server
   * closes it. Default: `createConnectionCap`, per process.
   */
  connectionCap?: (maxPerUser: number) => ConnectionCap
  /** Each room's highest read receipt per user. Default: in memory, per process. */
  receipts?: ReadReceipts
  /** Makes the event board (events, subscribers, reminders). Default: `createEventBoard`. */
  eventBoard?: EventBoardFactory
  /** Where collaborative documents are kept. Default: the server's `documents` option. */
  documents?: DocumentStore
  /** How updates other processes store reach this one's loaded documents. Default: none. */
  documentBroker?: DocumentBroker
}

/** What the server tells an engine it starts. */
export interface EngineStartContext {
  /** The server's `historySize`: frames kept per stream unless the engine was given its own. */
  historySize: number
  logger: RealtimeServerLogger
}

/** The inside of a `RealtimeEngine`. */
export interface EngineImplementation {
  readonly name: string
  /** Connects (once per engine) and resolves with its parts; rejects with what is wrong. */
  start(context: EngineStartContext): Promise<EngineParts>
  /** Withdraws, unsubscribes and disconnects; after the server's sockets closed. Safe to repeat. */
  close(): Promise<void>
}

const implementations = new WeakMap<RealtimeEngine, EngineImplementation>()

/** Wraps an implementation as the opaque engine users pass to `createRealtimeServer`. */
export function defineEngine(implementation: EngineImplementation): RealtimeEngine {
  const engine = Object.freeze({ name: implementation.name }) as RealtimeEngine
  implementations.set(engine, implementation)
  return engine
}

/** The implementation of an engine this package made; undefined for anything else. */
export function engineImplementation(engine: unknown): EngineImplementation | undefined {
  return typeof engine === 'object' && engine !== null
    ? implementations.get(engine as RealtimeEngine)
    : undefined
}

/**
 * The default: everything in this process (the memory history unless `history` names another
 * store). The internal `broker` / `presenceEngine` options come in here too, as they did
 * before the engine; closing it closes the presence engine, as the server did.
 */
export function memoryEngine(parts: EngineParts): EngineImplementation {
  return {
    name: 'memory',
    // An internal presence engine given alone (tests) is heard before the server listens.
    start: async () => {
      await parts.presence?.ready()
      return parts
    },
    close: () => parts.presence?.close() ?? Promise.resolve(),
  }
}
