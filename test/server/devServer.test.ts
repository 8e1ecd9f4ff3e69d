import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DEMO_VIEWER, startDevServer } from '../../src/server/devServer'
import type { DevServerOptions } from '../../src/server/devServer'
import { httpRequest } from '../support/http'
import { connectRaw } from '../support/rawClient'
import { openDoc } from './collabClient'
import { join as joinRoom, onCleanup, quietLogger } from './harness'

async function devServer(options: DevServerOptions = {}) {
  const server = await startDevServer({ port: 0, logger: quietLogger(), ...options })
  onCleanup(() => server.close())
  return server
}

function appDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dev-server-'))
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>demo</title>')
  onCleanup(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

async function tokenOf(port: number, user: string): Promise<string> {
  const { status, body } = await httpRequest(port, `/dev/token?user=${user}`)
  expect(status).toBe(200)
  return (JSON.parse(body) as { token: string }).token
}

describe('dev server', () => {
  it('serves the app, the dev token and the WebSocket on one port', async () => {
    const server = await devServer({ staticDir: appDir(), demo: false })
    expect((await httpRequest(server.port, '/')).body).toContain('<title>demo</title>')
    const token = await tokenOf(server.port, 'alice')
    const client = await connectRaw(server.url.replace(/\/?$/, '/ws'))
    onCleanup(() => client.socket.terminate())
    expect((await client.authenticate(token)).data.userId).toBe('alice')
  })

  it('welcomes a user with a notification when they first get a token', async () => {
    const server = await devServer({ demo: { maxRounds: 0 } })
    const token = await tokenOf(server.port, 'bob')
    await tokenOf(server.port, 'bob')
    const client = await connectRaw(server.url)
    onCleanup(() => client.socket.terminate())
    await client.authenticate(token)
    await joinRoom(client, 'user:bob')
    const replay = await client.nextOfType('batch')
    const titles = replay.data.frames
      .filter((frame) => frame.type === 'notification')
      .map((frame) => (frame.type === 'notification' ? frame.data.title : ''))
    expect(titles).toEqual(['Welcome, bob!'])
  })

  it('publishes the demo events to users who subscribe', async () => {
    const server = await devServer({ demo: { maxRounds: 0 } })
    const client = await connectRaw(server.url)
    onCleanup(() => client.socket.terminate())
    await client.authenticate(await tokenOf(server.port, 'eve'))
    await joinRoom(client, 'user:eve')
    client.sendFrame('subscribe', { data: { topic: 'events' } })
    const ids = new Set<string>()
    while (ids.size < 3) {
      const frame = await client.next((f) => f.type === 'event_update' || f.type === 'batch')
      const frames = frame.type === 'batch' ? frame.data.frames : [frame]
      for (const f of frames) if (f.type === 'event_update') ids.add(f.data.id)
    }
    expect([...ids].sort()).toEqual(['demo-launch', 'demo-review', 'demo-standup'])
  })

  it('lets the demo viewer only view documents; everyone else edits; an authorize given wins', async () => {
    const server = await devServer({ demo: false })
    const access = async (port: number, url: string, user: string) => {
      const client = await connectRaw(url)
      onCleanup(() => client.socket.terminate())
      await client.authenticate(await tokenOf(port, user))
      return (await openDoc(client, 'notes')).access
    }
    expect(await access(server.port, server.url, DEMO_VIEWER)).toBe('view')
    expect(await access(server.port, server.url, 'alice')).toBe('edit')
    const open = await devServer({ demo: false, authorize: () => true })
    expect(await access(open.port, open.url, DEMO_VIEWER)).toBe('edit')
  })

  it('has no token endpoint outside dev mode', async () => {
    const server = await devServer({ dev: false, secret: 'real-secret' })
    expect((await httpRequest(server.port, '/dev/token?user=alice')).status).toBe(426)
  })

  it('refuses a static directory that does not exist', async () => {
    await expect(startDevServer({ port: 0, staticDir: '/no/such/dist' })).rejects.toThrow(
      /build the app first/,
    )
  })
})
