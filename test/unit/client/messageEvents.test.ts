import { describe, expect, it } from 'vitest'
import {
  MESSAGE_EVENT_TYPES,
  SUBSCRIBABLE_MESSAGE_TYPES,
  isSubscribableType,
  messagesFromAction,
} from '../../../src/client/messageEvents'
import { errorInfo } from '../../../src/errors'
import {
  chat,
  connect,
  connection,
  custom,
  events,
  inbound,
  notifications,
  outbox,
  presence,
} from '../../../slices/actions'

const at = 1_700_000_000_000
const anyId = expect.any(String)

describe('messagesFromAction', () => {
  it('turns each received chat message into a CHAT_MESSAGE without its local status', () => {
    const action = chat.messagesReceived({
      at,
      messages: [
        {
          id: 'm1',
          type: 'chat_message',
          timestamp: 1,
          userId: 'bob',
          room: 'general',
          seq: 4,
          data: { content: 'hi' },
        },
        {
          id: 'm2',
          type: 'chat_message',
          timestamp: 2,
          room: 'general',
          data: { content: 'mine' },
          status: 'pending',
        },
      ],
    })
    expect(messagesFromAction(action)).toEqual([
      {
        id: 'm1',
        type: 'chat_message',
        timestamp: 1,
        userId: 'bob',
        room: 'general',
        data: { content: 'hi' },
      },
      { id: 'm2', type: 'chat_message', timestamp: 2, room: 'general', data: { content: 'mine' } },
    ])
  })

  it('turns each direct message into a DIRECT_MESSAGE', () => {
    const action = chat.directMessagesReceived({
      at,
      messages: [
        {
          id: 'd1',
          type: 'direct_message',
          timestamp: 5,
          userId: 'bob',
          data: { to: 'alice', content: 'psst' },
        },
      ],
    })
    expect(messagesFromAction(action)).toEqual([
      {
        id: 'd1',
        type: 'direct_message',
        timestamp: 5,
        userId: 'bob',
        data: { to: 'alice', content: 'psst' },
      },
    ])
  })

  it('turns typing started and stopped into TYPING_START and TYPING_STOP with { room, userId }', () => {
    expect(messagesFromAction(chat.typingStarted({ room: 'general', userId: 'bob', at }))).toEqual([
      {
        id: anyId,
        type: 'typing_start',
        timestamp: at,
        userId: 'bob',
        room: 'general',
        data: { room: 'general', userId: 'bob' },
      },
    ])
    expect(messagesFromAction(chat.typingStopped({ room: 'general', userId: 'bob' }))).toEqual([
      {
        id: anyId,
        type: 'typing_stop',
        timestamp: expect.any(Number),
        userId: 'bob',
        room: 'general',
        data: { room: 'general', userId: 'bob' },
      },
    ])
  })

  it('turns each read receipt into a READ_RECEIPT', () => {
    const action = chat.readReceiptsReceived({
      at,
      receipts: [
        { room: 'general', userId: 'bob', messageId: 'm1', seq: 1 },
        { room: 'general', userId: 'eve', messageId: 'm2', seq: 2 },
      ],
    })
    expect(messagesFromAction(action)).toEqual([
      {
        id: anyId,
        type: 'read_receipt',
        timestamp: at,
        userId: 'bob',
        room: 'general',
        data: { messageId: 'm1', seq: 1 },
      },
      {
        id: anyId,
        type: 'read_receipt',
        timestamp: at,
        userId: 'eve',
        room: 'general',
        data: { messageId: 'm2', seq: 2 },
      },
    ])
  })

  it('turns users going online and offline into USER_ONLINE and USER_OFFLINE', () => {
    expect(
      messagesFromAction(presence.userOnline({ userId: 'bob', status: 'online', at })),
    ).toEqual([
      {
        id: anyId,
        type: 'user_online',
        timestamp: at,
        userId: 'bob',
        data: { userId: 'bob', status: 'online' },
      },
    ])
    expect(
      messagesFromAction(
        presence.userOffline({ userId: 'bob', status: 'offline', lastSeen: at - 5, at }),
      ),
    ).toEqual([
      {
        id: anyId,
        type: 'user_offline',
        timestamp: at,
        userId: 'bob',
        data: { userId: 'bob', status: 'offline', lastSeen: at - 5 },
      },
    ])
  })

  it('turns presence changes and syncs into one PRESENCE_UPDATE per user', () => {
    const users = [
      { userId: 'bob', status: 'away' as const, customStatus: 'lunch' },
      { userId: 'eve', status: 'busy' as const },
    ]
    for (const action of [presence.changed({ users, at }), presence.synced({ users, at })]) {
      expect(messagesFromAction(action)).toEqual([
        { id: anyId, type: 'presence_update', timestamp: at, userId: 'bob', data: users[0] },
        { id: anyId, type: 'presence_update', timestamp: at, userId: 'eve', data: users[1] },
      ])
    }
  })

  it('turns each notification into a NOTIFICATION with its id and time', () => {
    const notification = {
      id: 'n1',
      createdAt: at - 10,
      read: false,
      title: 'Standup',
      kind: 'event_reminder',
      severity: 'info' as const,
    }
    expect(
      messagesFromAction(notifications.received({ notifications: [notification], at })),
    ).toEqual([{ id: 'n1', type: 'notification', timestamp: at - 10, data: notification }])
  })

  it('turns a system alert into a SYSTEM_ALERT', () => {
    const action = notifications.systemAlertReceived({
      id: 'a1',
      message: 'Maintenance at 22:00',
      severity: 'warning',
      at,
    })
    expect(messagesFromAction(action)).toEqual([
      {
        id: 'a1',
        type: 'system_alert',
        timestamp: at,
        data: { message: 'Maintenance at 22:00', severity: 'warning' },
      },
    ])
  })

  it('turns each event update into an EVENT_UPDATE', () => {
    const event = {
      id: 'e1',
      title: 'Launch',
      startsAt: at + 1000,
      status: 'scheduled',
      updatedAt: at,
    }
    expect(messagesFromAction(events.received({ events: [event], at }))).toEqual([
      { id: anyId, type: 'event_update', timestamp: at, data: event },
    ])
  })

  it('turns a pong into a PONG with the latency', () => {
    expect(messagesFromAction(connection.pongReceived({ latency: 12, at }))).toEqual([
      { id: anyId, type: 'pong', timestamp: at, data: { latency: 12 } },
    ])
  })

  it('turns server errors, client errors and rejected frames into ERROR messages', () => {
    expect(
      messagesFromAction(
        connection.errorsReceived({
          at,
          errors: [{ code: 'RATE_LIMITED', message: 'slow down', refId: 'm1', retryAfterMs: 500 }],
        }),
      ),
    ).toEqual([
      {
        id: anyId,
        type: 'error',
        timestamp: at,
        data: {
          code: 'RATE_LIMITED',
          message: 'slow down',
          context: 'server',
          refId: 'm1',
          timestamp: at,
          retryAfterMs: 500,
        },
      },
    ])

    const error = errorInfo('TIMEOUT', 'no pong', { context: 'heartbeat', timestamp: at })
    expect(messagesFromAction(connection.errorOccurred({ error }))).toEqual([
      { id: anyId, type: 'error', timestamp: at, data: error },
    ])

    expect(
      messagesFromAction(
        inbound.framesRejected({
          at,
          rejections: [{ reason: 'invalid_json', message: 'frame is not valid JSON' }],
        }),
      ),
    ).toEqual([
      {
        id: anyId,
        type: 'error',
        timestamp: at,
        data: {
          code: 'INVALID_FRAME',
          message: 'invalid_json: frame is not valid JSON',
          context: 'inbound',
          timestamp: at,
        },
      },
    ])
  })

  it('gives nothing for commands and for events subscribers do not see', () => {
    expect(messagesFromAction(connect())).toEqual([])
    expect(messagesFromAction(outbox.acked({ acks: [{ refId: 'm1' }], at }))).toEqual([])
    expect(messagesFromAction({ type: 'app/unrelated' })).toEqual([])
  })

  it('hands app-defined messages over as received, their type being the app type name', () => {
    const messages = [
      {
        id: 'a1',
        type: 'card_moved',
        room: 'board',
        userId: 'bob',
        timestamp: 3,
        seq: 4,
        data: { id: 'c1', to: 'done' },
      },
      { id: 'a2', type: 'cursor', room: 'board', userId: 'bob', timestamp: 4, data: [1, 2] },
    ]
    expect(messagesFromAction(custom.messagesReceived({ messages, at }))).toEqual(messages)
  })

  it('produces a message type from every row, each of them subscribable', () => {
    expect(MESSAGE_EVENT_TYPES).toHaveLength(17)
    expect(SUBSCRIBABLE_MESSAGE_TYPES).toHaveLength(13)
    expect(isSubscribableType('chat_message')).toBe(true)
    expect(isSubscribableType('ack')).toBe(false)
    expect(isSubscribableType('toString')).toBe(false)
  })
})
