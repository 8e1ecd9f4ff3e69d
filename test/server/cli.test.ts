import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createId } from '../../src/protocol'
import { httpRequest } from '../support/http'
import { connectRaw } from '../support/rawClient'
import type { RawClient } from '../support/rawClient'
import { useRedisServer } from '../support/redisServer'
import { TEST_SECRET } from '../support/tokens'
import { connectAs, framesOf, join as joinRoom, onCleanup } from './harness'

const CLI = ['--import', 'tsx', 'src/server/cli.ts']

function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [...CLI, ...args], {
    env: { ...process.env, PORT: '', REALTIME_JWT_SECRET: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  )
  onCleanup(() => child.exitCode === null && child.kill('SIGKILL'))
  return { child, exited, output: () => ({ stdout, stderr }) }
}

async function waitForOutput(
  read: () => string,
  pattern: RegExp,
  child: ChildProcess,
): Promise<RegExpMatchArray> {
  const deadline = Date.now() + 15_000
  for (;;) {
    const match = read().match(pattern)
    if (match) return match
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`no ${pattern} in: ${read()}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

describe('redux-realtime-server CLI', () => {
  it('starts with --dev, prints the url and a token per demo user, and exits 0 on SIGTERM', async () => {
    const cli = run(['--dev', '--port', '0'])
    const read = () => cli.output().stdout
    const [, url] = await waitForOutput(
      read,
      /listening on (ws:\/\/127\.0\.0\.1:\d+) \(epoch \S+\)/,
      cli.child,
    )
    const [, token] = await waitForOutput(read, /^ {2}eve +(\S+)$/m, cli.child)
    expect(read()).toMatch(/^ {2}alice {2}\S+$/m)
    expect(read()).toMatch(/^ {2}bob +\S+$/m)
    expect(read()).toMatch(/dev tokens/i)

    const client = await connectRaw(url as string)
    expect((await client.authenticate(token as string)).data.userId).toBe('eve')
    cli.child.kill('SIGTERM')
    expect((await client.closed).code).toBe(1001)
    expect(await cli.exited).toBe(0)
  })

  it('with --dev --static serves the files and dev tokens on the WebSocket port', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-static-'))
    onCleanup(() => rmSync(dir, { recursive: true, force: true }))
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>cli</title>')
    const cli = run(['--dev', '--port', '0', '--static', dir])
    const read = () => cli.output().stdout
    const [, port] = await waitForOutput(read, /listening on ws:\/\/127\.0\.0\.1:(\d+)/, cli.child)
    await waitForOutput(read, /Serving .* at http:\/\/127\.0\.0\.1:\d+\//, cli.child)
    expect((await httpRequest(Number(port), '/')).body).toContain('<title>cli</title>')
    const { body } = await httpRequest(Number(port), '/dev/token?user=eve')
    const client = await connectRaw(`ws://127.0.0.1:${port}`)
    onCleanup(() => client.socket.terminate())
    const { token } = JSON.parse(body) as { token: string }
    expect((await client.authenticate(token)).data.userId).toBe('eve')
    cli.child.kill('SIGINT')
    expect(await cli.exited).toBe(0)
  })

  it('offers permessage-deflate with --compression, and not with --no-compression', async () => {
    for (const [flag, extensions] of [
      ['--compression', 'permessage-deflate'],
      ['--no-compression', ''],
    ] as const) {
      const cli = run(['--secret', 's', '--port', '0', flag])
      const [, url] = await waitForOutput(
        () => cli.output().stdout,
        /listening on (ws:\/\/127\.0\.0\.1:\d+)/,
        cli.child,
      )
      const client = await connectRaw(url as string)
      onCleanup(() => client.socket.terminate())
      expect(client.socket.extensions).toBe(extensions)
      cli.child.kill('SIGTERM')
      expect(await cli.exited).toBe(0)
    }
  })

  it('refuses to start without a secret unless --dev is given', async () => {
    const cli = run(['--port', '0'])
    expect(await cli.exited).toBe(1)
    expect(cli.output().stderr).toMatch(/--secret/)
  })

  it('prints usage with --help', async () => {
    const cli = run(['--help'])
    expect(await cli.exited).toBe(0)
    expect(cli.output().stdout).toMatch(/Usage: redux-realtime-server/)
    expect(cli.output().stdout).toMatch(/--redis <url>/)
  })
})

const redisServer = useRedisServer()

describe('redux-realtime-server --redis', () => {
  /** A CLI process on the test's Redis; resolves with its WebSocket URL once it listens. */
  async function onRedis(prefix: string) {
    const cli = run([
      '--secret',
      TEST_SECRET,
      '--port',
      '0',
      '--redis',
      redisServer.current.url,
      '--redis-prefix',
      prefix,
    ])
    const read = () => cli.output().stdout
    const [, url] = await waitForOutput(read, /listening on (ws:\/\/127\.0\.0\.1:\d+)/, cli.child)
    await waitForOutput(
      read,
      /^Engine: redis redis:\/\/127\.0\.0\.1:\d+\/? \(keys t[\w-]+:\*\)$/m,
      cli.child,
    )
    return { ...cli, url: url as string }
  }

  it("two processes on one Redis serve one room: each sees the other's messages, seq continuous", async () => {
    const prefix = `t${createId(8)}:`
    const a = await onRedis(prefix)
    const b = await onRedis(prefix)
    const alice = await connectAs(a.url, 'alice')
    const bob = await connectAs(b.url, 'bob')
    await joinRoom(alice, 'general')
    await joinRoom(bob, 'general')
    const say = async (client: RawClient, content: string) => {
      const sent = client.sendFrame('chat_message', { room: 'general', data: { content } })
      return (await client.nextOfType('ack', (frame) => frame.data.refId === sent.id)).data.seq
    }
    const seqs = []
    for (let i = 0; i < 5; i++) {
      seqs.push(await say(alice, `a${i}`))
      seqs.push(await say(bob, `b${i}`))
    }
    expect(seqs).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    const expected = Array.from({ length: 5 }, (_, i) => [`a${i}`, `b${i}`])
      .flat()
      .map((content, i) => `${content}@${i + 1}`)
      .join(' ')
    const chats = (client: RawClient) =>
      framesOf(client, 'chat_message')
        .map((frame) => `${frame.data.content}@${frame.seq}`)
        .join(' ')
    for (const client of [alice, bob]) {
      const deadline = Date.now() + 10_000
      while (chats(client) !== expected && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20))
      expect(chats(client)).toBe(expected)
    }
    a.child.kill('SIGTERM')
    b.child.kill('SIGTERM')
    expect(await a.exited).toBe(0)
    expect(await b.exited).toBe(0)
  })

  it('refuses a --redis that is not a redis:// URL, and --redis-prefix alone', async () => {
    const bad = run(['--secret', 's', '--redis', 'http://127.0.0.1:6379'])
    expect(await bad.exited).toBe(1)
    expect(bad.output().stderr).toMatch(/--redis must be a redis:\/\/ or rediss:\/\/ URL/)
    const alone = run(['--secret', 's', '--redis-prefix', 'x:'])
    expect(await alone.exited).toBe(1)
    expect(alone.output().stderr).toMatch(/--redis-prefix needs --redis <url>/)
  })
})
