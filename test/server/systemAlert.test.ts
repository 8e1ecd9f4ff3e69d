import { describe, expect, it } from 'vitest'
import type { SystemAlertInput } from '../../src/server'
import { tokenFor } from '../support/tokens'
import { connect, connectAs, joinedAs, startServer } from './harness'

describe('server system alerts', () => {
  it('reaches every authenticated connection, and nothing is stored', async () => {
    const server = await startServer()
    const bob = await joinedAs(server.url, 'bob', 'general')
    const clients = [
      await connectAs(server.url, 'alice'),
      await connectAs(server.url, 'alice'),
      bob,
    ]
    const anonymous = await connect(server.url)
    server.systemAlert({ message: 'Maintenance at 22:00 UTC', severity: 'warning' })
    for (const client of clients) {
      const alert = await client.nextOfType('system_alert')
      expect(alert.data).toEqual({ message: 'Maintenance at 22:00 UTC', severity: 'warning' })
      expect(alert.seq).toBeUndefined()
    }
    server.systemAlert({ message: 'default severity' })
    expect((await bob.nextOfType('system_alert')).data.severity).toBe('info')

    // Connections that were not authenticated when it was sent, or came later, never see it.
    await anonymous.authenticate(await tokenFor('dave'))
    const late = await joinedAs(server.url, 'carol', 'user:carol')
    for (const client of [anonymous, late])
      expect(client.received.map((frame) => frame.type)).not.toContain('system_alert')
  })

  it('throws a TypeError naming the field for an alert clients would refuse', async () => {
    const server = await startServer()
    expect(() => server.systemAlert({ message: 'x', severity: 'loud' } as never)).toThrow(
      /^systemAlert: severity/,
    )
    expect(() => server.systemAlert({} as SystemAlertInput)).toThrow(/message/)
  })
})
