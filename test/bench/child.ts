/**
 * Runs one bench module in its own process (`node --import tsx --import ./shipped.mjs`, so it
 * runs the reconnecting-websocket dist ships, plus `nodeFlags`) and
 * resolves with the rows it sends back over IPC. The heap row needs `--expose-gc` and a clean
 * heap; the renders row installs jsdom's globals, which must not leak into the other rows.
 */
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { BenchRow } from './rows'

const CHILD_TIMEOUT_MS = 180_000
const SHIPPED = fileURLToPath(new URL('./shipped.mjs', import.meta.url))

export function runChild(file: string, env: Record<string, string>, nodeFlags: string[] = []) {
  const child = fork(fileURLToPath(new URL(file, import.meta.url)), [], {
    execArgv: [...nodeFlags, '--import', 'tsx', '--import', SHIPPED],
    env: { ...process.env, ...env },
    stdio: 'inherit',
  })
  return new Promise<BenchRow[]>((resolve, reject) => {
    let rows: BenchRow[] | undefined
    child.on('message', (message: { rows?: BenchRow[] }) => (rows = message.rows))
    // Bounded: a child that hangs is ended (by its own pid) and its rows reported missing.
    const timer = setTimeout(() => child.kill(), CHILD_TIMEOUT_MS)
    child.once('error', reject)
    child.once('exit', (code) => {
      clearTimeout(timer)
      if (rows) resolve(rows)
      else reject(new Error(`${file} exited with ${code} and no rows`))
    })
  })
}

/** In the child: sends the rows and exits. */
export function reply(rows: BenchRow[]): void {
  process.send?.({ rows }, () => process.exit(0))
}
