import {
  createRealtimeServer,
  type RealtimeServer,
  type RealtimeServerOptions,
} from '../../src/server'
import type { RealtimeConfig } from '../../src'
import { createTestClient, type TestClient } from './realtimeClient'
import { TEST_SECRET } from './tokens'

/**
 * A reference server on an ephemeral port and the clients of one test, all closed by `close()`.
 *
 * @example
 * const world = await createWorld()
 * const alice = await world.client('alice', { rooms: ['general'] })
 */
export async function createWorld(options: Partial<RealtimeServerOptions> = {}) {
  const server: RealtimeServer = await createRealtimeServer({
    port: 0,
    host: '127.0.0.1',
    jwt: { secret: TEST_SECRET },
    rateLimit: false,
    ...options,
  })
  const clients: TestClient[] = []
  return {
    server,
    /** A connected client (and joined to `rooms`), waiting until all of that is confirmed. */
    async client(
      userId: string,
      { rooms = [], ...config }: Partial<RealtimeConfig> & { rooms?: string[] } = {},
    ) {
      const client = await createTestClient(server.url, userId, {
        reconnectInterval: 20,
        maxReconnectDelay: 100,
        ...config,
      })
      clients.push(client)
      client.store.dispatch(client.actions.connect())
      for (const room of rooms) client.store.dispatch(client.actions.joinRoom(room))
      await client.waitForOpen()
      for (const room of rooms) await client.waitForRoom(room)
      return client
    },
    async close() {
      for (const client of clients.splice(0)) client.dispose()
      await server.close()
    },
  }
}

export type World = Awaited<ReturnType<typeof createWorld>>

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
