#!/usr/bin/env node
import { parseArgs } from 'node:util'
import { DEV_SECRET, startDevServer } from './devServer'
import { createRedisEngine } from './redis/engine'
import { signDevToken } from './tokens'

const USAGE = `Usage: redux-realtime-server [options]

Runs the redux-realtime reference server (history in memory, no setup; with --redis, one
of several processes sharing history and presence on Redis).

Options:
  --port <n>      port to listen on (default $PORT or 3000; 0 = any free port)
  --host <h>      interface to bind (default 127.0.0.1)
  --secret <s>    JWT secret (default $REALTIME_JWT_SECRET)
  --dev           use 'dev-secret' when no secret is given, print demo tokens, answer
                  GET /dev/token?user=<id> and push demo notifications, events and alerts
  --static <dir>  also serve the files in <dir> (e.g. examples/web/dist) on the same port
  --compression   offer permessage-deflate for frames of 1 KiB and more (default off;
                  --no-compression keeps it off)
  --redis <url>   keep history, idempotency keys and presence on Redis 7+ (redis:// or
                  rediss://), shared by every process started with the same URL; needs
                  ioredis installed (npm install ioredis)
  --redis-prefix <p>
                  prefix of the Redis keys (default rr:); one per deployment
  --help          show this help
`

const DEMO_USERS = ['alice', 'bob', 'eve']

function fail(message: string): never {
  process.stderr.write(`redux-realtime-server: ${message}\n`)
  process.exit(1)
}

function parseCli(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        secret: { type: 'string' },
        dev: { type: 'boolean', default: false },
        static: { type: 'string' },
        compression: { type: 'boolean', default: false },
        redis: { type: 'string' },
        'redis-prefix': { type: 'string' },
        help: { type: 'boolean', default: false },
      },
      strict: true,
      allowNegative: true,
    }).values
  } catch (error) {
    return fail(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`)
  }
}

async function main(argv: string[]): Promise<void> {
  const args = parseCli(argv)
  if (args.help) {
    process.stdout.write(USAGE)
    return
  }
  // An empty environment variable counts as unset.
  const portText = args.port ?? (process.env.PORT || '3000')
  const port = Number(portText)
  if (!/^\d+$/.test(portText) || port > 65535)
    fail(`--port must be a number from 0 to 65535, got "${portText}"`)
  const secret =
    args.secret ?? (process.env.REALTIME_JWT_SECRET || (args.dev ? DEV_SECRET : undefined))
  if (!secret) {
    fail(
      'no JWT secret: pass --secret <s>, set REALTIME_JWT_SECRET, or use --dev for a local dev secret',
    )
  }

  const redisUrl = args.redis
  if (redisUrl !== undefined && !/^rediss?:\/\/[^/?#]/.test(redisUrl))
    fail(`--redis must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379`)
  const prefix = args['redis-prefix']
  if (prefix !== undefined && redisUrl === undefined) fail('--redis-prefix needs --redis <url>')
  if (prefix !== undefined && /[{}]/.test(prefix)) fail('--redis-prefix must hold no { or }')
  const engine =
    redisUrl === undefined
      ? undefined
      : createRedisEngine({ url: redisUrl, ...(prefix !== undefined ? { prefix } : {}) })

  const server = await startDevServer({
    port,
    host: args.host ?? '127.0.0.1',
    secret,
    dev: args.dev,
    compression: args.compression,
    ...(engine ? { engine } : {}),
    ...(args.static !== undefined ? { staticDir: args.static } : {}),
  })
  const httpUrl = server.url.replace(/^ws:/, 'http:')
  process.stdout.write(`redux-realtime server listening on ${server.url} (epoch ${server.epoch})\n`)
  if (engine) process.stdout.write(`Engine: ${engine.name}\n`)
  if (args.static !== undefined) process.stdout.write(`Serving ${args.static} at ${httpUrl}/\n`)
  if (args.dev) {
    process.stdout.write(`Dev token endpoint: ${httpUrl}/dev/token?user=alice\n`)
    process.stdout.write(
      'Dev tokens (valid 24h, signed with the dev secret; never use them in production):\n',
    )
    for (const user of DEMO_USERS)
      process.stdout.write(`  ${user.padEnd(6)} ${await signDevToken(secret, user)}\n`)
  }

  const stop = (): void => {
    void server.close().then(() => process.exit(0))
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

main(process.argv.slice(2)).catch((error: unknown) =>
  fail(error instanceof Error ? error.message : String(error)),
)
