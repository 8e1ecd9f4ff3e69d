import { createServer, request } from 'node:http'
import type { IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { HttpRequestHandler } from '../../src/server'

export interface HttpResult {
  status: number
  headers: IncomingHttpHeaders
  body: string
}

/**
 * One HTTP request with the path sent exactly as given (fetch would normalize `..` away).
 *
 * @example
 * const { status, body } = await httpRequest(port, '/dev/token?user=alice')
 */
export function httpRequest(
  port: number,
  path: string,
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.headers },
      (response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        )
        response.on('error', reject)
      },
    )
    req.on('error', reject)
    req.setTimeout(5000, () => req.destroy(new Error(`no answer to ${path} within 5 s`)))
    req.end()
  })
}

/**
 * A plain HTTP server on an ephemeral port running `handler` (418 for what it leaves).
 *
 * @example
 * const server = await serveHandler(createStaticFiles(dir))
 * await httpRequest(server.port, '/')
 * await server.close()
 */
export async function serveHandler(handler: HttpRequestHandler) {
  const server = createServer((req, res) => {
    if (handler(req, res)) return
    res.writeHead(418)
    res.end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
