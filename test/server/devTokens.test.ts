import { describe, expect, it, vi } from 'vitest'
import { createRealtimeServer } from '../../src/server'
import { createDevTokenEndpoint } from '../../src/server/devTokens'
import { httpRequest, serveHandler } from '../support/http'
import { connectRaw } from '../support/rawClient'
import { onCleanup, quietLogger } from './harness'

const SECRET = 'dev-secret'

async function endpoint(onIssued?: (userId: string) => void) {
  const server = await serveHandler(
    createDevTokenEndpoint({ secret: SECRET, ...(onIssued ? { onIssued } : {}) }),
  )
  onCleanup(() => server.close())
  return server
}

describe('dev token endpoint', () => {
  it('answers GET /dev/token?user=<id> with a token the server accepts for that user', async () => {
    const onIssued = vi.fn()
    const http = await endpoint(onIssued)
    const result = await httpRequest(http.port, '/dev/token?user=bob')
    expect(result.status).toBe(200)
    expect(result.headers['content-type']).toMatch(/^application\/json/)
    expect(result.headers['cache-control']).toBe('no-store')
    const { token, userId } = JSON.parse(result.body) as { token: string; userId: string }
    expect(userId).toBe('bob')
    expect(onIssued).toHaveBeenCalledWith('bob')

    const server = await createRealtimeServer({
      port: 0,
      jwt: { secret: SECRET },
      logger: quietLogger(),
    })
    onCleanup(() => server.close())
    const client = await connectRaw(server.url)
    onCleanup(() => client.socket.terminate())
    expect((await client.authenticate(token)).data.userId).toBe('bob')
  })

  it('refuses an invalid user id with 400 and a hint', async () => {
    const http = await endpoint()
    for (const query of ['', '?user=', '?user=__proto__', `?user=${'x'.repeat(200)}`]) {
      const result = await httpRequest(http.port, `/dev/token${query}`)
      expect(result.status).toBe(400)
      expect(JSON.parse(result.body)).toEqual({ error: expect.stringMatching(/user=alice/) })
    }
  })

  it('allows loopback origins (the Vite dev server) and no others', async () => {
    const http = await endpoint()
    const local = await httpRequest(http.port, '/dev/token?user=eve', {
      headers: { origin: 'http://localhost:5173' },
    })
    expect(local.headers['access-control-allow-origin']).toBe('http://localhost:5173')
    const remote = await httpRequest(http.port, '/dev/token?user=eve', {
      headers: { origin: 'https://evil.example' },
    })
    expect(remote.status).toBe(200)
    expect(remote.headers['access-control-allow-origin']).toBeUndefined()

    const preflight = await httpRequest(http.port, '/dev/token?user=eve', {
      method: 'OPTIONS',
      headers: { origin: 'http://127.0.0.1:5173' },
    })
    expect(preflight.status).toBe(204)
    expect(preflight.headers['access-control-allow-origin']).toBe('http://127.0.0.1:5173')
  })

  it('leaves other paths alone and refuses other methods', async () => {
    const http = await endpoint()
    expect((await httpRequest(http.port, '/dev/tokens')).status).toBe(418)
    expect((await httpRequest(http.port, '/')).status).toBe(418)
    expect((await httpRequest(http.port, '/dev/token?user=a', { method: 'POST' })).status).toBe(405)
  })
})
