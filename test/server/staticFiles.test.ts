import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createStaticFiles } from '../../src/server/staticFiles'
import { httpRequest, serveHandler } from '../support/http'

let dir: string
let port: number
let close: () => Promise<void>

beforeAll(async () => {
  const base = mkdtempSync(join(tmpdir(), 'static-files-'))
  dir = join(base, 'dist')
  mkdirSync(join(dir, 'assets'), { recursive: true })
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>app</title>')
  writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)')
  writeFileSync(join(dir, 'assets', 'index-abc123.css'), 'body{}')
  writeFileSync(join(dir, 'logo.svg'), '<svg/>')
  writeFileSync(join(base, 'secret.txt'), 'outside')
  symlinkSync(join(base, 'secret.txt'), join(dir, 'link.txt'))
  const server = await serveHandler(await createStaticFiles(dir))
  port = server.port
  close = async () => {
    await server.close()
    rmSync(base, { recursive: true, force: true })
  }
})
afterAll(() => close())

describe('static files', () => {
  it('serves index.html at / and files with their content types', async () => {
    const index = await httpRequest(port, '/')
    expect(index).toMatchObject({ status: 200, body: '<!doctype html><title>app</title>' })
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(index.headers['cache-control']).toBe('no-cache')

    const script = await httpRequest(port, '/assets/index-abc123.js?v=1')
    expect(script).toMatchObject({ status: 200, body: 'console.log(1)' })
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8')
    expect(script.headers['cache-control']).toMatch(/immutable/)
    expect(script.headers['x-content-type-options']).toBe('nosniff')
    expect((await httpRequest(port, '/assets/index-abc123.css')).headers['content-type']).toBe(
      'text/css; charset=utf-8',
    )
    expect((await httpRequest(port, '/logo.svg')).headers['content-type']).toBe('image/svg+xml')
  })

  it('answers HEAD without a body', async () => {
    const head = await httpRequest(port, '/logo.svg', { method: 'HEAD' })
    expect(head).toMatchObject({ status: 200, body: '' })
  })

  it('falls back to index.html for app routes, 404 for missing files', async () => {
    expect(await httpRequest(port, '/chat/general')).toMatchObject({
      status: 200,
      body: expect.stringContaining('<title>app</title>'),
    })
    expect((await httpRequest(port, '/assets/missing.js')).status).toBe(404)
  })

  it('never reads outside its directory', async () => {
    for (const path of [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/%2E%2E%2Fsecret.txt',
      '/..%5csecret.txt',
      '/%00index.html',
      '/%zz',
      '/link.txt',
    ]) {
      const result = await httpRequest(port, path)
      expect([400, 404], path).toContain(result.status)
      expect(result.body, path).not.toContain('outside')
    }
  })

  it('leaves other methods to the server', async () => {
    expect((await httpRequest(port, '/', { method: 'POST' })).status).toBe(418)
  })

  it('refuses a missing directory at once, naming it', async () => {
    await expect(createStaticFiles('/no/such/dir')).rejects.toThrow(/\/no\/such\/dir.*build/)
  })
})
