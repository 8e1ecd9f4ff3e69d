import { describe, expect, it } from 'vitest'
import { createConnectionCap } from '../../src/server/connectionCap'
import type { ConnectionCap } from '../../src/server/connectionCap'
import { tokenFor } from '../support/tokens'
import { connect, connectAs, roundTrip, startServer } from './harness'

describe('createConnectionCap', () => {
  it('admits up to the cap per user, the same connection once, and frees a released slot', () => {
    const cap = createConnectionCap(2)
    const [a, b, c] = [{}, {}, {}]
    expect([cap.admit('alice', a), cap.admit('alice', a), cap.admit('alice', b)]).toEqual([
      true,
      true,
      true,
    ])
    expect(cap.admit('alice', c)).toBe(false)
    expect(cap.admit('bob', c)).toBe(true)
    cap.release('alice', a)
    expect(cap.admit('alice', c)).toBe(true)
    expect(cap.count('alice')).toBe(2)
  })

  it('keys users by any valid id, Object.prototype names included', () => {
    const cap = createConnectionCap(1)
    expect(cap.admit('toString', {})).toBe(true)
    expect(cap.count('valueOf')).toBe(0)
  })
})

describe('server maxConnectionsPerUser', () => {
  it('refuses the next authenticated connection of a user with TOO_MANY_CONNECTIONS and close 4029', async () => {
    const server = await startServer({ maxConnectionsPerUser: 3 })
    const open = await Promise.all([1, 2, 3].map(() => connectAs(server.url, 'alice')))
    const extra = await connect(server.url)
    const auth = extra.sendFrame('auth', { data: { token: await tokenFor('alice') } })
    const error = await extra.nextOfType('error')
    expect(error.data).toMatchObject({ code: 'TOO_MANY_CONNECTIONS', refId: auth.id })
    expect(error.data.message).toMatch(/alice already has 3 connections open/)
    expect(await extra.closed).toEqual({ code: 4029, reason: 'too many connections for this user' })
    await connectAs(server.url, 'bob')
    for (const client of open) await roundTrip(client)
  })

  it('counts a token refresh on a live connection as no new connection', async () => {
    const server = await startServer({ maxConnectionsPerUser: 2 })
    const clients = [await connectAs(server.url, 'alice'), await connectAs(server.url, 'alice')]
    for (const client of clients) await client.authenticate(await tokenFor('alice'))
    for (const client of clients) await roundTrip(client)
  })

  it('frees the slot of a closed connection', async () => {
    const server = await startServer({ maxConnectionsPerUser: 1 })
    const watcher = await connectAs(server.url, 'bob')
    const first = await connectAs(server.url, 'alice')
    watcher.sendFrame('subscribe', { data: { topic: 'user', userId: 'alice' } })
    await watcher.nextOfType('presence_update', (frame) =>
      (frame.data.users ?? []).some((user) => user.userId === 'alice' && user.status === 'online'),
    )
    const refused = await connect(server.url)
    refused.sendFrame('auth', { data: { token: await tokenFor('alice') } })
    expect((await refused.closed).code).toBe(4029)
    first.close()
    // The server frees the slot as it handles the close, before telling watchers.
    await watcher.nextOfType('user_offline')
    await connectAs(server.url, 'alice')
  })

  it('defaults to 20 connections per user', async () => {
    const server = await startServer()
    await Promise.all(Array.from({ length: 20 }, () => connectAs(server.url, 'alice')))
    const extra = await connect(server.url)
    extra.sendFrame('auth', { data: { token: await tokenFor('alice') } })
    expect((await extra.closed).code).toBe(4029)
  })

  it('frees the slot of a connection that closed while a shared cap was still admitting it', async () => {
    const released: object[] = []
    let pending: { connection: { closed: boolean }; admit: (admitted: boolean) => void } | undefined
    const server = await startServer({
      connectionCap: (maxPerUser): ConnectionCap => {
        const memory = createConnectionCap(maxPerUser)
        return {
          // Answers when the test says, as a cap that asks Redis does.
          admit: (userId, connection) =>
            new Promise<boolean>((resolve) => {
              pending = {
                connection: connection as { closed: boolean },
                admit: (admitted) => resolve(admitted && memory.admit(userId, connection)),
              }
            }),
          release: (userId, connection) => {
            released.push(connection)
            memory.release(userId, connection)
          },
          count: (userId) => memory.count(userId),
        }
      },
    })
    const client = await connect(server.url)
    client.sendFrame('auth', { data: { token: await tokenFor('alice') } })
    await until(() => pending !== undefined)
    client.close()
    await until(() => pending?.connection.closed === true)
    pending?.admit(true)
    await until(() => released.length === 1)
    expect(released).toEqual([pending?.connection])
  })
})

/** Waits (bounded) until `check` holds. */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10))
  expect(check()).toBe(true)
}
