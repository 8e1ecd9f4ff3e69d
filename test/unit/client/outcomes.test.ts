import { describe, expect, it } from 'vitest'
import { authenticationOutcome, connectionOutcome } from '../../../src/client/outcomes'
import { WebSocketError, errorInfo } from '../../../src/errors'
import { connection } from '../../../slices/actions'

const at = 1_000
const closed = (extra: Partial<Parameters<typeof connection.closed>[0]> = {}) =>
  connection.closed({
    code: 1006,
    reason: 'connection lost',
    willReconnect: false,
    attempt: 0,
    at,
    ...extra,
  })
const opened = connection.opened({ userId: 'alice', sessionId: 's', epoch: 'e', at })

describe('connectionOutcome', () => {
  it('resolves on opened and waits through closes that will reconnect', () => {
    const decide = connectionOutcome(0, () => null)
    expect(decide(closed({ willReconnect: true, attempt: 1, retryInMs: 100 }))).toBeUndefined()
    expect(decide(opened)).toBe('resolve')
  })

  it("rejects a final close with the close's own error", () => {
    const error = errorInfo('RECONNECT_FAILED', 'gave up', { timestamp: at })
    const verdict = connectionOutcome(0, () => null)(closed({ error }))
    expect(verdict).toBeInstanceOf(WebSocketError)
    expect(verdict).toMatchObject({ code: 'RECONNECT_FAILED', message: 'gave up' })
  })

  it("uses the state's last error only when it is newer than the attempt", () => {
    const last = errorInfo('AUTHENTICATION_FAILED', 'bad token', { timestamp: 500 })
    expect(connectionOutcome(400, () => last)(closed())).toMatchObject({
      code: 'AUTHENTICATION_FAILED',
    })
    expect(connectionOutcome(600, () => last)(closed())).toMatchObject({
      code: 'CONNECTION_FAILED',
      message: 'connection closed (1006): connection lost',
    })
  })
})

describe('authenticationOutcome', () => {
  it('rejects when the server refuses the token, ignoring other errors', () => {
    const decide = authenticationOutcome(0, () => null)
    const refused = connection.errorsReceived({
      at,
      errors: [{ code: 'AUTHENTICATION_FAILED', message: 'token expired' }],
    })
    const other = connection.errorsReceived({ at, errors: [{ code: 'NOT_JOINED', message: 'x' }] })
    expect(decide(other)).toBeUndefined()
    expect(decide(refused)).toMatchObject({
      code: 'AUTHENTICATION_FAILED',
      message: 'token expired',
    })
    expect(decide(opened)).toBe('resolve')
  })
})
