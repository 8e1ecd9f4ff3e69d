/**
 * The reference server in a process of its own, so the compression benchmark reads the
 * server's memory without the clients'. Started by `compression.ts` with an IPC channel and
 * `COMPRESSION` (the option as JSON):
 * it sends `{ port }` once listening and answers `'measure'` with its `process.memoryUsage()`
 * (after `global.gc()` when run with `--expose-gc`).
 */
import { createRealtimeServer } from '../../src/server'
import type { CompressionOptions } from '../../src/server'
import { TEST_SECRET } from '../support/tokens'

/** `false` or the options, as JSON. */
const compression = JSON.parse(process.env.COMPRESSION ?? 'false') as false | CompressionOptions

const server = await createRealtimeServer({
  port: 0,
  jwt: { secret: TEST_SECRET },
  compression,
  rateLimit: false,
  maxConnectionsPerUser: 1000,
  heartbeatIntervalMs: 0,
  logger: { warn: () => undefined, error: (...args) => console.error(...args) },
})

const gc = (globalThis as { gc?: () => void }).gc

process.on('message', (message) => {
  if (message !== 'measure') return
  for (let i = 0; i < 3; i++) gc?.()
  process.send?.({ memory: process.memoryUsage(), gc: gc !== undefined })
})
process.on('disconnect', () => void server.close().then(() => process.exit(0)))
process.send?.({ port: server.port })
