import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core'
import { expect } from 'vitest'
import type { Frame } from '../../../src/protocol'
import { signDevToken, type RealtimeServer } from '../../../src/server'
import { startDevServer } from '../../../src/server/devServer'
import { connectRaw } from '../../support/rawClient'
import type { DevServerOptions } from '../../../src/server/devServer'

const root = fileURLToPath(new URL('../../..', import.meta.url))
export const CHROMIUM = '/usr/bin/chromium'

const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Pages served offline by `serveAppOffline` (route.fulfill) count as public to Chromium, which
  // then blocks their socket to 127.0.0.1; an installed app on localhost is not blocked.
  '--disable-features=LocalNetworkAccessChecks',
]

export interface Viewport {
  width: number
  height: number
}
const DESKTOP: Viewport = { width: 1400, height: 900 }
/** A phone in portrait (an iPhone 12–15's CSS pixels). */
export const PHONE: Viewport = { width: 390, height: 844 }

/** How long a page may take to show what a test waits for. */
export const UI_TIMEOUT = 10_000

/**
 * `vite build` of the example app into `outDir`, in a child process: with NODE_ENV=production,
 * as `npm start` builds it (vitest's NODE_ENV=test would give a development build).
 */
function buildApp(outDir: string): Promise<void> {
  const vite = join(root, 'node_modules', '.bin', 'vite')
  const args = ['build', 'examples/web', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn']
  return new Promise((resolve, reject) => {
    const child = spawn(vite, args, {
      cwd: root,
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', 'inherit', 'inherit'],
    })
    child.on('error', reject)
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`vite build exited with ${code}`)),
    )
  })
}

const quiet = { warn: () => undefined, error: () => undefined }

/**
 * The example app built once per test file into a temp dir (about a second), the dev server
 * serving it, Chromium, and the pages opened as demo users. `close()` ends them all.
 *
 * @example
 * const world = createBrowserWorld()
 * beforeAll(() => world.start())
 * afterAll(() => world.close())
 * const alice = await world.openAs('alice')
 */
export function createBrowserWorld() {
  let appDir: string | undefined
  let browser: Browser | undefined
  let server: RealtimeServer | undefined
  const contexts = new Set<BrowserContext>()
  const pageErrors: string[] = []

  const startServer = async (options: DevServerOptions = {}) => {
    server = await startDevServer({
      port: 0,
      staticDir: appDir,
      demo: false,
      rateLimit: false,
      logger: quiet,
      ...options,
    })
    return server
  }

  return {
    pageErrors,
    get server(): RealtimeServer {
      if (!server) throw new Error('call world.start() first')
      return server
    },
    get baseUrl(): string {
      return this.server.url.replace(/^ws:/, 'http:')
    },

    async start(): Promise<void> {
      // The browser tests are part of `npm test`: a missing browser fails them, saying how to fix it.
      if (!existsSync(CHROMIUM)) {
        throw new Error(`${CHROMIUM} not found: apt-get install -y chromium (.ci/run does it)`)
      }
      appDir = mkdtempSync(join(tmpdir(), 'redux-realtime-e2e-'))
      await buildApp(appDir)
      await startServer()
      browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS })
    },

    /** Closes the server; the pages see it go away and start reconnecting. */
    async stopServer(): Promise<number> {
      const port = this.server.port
      await server?.close()
      server = undefined
      return port
    },

    /** A fresh server (new epoch, empty history) on `port`, as after a restart. */
    restartServer: (port: number) => startServer({ port }),

    /** A new browser context (its own storage) on the start screen, not signed in yet. */
    async openStartScreen(label: string, viewport: Viewport = DESKTOP): Promise<Page> {
      if (!browser) throw new Error('call world.start() first')
      const context = await browser.newContext({ viewport })
      contexts.add(context)
      context.setDefaultTimeout(UI_TIMEOUT)
      const page = await context.newPage()
      page.on('pageerror', (error) => pageErrors.push(`${label}: ${error.message}`))
      await page.goto(this.baseUrl)
      return page
    },

    /** A new browser context (its own storage) signed in as `userId` and connected. */
    async openAs(userId: string, viewport: Viewport = DESKTOP): Promise<Page> {
      const page = await this.openStartScreen(userId, viewport)
      await page.getByTestId(`login-${userId}`).click()
      await connected(page)
      return page
    },

    /**
     * Serves the app's files to `context` from disk, as an installed (service-worker cached)
     * app would be, so a page can reload while the server is down. The socket still needs it.
     */
    async serveAppOffline(context: BrowserContext): Promise<void> {
      const dir = appDir
      if (!dir) throw new Error('call world.start() first')
      const base = this.baseUrl
      await context.route(`${base}/**`, async (route) => {
        const { pathname } = new URL(route.request().url())
        if (pathname.startsWith('/dev/')) return route.continue()
        const file = join(dir, pathname === '/' ? 'index.html' : pathname)
        await route.fulfill({ path: existsSync(file) ? file : join(dir, 'index.html') })
      })
    },

    /** Closes a page's context, as when a user closes the tab. */
    async closePage(page: Page): Promise<void> {
      contexts.delete(page.context())
      await page.context().close()
    },

    async close(): Promise<void> {
      for (const context of contexts) await context.close().catch(() => undefined)
      contexts.clear()
      await browser?.close()
      await server?.close()
      if (appDir) rmSync(appDir, { recursive: true, force: true })
    },
  }
}

export type BrowserWorld = ReturnType<typeof createBrowserWorld>

/** Waits until the header says the page is connected and authenticated. */
export async function connected(page: Page): Promise<void> {
  await page.locator('[data-testid="connection-state"][data-state="open"]').waitFor()
}

/** Polls a locator's count until it is `count`. */
export async function expectCount(locator: Locator, count: number): Promise<void> {
  await expect.poll(() => locator.count(), { timeout: UI_TIMEOUT }).toBe(count)
}

/** Sends a chat message from the page's composer. */
export async function sendChat(page: Page, text: string): Promise<void> {
  await page.getByTestId('chat-input').fill(text)
  await page.getByTestId('chat-send').click()
}

/** The chat messages whose text contains `text`. */
export function chatMessages(page: Page, text: string): Locator {
  return page.getByTestId('chat-message').filter({ hasText: text })
}

/** Saves a screenshot to test-results/screenshots/<name>.png (looked at by people, not asserted). */
export async function screenshot(target: Page | Locator, name: string): Promise<void> {
  const dir = join(root, 'test-results', 'screenshots')
  mkdirSync(dir, { recursive: true })
  await target.screenshot({ path: join(dir, `${name}.png`) })
}

/** Every chat message content in the server's history of `room`, in seq order (read as a raw client). */
export async function chatHistory(url: string, room: string): Promise<string[]> {
  const client = await connectRaw(url)
  try {
    await client.authenticate(await signDevToken('dev-secret', 'auditor'))
    client.sendFrame('join', { room, data: {} })
    await client.nextOfType('joined', (frame) => frame.room === room)
    // The replay goes out right after `joined`, before the answer to this ping.
    const ping = client.sendFrame('ping', { data: {} })
    await client.nextOfType('pong', (frame) => frame.data.echo === ping.timestamp)
    return client.received
      .flatMap((frame): Frame[] => (frame.type === 'batch' ? frame.data.frames : [frame]))
      .flatMap((f) => (f.type === 'chat_message' ? [f.data.content] : []))
  } finally {
    client.close()
  }
}
