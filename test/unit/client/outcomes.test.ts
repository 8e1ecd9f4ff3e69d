import { describe, expect, it } from 'vitest'
import {
  authenticationOutcome,
  connectionOutcome,
  joinOutcome,
  sendOutcome,
} from '../../../src/client/outcomes'
import { WebSocketError, errorInfo } from '../../../src/errors'
import { connection, outbox, rooms } from '../../../slices/actions'
import type { OutboxEntry } from '../../../slices/types'

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

describe('sendOutcome', () => {
  const entry: OutboxEntry = {
    id: 'm1',
    type: 'chat_message',
    room: 'general',
    data: { content: 'hi' },
    createdAt: at,
  }
  const decide = sendOutcome('m1', 'general')

  it('resolves on the ack naming the message and ignores acks of others', () => {
    expect(decide(outbox.acked({ acks: [{ refId: 'm0' }], at }))).toBeUndefined()
    expect(decide(outbox.acked({ acks: [{ refId: 'm0' }, { refId: 'm1' }], at }))).toBe('resolve')
  })

  it('rejects on its failure, its overflow, or a refused join of its room', () => {
    const tooBig = errorInfo('MESSAGE_TOO_LARGE', 'too big', { refId: 'm1' })
    expect(decide(outbox.failed({ failures: [{ id: 'm1', error: tooBig }] }))).toMatchObject({
      code: 'MESSAGE_TOO_LARGE',
      refId: 'm1',
    })
    const full = errorInfo('QUEUE_FULL', 'full')
    expect(decide(outbox.overflowed({ entry, error: full }))).toMatchObject({ code: 'QUEUE_FULL' })
    const forbidden = errorInfo('FORBIDDEN', 'no')
    expect(decide(rooms.joinFailed({ room: 'general', error: forbidden }))).toMatchObject({
      code: 'FORBIDDEN',
    })
    expect(decide(rooms.joinFailed({ room: 'other', error: forbidden }))).toBeUndefined()
    expect(decide(outbox.failed({ failures: [{ id: 'm2', error: tooBig }] }))).toBeUndefined()
  })
})

describe('joinOutcome', () => {
  const decide = joinOutcome('general')
  const joined = (room: string) =>
    rooms.joined({ room, epoch: 'e', fromSeq: 0, headSeq: 0, resumed: false, gap: false, at })

  it('resolves when that room is joined', () => {
    expect(decide(joined('other'))).toBeUndefined()
    expect(decide(joined('general'))).toBe('resolve')
  })

  it('rejects when the join is refused or the room is left first', () => {
    expect(
      decide(rooms.joinFailed({ room: 'general', error: errorInfo('FORBIDDEN', 'no') })),
    ).toMatchObject({ code: 'FORBIDDEN' })
    expect(decide(rooms.leaveRequested({ room: 'general' }))).toMatchObject({ code: 'NOT_JOINED' })
  })
})
