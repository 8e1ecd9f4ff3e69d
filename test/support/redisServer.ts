import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { connect, createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll } from 'vitest'

/** Debian's package; `.ci/run` installs it (`apt-get install -y redis-server`). */
export const REDIS_SERVER_BINARY = '/usr/bin/redis-server'

/** How long a start waits for PING to answer, and a stop for the process to exit. */
const START_TIMEOUT_MS = 10_000
const STOP_TIMEOUT_MS = 5_000
const POLL_MS = 25
/** Bytes of redis-server output kept for the error message of a start that failed. */
const OUTPUT_KEPT = 4096

/** A `redis-server` child process for tests: persistence off, on a port of its own. */
export interface RedisServer {
  readonly port: number
  /** redis://127.0.0.1:port */
  readonly url: string
  /** Stops it (nothing survives: persistence is off) and starts a fresh one on the same port. */
  restart(): Promise<void>
  /** Starts a fresh one on the same port after `stop()`; nothing when it is running. */
  start(): Promise<void>
  /** `CLIENT PAUSE <ms> ALL`: every client's commands wait until the pause ends. */
  pause(ms: number): Promise<void>
  /** Sends one command on a connection of its own and resolves with the reply's first line. */
  command(...args: string[]): Promise<string>
  /** Stops the process (SIGTERM, then SIGKILL past 5 s) and resolves once it exited. Safe to repeat. */
  stop(): Promise<void>
}

/** A port nothing listens on now (the OS's next free one, released at once). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo
      server.close(() => resolve(port))
    })
  })
}

/** One RESP command on a fresh socket; resolves with the first reply line (`+PONG`, `-ERR …`). */
function sendCommand(port: number, args: readonly string[]): Promise<string> {
  const request =
    `*${args.length}\r\n` + args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join('')
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let reply = ''
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`redis-server on ${port}: no reply to ${args[0]} within 2 s`))
    }, 2000)
    socket.setEncoding('utf8')
    socket.once('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    socket.on('data', (chunk: string) => {
      reply += chunk
      const end = reply.indexOf('\r\n')
      if (end === -1) return
      clearTimeout(timer)
      socket.destroy()
      resolve(reply.slice(0, end))
    })
    socket.write(request)
  })
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => child.once('exit', () => resolve()))
}

async function stopProcess(child: ChildProcess): Promise<void> {
  const done = exited(child)
  child.kill('SIGTERM')
  const timedOut = await Promise.race([
    done.then(() => false),
    sleep(STOP_TIMEOUT_MS).then(() => true),
  ])
  if (timedOut) {
    child.kill('SIGKILL')
    await done
  }
}

async function spawnOn(port: number, extraArgs: readonly string[]): Promise<ChildProcess> {
  if (!existsSync(REDIS_SERVER_BINARY)) {
    throw new Error(
      `${REDIS_SERVER_BINARY} is missing: install it with \`apt-get install -y redis-server\` (.ci/run does) — the Redis tests need a real server`,
    )
  }
  const child = spawn(
    REDIS_SERVER_BINARY,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      ...extraArgs,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let output = ''
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_KEPT)
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  let failure: Error | undefined
  child.once('error', (error) => (failure = error))
  const deadline = Date.now() + START_TIMEOUT_MS
  for (;;) {
    if (failure) throw new Error(`redis-server did not start on ${port}: ${failure.message}`)
    if (child.exitCode !== null)
      throw new Error(`redis-server exited with ${child.exitCode} on port ${port}:\n${output}`)
    if ((await sendCommand(port, ['PING']).catch(() => '')) === '+PONG') return child
    if (Date.now() > deadline) {
      await stopProcess(child)
      throw new Error(`redis-server did not answer PING on ${port} within 10 s:\n${output}`)
    }
    await sleep(POLL_MS)
  }
}

/**
 * Starts `redis-server --port <free port> --save '' --appendonly no` (and `extraArgs`, e.g.
 * `['--rename-command', 'SSUBSCRIBE', '']`) and resolves once it answers PING. The caller
 * stops it; `useRedisServer()` does that in `afterAll`.
 *
 * @example
 * const redis = await startRedisServer()
 * await redis.restart() // same port, empty data set
 * await redis.stop()
 */
export async function startRedisServer(extraArgs: readonly string[] = []): Promise<RedisServer> {
  const port = await freePort()
  let child: ChildProcess | undefined = await spawnOn(port, extraArgs)
  const stop = async () => {
    const running = child
    child = undefined
    if (running) await stopProcess(running)
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async restart() {
      await stop()
      child = await spawnOn(port, extraArgs)
    },
    async start() {
      child ??= await spawnOn(port, extraArgs)
    },
    async pause(ms) {
      const reply = await sendCommand(port, ['CLIENT', 'PAUSE', String(ms), 'ALL'])
      if (reply !== '+OK') throw new Error(`CLIENT PAUSE ${ms}: ${reply}`)
    },
    command: (...args) => sendCommand(port, args),
    stop,
  }
}

/**
 * One `redis-server` for the test file: started in `beforeAll`, stopped in `afterAll`. Read
 * `.current` inside tests.
 *
 * @example
 * const redis = useRedisServer()
 * it('…', async () => { const client = new Redis(redis.current.url) })
 */
export function useRedisServer(): { readonly current: RedisServer } {
  let server: RedisServer | undefined
  beforeAll(async () => {
    server = await startRedisServer()
  })
  afterAll(async () => {
    await server?.stop()
  })
  return {
    get current() {
      if (!server) throw new Error('useRedisServer(): read .current inside a test, not at import')
      return server
    },
  }
}
