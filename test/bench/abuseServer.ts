/**
 * The abuse benchmark's server, in its own process (forked by abuse.ts) so its heap and event
 * loop are measured apart from the clients'. Default limits. Talks over IPC:
 * → { type: 'ready', url } once listening; 'heap' (after a gc when --expose-gc) or 'heapNoGc' →
 * { type: 'heap', heapUsed, gc, warnings };
 * 'close' → closes and exits.
 */
import { createRealtimeServer } from '../../src/server'

export const BENCH_SECRET = 'bench-secret'

export type ServerReply =
  | { type: 'ready'; url: string }
  | { type: 'heap'; heapUsed: number; gc: boolean; warnings: Record<string, number> }

const gc = (globalThis as { gc?: () => void }).gc

/** Counts the server's warnings by kind instead of printing thousands of them. */
const warnings: Record<string, number> = {}
const count = (message: string) => {
  const kind = /dropped slow consumer/.test(message) ? 'slow consumer dropped' : 'other'
  warnings[kind] = (warnings[kind] ?? 0) + 1
}

async function main(): Promise<void> {
  const server = await createRealtimeServer({
    port: 0,
    jwt: { secret: BENCH_SECRET },
    logger: { warn: count, error: count },
  })
  const reply = (message: ServerReply) => process.send?.(message)
  process.on('message', (message) => {
    if (message === 'heap' || message === 'heapNoGc') {
      if (message === 'heap') gc?.()
      reply({ type: 'heap', heapUsed: process.memoryUsage().heapUsed, gc: !!gc, warnings })
    } else if (message === 'close') {
      void server.close().then(() => process.exit(0))
    }
  })
  reply({ type: 'ready', url: server.url })
}

if (process.send) void main()
