/**
 * A reference server in a process of its own (forked, `--import tsx`), on the public Redis
 * engine (`createRedisEngine`: history, fan-out, presence, documents, …): what one process of
 * a scale-out deployment is. Tests start several on one Redis and kill them for real
 * (`SIGKILL`), which no in-process server can show.
 *
 * argv: `<redis url> <key prefix> <port>` (port 0: a free one). Loopback, `TEST_SECRET`, rate
 * limit off, history of `PROCESS_HISTORY_SIZE` per stream.
 * IPC: → `{ type: 'ready', url, port }`; `'close'` → closes the server (and so its engine),
 * exits 0.
 */
import { fork } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { TEST_SECRET } from './tokens'

/** Frames kept per stream: more than any test sends, so every message stays readable. */
export const PROCESS_HISTORY_SIZE = 20_000
const START_TIMEOUT_MS = 20_000
const STOP_TIMEOUT_MS = 10_000

export interface ServerProcess {
  readonly url: string
  readonly port: number
  readonly pid: number
  /** `SIGKILL`: no close, no goodbye frames; resolves once the process is gone. */
  kill(): Promise<void>
  /** Closes the server (clients get its close frames) and resolves once the process exited. */
  close(): Promise<void>
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => child.once('exit', () => resolve()))
}

/**
 * Forks one server process on `redisUrl` with keys under `prefix`; resolves once it listens.
 *
 * @example
 * const a = await startServerProcess(redis.url, 'rr:')
 * await a.kill() // the process dies on the spot
 */
export function startServerProcess(
  redisUrl: string,
  prefix: string,
  port = 0,
): Promise<ServerProcess> {
  const child = fork(fileURLToPath(import.meta.url), [redisUrl, prefix, String(port)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`server process on ${redisUrl} did not report ready within 20 s`))
    }, START_TIMEOUT_MS)
    child.once('error', reject)
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      reject(new Error(`server process exited before ready (code ${code}, signal ${signal})`))
    })
    child.on('message', (message: { type?: string; url?: string; port?: number }) => {
      if (message.type !== 'ready' || message.url === undefined || message.port === undefined)
        return
      clearTimeout(timer)
      child.removeAllListeners('exit')
      const url = message.url
      resolve({
        url,
        port: message.port,
        pid: child.pid ?? 0,
        async kill() {
          const done = exited(child)
          child.kill('SIGKILL')
          await done
        },
        async close() {
          const done = exited(child)
          if (child.connected) child.send('close')
          else child.kill('SIGKILL')
          const late = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS)
          await done
          clearTimeout(late)
        },
      })
    })
  })
}

async function main(redisUrl: string, prefix: string, port: number): Promise<void> {
  const { createRealtimeServer, createRedisEngine } = await import('../../src/server')
  const server = await createRealtimeServer({
    port,
    host: '127.0.0.1',
    jwt: { secret: TEST_SECRET },
    rateLimit: false,
    logger: { warn: () => undefined, error: () => undefined },
    engine: createRedisEngine({ url: redisUrl, prefix, historySize: PROCESS_HISTORY_SIZE }),
  })
  process.on('message', (message) => {
    if (message !== 'close') return
    void server.close().finally(() => process.exit(0))
  })
  // The test process is gone without closing this one: do not outlive it.
  process.on('disconnect', () => process.exit(0))
  process.send?.({ type: 'ready', url: server.url, port: server.port })
}

const [redisUrl, prefix, port] = process.argv.slice(2)
if (process.send && redisUrl !== undefined && prefix !== undefined && port !== undefined)
  void main(redisUrl, prefix, Number(port))
