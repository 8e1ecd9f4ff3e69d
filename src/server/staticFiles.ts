import { createReadStream } from 'node:fs'
import { realpath, stat } from 'node:fs/promises'
import type { ServerResponse } from 'node:http'
import { extname, join, resolve, sep } from 'node:path'
import type { HttpRequestHandler } from './serverOptions'

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
}

function sendText(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' })
  response.end(`${text}\n`)
}

/** The file a URL path names inside `root`, or undefined when it would leave it. */
function resolveInside(root: string, urlPath: string): string | undefined {
  let decoded: string
  try {
    decoded = decodeURIComponent(urlPath)
  } catch {
    return undefined
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined
  const file = resolve(root, `.${decoded}`)
  return file === root || file.startsWith(root + sep) ? file : undefined
}

async function findFile(root: string, file: string): Promise<string | undefined> {
  try {
    const info = await stat(file)
    const target = info.isDirectory() ? join(file, 'index.html') : file
    // Symlinks must not lead out of the root either.
    const real = await realpath(target)
    if (!real.startsWith(root + sep)) return undefined
    return (await stat(real)).isFile() ? real : undefined
  } catch {
    return undefined
  }
}

/**
 * Serves the files under `dir` for GET and HEAD, so one port serves the built app and its
 * WebSocket. Paths without an extension that name no file get `index.html` (client routing);
 * nothing outside `dir` is ever read.
 *
 * @example
 * createRealtimeServer({ jwt, httpHandler: await createStaticFiles('examples/web/dist') })
 */
export async function createStaticFiles(dir: string): Promise<HttpRequestHandler> {
  const root = await realpath(resolve(dir)).catch(() => {
    throw new TypeError(`static files: ${dir} is not a directory (build the app first?)`)
  })
  if (!(await stat(root)).isDirectory()) {
    throw new TypeError(`static files: ${dir} is not a directory (build the app first?)`)
  }

  const serve = async (method: string, urlPath: string, response: ServerResponse) => {
    const requested = resolveInside(root, urlPath)
    if (requested === undefined) return sendText(response, 400, 'bad path')
    let file = await findFile(root, requested)
    if (file === undefined && extname(requested) === '') {
      file = await findFile(root, join(root, 'index.html'))
    }
    if (file === undefined) return sendText(response, 404, 'not found')
    const extension = extname(file).toLowerCase()
    response.writeHead(200, {
      'content-type': CONTENT_TYPES[extension] ?? 'application/octet-stream',
      'x-content-type-options': 'nosniff',
      // Vite fingerprints what it puts in assets/; everything else may change between builds.
      'cache-control': urlPath.startsWith('/assets/')
        ? 'public, max-age=31536000, immutable'
        : 'no-cache',
    })
    if (method === 'HEAD') return void response.end()
    createReadStream(file)
      .on('error', () => response.destroy())
      .pipe(response)
  }

  return (request, response) => {
    const method = request.method ?? 'GET'
    if (method !== 'GET' && method !== 'HEAD') return false
    const urlPath = (request.url ?? '/').split('?')[0] ?? '/'
    if (!urlPath.startsWith('/')) return false
    serve(method, urlPath, response).catch(() => {
      if (!response.headersSent) sendText(response, 500, 'could not read the file')
      else response.destroy()
    })
    return true
  }
}
