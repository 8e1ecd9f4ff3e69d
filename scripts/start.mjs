// `npm start`: runs the dev server, then the Node chat example against it; the server keeps
// running after the example exits, until Ctrl-C.
import { spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const tsx = join(root, 'node_modules', '.bin', 'tsx')
const port = process.env.PORT || '3000'
const children = new Set()
let stopping = false

function start(args, options) {
  const child = spawn(tsx, args, { cwd: root, shell: false, ...options })
  children.add(child)
  child.on('exit', () => children.delete(child))
  child.on('error', (error) => {
    children.delete(child)
    console.error(`could not run tsx ${args.join(' ')}: ${error.message}`)
    stop(1)
  })
  return child
}

// Ends every child, then exits with the first failure's code (0 if none).
function stop(code, signal = 'SIGTERM') {
  if (!stopping) process.exitCode = code
  stopping = true
  if (children.size === 0) process.exit()
  for (const child of children) {
    child.once('exit', () => children.size === 0 && process.exit())
    child.kill(signal)
  }
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => stop(process.exitCode ?? 0, signal))
}

const server = start(['src/server/cli.ts', '--port', port, '--dev'], {
  stdio: ['ignore', 'pipe', 'inherit'],
})
server.on('exit', (code, signal) => {
  if (stopping) return
  console.error(`server exited (${signal ?? `code ${code}`})`)
  stop(code || 1)
})

const waiting = setTimeout(() => {
  console.error('server did not print "listening" within 30 s')
  stop(1)
}, 30_000)

let exampleStarted = false
createInterface({ input: server.stdout }).on('line', (line) => {
  console.log(line)
  if (exampleStarted || !line.includes('listening')) return
  exampleStarted = true
  clearTimeout(waiting)
  const example = start(['examples/node/chat.ts'], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, REALTIME_URL: `ws://127.0.0.1:${port}`, REALTIME_SECRET: 'dev-secret' },
  })
  example.on('exit', (code, signal) => {
    if (stopping) return
    if (code !== 0) {
      console.error(`example exited (${signal ?? `code ${code}`}); stopping the server`)
      stop(code || 1)
    } else {
      console.log(`example finished; server still on port ${port}, Ctrl-C to stop`)
    }
  })
})
