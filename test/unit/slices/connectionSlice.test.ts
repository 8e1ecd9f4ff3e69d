import { describe, expect, it } from 'vitest'
import { chat, connection, inbound, outbox } from '../../../slices/actions'
import { connectionReducer, initialConnectionState } from '../../../slices/connectionSlice'
import { T0, entry, error, message, reduce } from './fixtures'

const url = 'ws://127.0.0.1:1'
const opened = (at: number) =>
  connection.opened({ userId: 'alice', sessionId: 's1', epoch: 'e1', at })
const closed = (
  at: number,
  willReconnect: boolean,
  fields: Partial<Parameters<typeof connection.closed>[0]> = {},
) =>
  connection.closed({
    code: 1006,
    reason: 'connection lost',
    willReconnect,
    attempt: 1,
    at,
    ...fields,
  })

describe('connection reducer', () => {
  it('starts idle with zeroed metrics', () => {
    expect(reduce(connectionReducer, [])).toEqual(initialConnectionState)
    expect(initialConnectionState.state).toBe('idle')
  })

  it('moves connecting → authenticating → open → reconnecting → closed, each transition with from, to, code, reason and at', () => {
    const steps = [
      [connection.connecting({ url, at: T0 }), { from: 'idle', to: 'connecting', code: 0, at: T0 }],
      [
        connection.socketOpened({ at: T0 + 1 }),
        { from: 'connecting', to: 'authenticating', code: 0, at: T0 + 1 },
      ],
      [opened(T0 + 2), { from: 'authenticating', to: 'open', code: 0, at: T0 + 2 }],
      [
        closed(T0 + 3, true, { retryInMs: 500 }),
        { from: 'open', to: 'reconnecting', code: 1006, reason: 'connection lost', at: T0 + 3 },
      ],
      [
        closed(T0 + 4, false, { code: 1000, reason: 'disconnect requested', attempt: 0 }),
        {
          from: 'reconnecting',
          to: 'closed',
          code: 1000,
          reason: 'disconnect requested',
          at: T0 + 4,
        },
      ],
    ] as const
    let state = reduce(connectionReducer, [])
    for (const [action, transition] of steps) {
      state = reduce(connectionReducer, [action], state)
      expect(state.state).toBe(transition.to)
      expect(state.transition).toMatchObject(transition)
      expect(Object.keys(state.transition ?? {}).sort()).toEqual([
        'at',
        'code',
        'from',
        'reason',
        'to',
      ])
      expect(typeof state.transition?.reason).toBe('string')
      expect(state.transition?.reason).not.toBe('')
    }
  })

  it('records who the server says we are on open, and forgets it on close', () => {
    const open = reduce(connectionReducer, [
      connection.connecting({ url, at: T0 }),
      opened(T0 + 10),
    ])
    expect(open.info).toMatchObject({
      isAuthenticated: true,
      userId: 'alice',
      sessionId: 's1',
      serverEpoch: 'e1',
      connectedAt: T0 + 10,
      reconnectAttempts: 0,
    })
    const down = reduce(
      connectionReducer,
      [closed(T0 + 1010, true, { attempt: 2, retryInMs: 700 })],
      open,
    )
    expect(down.info.isAuthenticated).toBe(false)
    expect(down.info.connectedAt).toBeUndefined()
    expect(down.info.reconnectAttempts).toBe(2)
    expect(down.info.nextReconnectAt).toBe(T0 + 1010 + 700)
    expect(down.metrics.connectionUptime).toBe(1000)
    const again = reduce(connectionReducer, [connection.connecting({ url, at: T0 + 1710 })], down)
    expect(again.info.nextReconnectAt).toBeUndefined()
  })

  it('counts received messages and acknowledged sends', () => {
    const state = reduce(connectionReducer, [
      chat.messagesReceived({
        messages: [message('general', 1), message('general', 2)],
        at: T0 + 1,
      }),
      chat.messagesReceived({ messages: [message('general', 3)], at: T0 + 2 }),
      outbox.acked({ acks: [{ refId: 'a' }, { refId: 'b' }], at: T0 + 3 }),
    ])
    expect(state.metrics.messagesReceived).toBe(3)
    expect(state.metrics.messagesSent).toBe(2)
    expect(state.metrics.lastUpdate).toBe(T0 + 3)
  })

  it('keeps averageLatency as the running mean of pongs', () => {
    const state = reduce(connectionReducer, [
      connection.pongReceived({ latency: 10, at: T0 + 1 }),
      connection.pongReceived({ latency: 20, at: T0 + 2 }),
      connection.pongReceived({ latency: 60, at: T0 + 3 }),
    ])
    expect(state.metrics.averageLatency).toBe(30)
    expect(state.info.latency).toBe(60)
    expect(state.info.lastPongTime).toBe(T0 + 3)
    expect(state.metrics.lastUpdate).toBe(T0 + 3)
  })

  it('records when the last ping went out', () => {
    const state = reduce(connectionReducer, [connection.pingSent({ at: T0 + 5 })])
    expect(state.info.lastPingTime).toBe(T0 + 5)
  })

  it('counts only re-opens as reconnections', () => {
    const first = reduce(connectionReducer, [
      connection.connecting({ url, at: T0 }),
      opened(T0 + 1),
    ])
    expect(first.metrics.reconnectionCount).toBe(0)
    const twice = reduce(
      connectionReducer,
      [
        closed(T0 + 2, true),
        opened(T0 + 3),
        closed(T0 + 4, true),
        closed(T0 + 5, true),
        opened(T0 + 6),
      ],
      first,
    )
    expect(twice.metrics.reconnectionCount).toBe(2)
  })

  it('counts rejected frames, server errors and client errors, keeping the last one', () => {
    const state = reduce(connectionReducer, [
      inbound.framesRejected({
        rejections: [
          { reason: 'invalid_json', message: 'frame is not valid JSON' },
          { reason: 'bad_id', message: 'bad id', id: 'x' },
        ],
        at: T0 + 1,
      }),
      connection.errorsReceived({
        errors: [{ code: 'FORBIDDEN', message: 'no', refId: 'j1' }],
        at: T0 + 2,
      }),
      connection.errorOccurred({ error: { ...error('NETWORK_ERROR'), timestamp: T0 + 3 } }),
    ])
    expect(state.metrics.errorCount).toBe(4)
    expect(state.metrics.lastUpdate).toBe(T0 + 3)
    expect(state.lastError).toMatchObject({ code: 'NETWORK_ERROR', timestamp: T0 + 3 })

    const afterRejection = reduce(connectionReducer, [
      inbound.framesRejected({
        rejections: [{ reason: 'bad_id', message: 'bad id', id: 'x' }],
        at: T0,
      }),
    ])
    expect(afterRejection.lastError).toMatchObject({
      code: 'INVALID_FRAME',
      refId: 'x',
      timestamp: T0,
    })
    expect(afterRejection.lastError?.message).toMatch(/bad_id/)
  })

  it('counts the error a close or an overflow carries', () => {
    const state = reduce(connectionReducer, [
      closed(T0 + 1, false, { error: error('RECONNECT_FAILED') }),
      outbox.overflowed({ entry: entry('general', 'm1'), error: error('QUEUE_FULL') }),
    ])
    expect(state.metrics.errorCount).toBe(2)
    expect(state.lastError).toMatchObject({ code: 'QUEUE_FULL' })
  })
})
