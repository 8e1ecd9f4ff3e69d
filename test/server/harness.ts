import { afterEach, expect } from 'vitest'
import { createRealtimeServer } from '../../src/server'
import type { Frame, FrameOfType, JoinData } from '../../src/protocol'
import type { RealtimeServer, RealtimeServerOptions } from '../../src/server'
import { connectRaw } from '../support/rawClient'
import type { RawClient, RawClientOptions } from '../support/rawClient'
import { TEST_SECRET, tokenFor } from '../support/tokens'

const servers: RealtimeServer[] = []
const clients: RawClient[] = []
const cleanups: Array<() => unknown> = []

/** Silences expected warnings while keeping them inspectable. */
export function quietLogger() {
  const logged: string[] = []
  return {
    logged,
    warn: (message: string) => void logged.push(`warn: ${message}`),
    error: (message: string) => void logged.push(`error: ${message}`),
  }
}

/** Starts a server on an ephemeral port, closed after the test. */
export async function startServer(
  options: Partial<RealtimeServerOptions> = {},
): Promise<RealtimeServer> {
  const server = await createRealtimeServer({
    port: 0,
    jwt: { secret: TEST_SECRET },
    logger: quietLogger(),
    ...options,
  })
  servers.push(server)
  return server
}

/** Opens a raw client, closed after the test; the server's output must pass the shared codec. */
export async function connect(url: string, options?: RawClientOptions): Promise<RawClient> {
  const client = await connectRaw(url, options)
  clients.push(client)
  return client
}

/** A client authenticated as `userId`. */
export async function connectAs(url: string, userId: string): Promise<RawClient> {
  const client = await connect(url)
  await client.authenticate(await tokenFor(userId))
  return client
}

/** A client authenticated as `userId` that has joined `room` and received the `joined` frame. */
export async function joinedAs(url: string, userId: string, room: string): Promise<RawClient> {
  const client = await connectAs(url, userId)
  client.sendFrame('join', { room, data: {} })
  await client.nextOfType('joined', (frame) => frame.room === room)
  return client
}

/** Sends `join` and resolves with the room's `joined` frame. */
export async function join(
  client: RawClient,
  room: string,
  data: JoinData = {},
): Promise<FrameOfType<'joined'>> {
  client.sendFrame('join', { room, data })
  return client.nextOfType('joined', (frame) => frame.room === room)
}

/** Waits until the server has handled everything `client` sent so far. */
export async function roundTrip(client: RawClient): Promise<void> {
  const ping = client.sendFrame('ping', { data: {} })
  await client.nextOfType('pong', (frame) => frame.data.echo === ping.timestamp)
}

/** Every frame received of `type`, batches expanded, in arrival order. */
export function framesOf<T extends Frame['type']>(
  client: RawClient,
  type: T,
): Array<FrameOfType<T>> {
  const flat = client.received.flatMap((frame) =>
    frame.type === 'batch' ? frame.data.frames : [frame],
  )
  return flat.filter((frame): frame is FrameOfType<T> => frame.type === type)
}

/** Runs `cleanup` after the current test. */
export function onCleanup(cleanup: () => unknown): void {
  cleanups.push(cleanup)
}

afterEach(async () => {
  const problems = clients.flatMap((client) => client.problems)
  for (const client of clients.splice(0)) client.socket.terminate()
  for (const cleanup of cleanups.splice(0)) await cleanup()
  await Promise.all(servers.splice(0).map((server) => server.close()))
  expect(problems).toEqual([])
})
