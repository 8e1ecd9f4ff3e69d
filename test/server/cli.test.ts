import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { httpRequest } from '../support/http'
import { connectRaw } from '../support/rawClient'
import { onCleanup } from './harness'

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
  })
})
