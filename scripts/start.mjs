// `npm start`: builds the example app (examples/web → examples/web/dist), then runs the reference
// server in dev mode serving it, so one port has the app, the dev token endpoint and the
// WebSocket. PORT picks the port (default 3000); Ctrl-C stops it.
import { spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const bin = (name) => join(root, 'node_modules', '.bin', name)
const port = process.env.PORT || '3000'
let child
let stopping = false

function run(command, args, options) {
  child = spawn(command, args, { cwd: root, shell: false, ...options })
  child.on('error', (error) => {
    console.error(`could not run ${command}: ${error.message}`)
    process.exit(1)
  })
  return child
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    stopping = true
    if (!child || child.exitCode !== null) process.exit(0)
    child.kill(signal)
  })
}

console.log('Building the example app (vite build examples/web)…')
run(bin('vite'), ['build', 'examples/web', '--logLevel', 'warn'], {
  stdio: ['ignore', 'inherit', 'inherit'],
  env: { ...process.env, NODE_ENV: 'production' },
}).on('exit', (code, signal) => {
  if (stopping) return process.exit(0)
  if (code !== 0) {
    console.error(`vite build failed (${signal ?? `code ${code}`})`)
    process.exit(code || 1)
  }
  serve()
})

function serve() {
  const args = ['src/server/cli.ts', '--port', port, '--dev', '--static', 'examples/web/dist']
  const server = run(bin('tsx'), args, { stdio: ['ignore', 'pipe', 'inherit'] })
  createInterface({ input: server.stdout }).on('line', (line) => {
    console.log(line)
    const match = /listening on ws:(\/\/\S+) /.exec(line)
    // After the rest of the banner (the dev tokens), which arrives right behind this line.
    if (match) {
      setTimeout(() => {
        console.log(`\nOpen http:${match[1]} (two windows: sign in as two users)`)
        console.log('Ctrl-C stops the server.')
      }, 300)
    }
  })
  server.on('exit', (code, signal) => {
    if (!stopping) console.error(`server exited (${signal ?? `code ${code}`})`)
    process.exit(stopping ? 0 : code || 1)
  })
}
