import type { UnknownAction } from '@reduxjs/toolkit'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { Burst, FRAME_ROUTES, routeFrame } from '../../../middleware/frameActions'
import { createPresenceSync } from '../../../middleware/presenceSync'
import { createStreamCursors, type StreamCursors } from '../../../middleware/streams'
import { decodeFrame } from '../../../src/protocol/codec'
import type { Frame } from '../../../src/protocol/frames'
import { MessageType } from '../../../src/protocol/messageTypes'

const NOW = 1_700_000_000_000

function frame(fields: Record<string, unknown>): Frame {
  const result = decodeFrame(JSON.stringify({ v: 1, timestamp: NOW, data: {}, ...fields }))
  if (!result.ok) throw new Error(`test frame invalid: ${result.message}`)
  return result.frame
}

const chat = (seq: number, room = 'general') =>
  frame({ id: `m${seq}`, type: 'chat_message', room, seq, data: { content: `message ${seq}` } })
const ack = (refId: string, seq: number) =>
  frame({ id: `a-${refId}`, type: 'ack', room: 'general', data: { refId, seq } })
const joined = (fromSeq: number, epoch = 'e1') =>
  frame({
    id: `j${fromSeq}`,
    type: 'joined',
    room: 'general',
    data: { refId: 'join-2', epoch, fromSeq, headSeq: fromSeq, resumed: true, gap: false },
  })

type Payload = Record<string, any>

function run(frames: Frame[], streams: StreamCursors): Array<UnknownAction & { payload: Payload }> {
  const burst = new Burst(() => NOW)
  for (const f of frames)
    routeFrame(f, burst, { streams, presence: createPresenceSync(), takeAuthReply: () => true })
  return burst.take() as Array<UnknownAction & { payload: Payload }>
}

function streamsIn(room: string, epoch = 'e1', seq = 0): StreamCursors {
  const streams = createStreamCursors(100)
  streams.track(room)
  streams.requestJoin(room, 'join-1')
  streams.joined(room, {
    refId: 'join-1',
    epoch,
    fromSeq: seq,
    headSeq: seq,
    resumed: true,
    gap: false,
  })
  // A join under way, for the `joined` frames the tests route.
  streams.requestJoin(room, 'join-2')
  return streams
}

beforeEach(() => {
  vi.useFakeTimers({ now: NOW })
})

afterEach(() => {
  vi.useRealTimers()
})

describe('Burst and routeFrame', () => {
  it('turns [chat, ack, chat, joined, chat] into messagesReceived(2), acked, joined, messagesReceived(1)', () => {
    const actions = run(
      [chat(1), ack('mine', 7), chat(2), joined(2), chat(3)],
      streamsIn('general'),
    )
    expect(actions.map((a) => a.type)).toEqual([
      'realtime/chat/messagesReceived',
      'realtime/outbox/acked',
      'realtime/rooms/joined',
      'realtime/chat/messagesReceived',
    ])
    expect(actions[0]?.payload.messages.map((m: Frame) => m.seq)).toEqual([1, 2])
    expect(actions[1]?.payload.acks).toEqual([{ refId: 'mine', seq: 7, room: 'general' }])
    expect(actions[2]?.payload).toMatchObject({ room: 'general', epoch: 'e1', fromSeq: 2 })
    expect(actions[3]?.payload.messages.map((m: Frame) => m.seq)).toEqual([3])
    for (const action of actions) expect(action.payload.at ?? NOW).toBe(NOW)
  })

  it('leaves the burst empty after take()', () => {
    const burst = new Burst(() => NOW)
    routeFrame(chat(1), burst, {
      streams: streamsIn('general'),
      presence: createPresenceSync(),
      takeAuthReply: () => true,
    })
    expect(burst.size).toBe(1)
    expect(burst.take()).toHaveLength(1)
    expect(burst.size).toBe(0)
    expect(burst.take()).toEqual([])
  })

  it('strips v from messages and keeps the rest of the frame', () => {
    const [action] = run([chat(1)], streamsIn('general'))
    const message = action?.payload.messages[0]
    expect(message).not.toHaveProperty('v')
    expect(message).toEqual({
      id: 'm1',
      type: 'chat_message',
      timestamp: NOW,
      room: 'general',
      seq: 1,
      data: { content: 'message 1' },
    })
  })

  it('drops duplicates and frames of untracked rooms without any action', () => {
    const streams = streamsIn('general', 'e1', 3)
    expect(run([chat(2), chat(3), chat(1, 'elsewhere')], streams)).toEqual([])
  })

  it('turns a seq gap into gapDetected with the expected and received seq, then drops until rejoined', () => {
    const actions = run([chat(1), chat(4), chat(5)], streamsIn('general'))
    expect(actions.map((a) => a.type)).toEqual([
      'realtime/chat/messagesReceived',
      'realtime/rooms/gapDetected',
    ])
    expect(actions[1]?.payload).toEqual({ room: 'general', expectedSeq: 2, receivedSeq: 4 })
  })

  it('rejects a room message without seq and frames only clients send', () => {
    const noSeq = frame({ id: 'x1', type: 'chat_message', room: 'general', data: { content: 'x' } })
    const auth = frame({ id: 'x2', type: 'auth', data: { token: 't' } })
    const join = frame({ id: 'x3', type: 'join', room: 'general', data: {} })
    const actions = run([noSeq, auth, join], streamsIn('general'))
    expect(actions.map((a) => a.type)).toEqual(['realtime/inbound/framesRejected'])
    expect(actions[0]?.payload.rejections.map((r: { id: string }) => r.id)).toEqual([
      'x1',
      'x2',
      'x3',
    ])
  })

  it('measures pong latency from the echoed ping timestamp', () => {
    const pong = frame({ id: 'p1', type: 'pong', data: { echo: NOW - 42 } })
    const actions = run([pong], createStreamCursors(100))
    expect(actions).toEqual([
      { type: 'realtime/connection/pongReceived', payload: { latency: 42, at: NOW } },
    ])
  })

  it('turns auth_ok into opened and error frames into one errorsReceived', () => {
    const ok = frame({
      id: 'o1',
      type: 'auth_ok',
      data: { userId: 'u', sessionId: 's', epoch: 'e' },
    })
    const e1 = frame({ id: 'e1', type: 'error', data: { code: 'SERVER_ERROR', message: 'a' } })
    const e2 = frame({ id: 'e2', type: 'error', data: { code: 'FORBIDDEN', message: 'b' } })
    const actions = run([ok, e1, e2], createStreamCursors(100))
    expect(actions.map((a) => a.type)).toEqual([
      'realtime/connection/opened',
      'realtime/connection/errorsReceived',
    ])
    expect(actions[0]?.payload).toEqual({
      userId: 'u',
      sessionId: 's',
      epoch: 'e',
      serverTime: NOW,
      at: NOW,
    })
    expect(actions[1]?.payload.errors.map((e: { code: string }) => e.code)).toEqual([
      'SERVER_ERROR',
      'FORBIDDEN',
    ])
  })

  it('ignores a joined for a room this client does not want', () => {
    expect(run([joined(0)], createStreamCursors(100))).toEqual([])
  })

  it('has a route for every frame type the codec accepts, and none for the others', () => {
    const reasonFor = (type: string) => {
      const result = decodeFrame(JSON.stringify({ v: 1, id: 'x', type, timestamp: 1 }))
      return result.ok ? 'ok' : result.reason
    }
    expect(Object.values(MessageType).map(reasonFor)).not.toContain('unknown_type')
    expect(Object.keys(FRAME_ROUTES).sort()).toEqual([...Object.values(MessageType)].sort())
  })
})

describe('routes for direct messages, typing, receipts, presence, notifications and events', () => {
  const ME = 'alice'
  const PRIVATE = 'user:alice'

  /** The private stream and room general, both joined. */
  function inGeneralToo(): StreamCursors {
    const streams = streamsIn(PRIVATE)
    streams.track('general')
    streams.requestJoin('general', 'g')
    streams.joined('general', {
      refId: 'g',
      epoch: 'e1',
      fromSeq: 0,
      headSeq: 0,
      resumed: true,
      gap: false,
    })
    return streams
  }

  function route(frames: Frame[], streams = streamsIn(PRIVATE)) {
    const burst = new Burst(() => NOW)
    const ctx = { streams, selfId: ME, presence: createPresenceSync(), takeAuthReply: () => true }
    for (const f of frames) routeFrame(f, burst, ctx)
    return burst.take() as Array<UnknownAction & { payload: Payload }>
  }
  const onPrivate = (seq: number, type: string, data: Record<string, unknown>, userId = 'srv') =>
    frame({ id: `p${seq}`, type, room: PRIVATE, seq, userId, data })

  it('batches direct messages of the private stream into one directMessagesReceived, dropping duplicates', () => {
    const dm = (seq: number) =>
      onPrivate(seq, 'direct_message', { to: ME, content: `dm ${seq}` }, 'bob')
    const actions = route([dm(1), dm(2), dm(2), dm(3)])
    expect(actions.map((a) => a.type)).toEqual(['realtime/chat/directMessagesReceived'])
    expect(actions[0]?.payload.messages.map((m: Frame) => m.seq)).toEqual([1, 2, 3])
    expect(actions[0]?.payload.messages[0]).toEqual({
      id: 'p1',
      type: 'direct_message',
      timestamp: NOW,
      room: PRIVATE,
      seq: 1,
      userId: 'bob',
      data: { to: ME, content: 'dm 1' },
    })
  })

  it('turns others’ typing frames into typingStarted/typingStopped, in place, and ignores this user’s', () => {
    const typing = (type: string, userId: string) =>
      frame({ id: `${type}-${userId}`, type, room: 'general', userId, data: {} })
    const actions = route(
      [
        typing('typing_start', 'bob'),
        typing('typing_start', ME),
        typing('typing_stop', ME),
        typing('typing_stop', 'bob'),
      ],
      inGeneralToo(),
    )
    expect(actions).toEqual([
      { type: 'realtime/chat/typingStarted', payload: { room: 'general', userId: 'bob', at: NOW } },
      { type: 'realtime/chat/typingStopped', payload: { room: 'general', userId: 'bob' } },
    ])
  })

  it('drops typing and read receipts for a room not joined on this socket', () => {
    const signal = (type: string, data: Record<string, unknown> = {}) =>
      frame({ id: `${type}-x`, type, room: 'toStringish', userId: 'bob', data })
    expect(
      route(
        [
          signal('typing_start'),
          signal('typing_stop'),
          signal('read_receipt', { messageId: 'm1', seq: 1 }),
        ],
        inGeneralToo(),
      ),
    ).toEqual([])
  })

  it('batches read receipts with their reader', () => {
    const receipt = (userId: string, seq: number) =>
      frame({
        id: `r-${userId}`,
        type: 'read_receipt',
        room: 'general',
        userId,
        data: { messageId: `m${seq}`, seq },
      })
    const actions = route([receipt('bob', 3), receipt('carol', 1)], inGeneralToo())
    expect(actions).toEqual([
      {
        type: 'realtime/chat/readReceiptsReceived',
        payload: {
          receipts: [
            { room: 'general', userId: 'bob', messageId: 'm3', seq: 3 },
            { room: 'general', userId: 'carol', messageId: 'm1', seq: 1 },
          ],
          at: NOW,
        },
      },
    ])
  })

  it('turns notifications into unread notifications with the frame’s id and time, and updates into updated', () => {
    const actions = route([
      onPrivate(1, 'notification', { title: 'Hi', kind: 'info', severity: 'info' }),
      onPrivate(2, 'notification_update', { op: 'read', id: 'p1' }),
    ])
    expect(actions).toEqual([
      {
        type: 'realtime/notifications/received',
        payload: {
          notifications: [
            { id: 'p1', title: 'Hi', kind: 'info', severity: 'info', createdAt: NOW, read: false },
          ],
          at: NOW,
        },
      },
      { type: 'realtime/notifications/updated', payload: { op: 'read', id: 'p1', at: NOW } },
    ])
  })

  it('turns a system alert into systemAlertReceived with the frame’s id', () => {
    const alert = frame({
      id: 'alert-1',
      type: 'system_alert',
      data: { message: 'Restarting', severity: 'critical' },
    })
    expect(route([alert])).toEqual([
      {
        type: 'realtime/notifications/systemAlertReceived',
        payload: { id: 'alert-1', message: 'Restarting', severity: 'critical', at: NOW },
      },
    ])
  })

  it('batches event updates of the private stream into events.received', () => {
    const event = { id: 'e1', title: 'Standup', startsAt: NOW, status: 'scheduled', updatedAt: NOW }
    const actions = route([onPrivate(1, 'event_update', event)])
    expect(actions).toEqual([
      { type: 'realtime/events/received', payload: { events: [event], at: NOW } },
    ])
  })

  it('drops private-stream frames before the stream is joined', () => {
    const notification = onPrivate(1, 'notification', {
      title: 'x',
      kind: 'info',
      severity: 'info',
    })
    expect(route([notification], createStreamCursors(100))).toEqual([])
  })

  it('holds presence diffs until the snapshot, then emits the snapshot before them', () => {
    const presenceFrame = (id: string, type: string, data: Record<string, unknown>) =>
      frame({ id, type, data })
    const actions = route([
      presenceFrame('o1', 'user_online', { userId: 'bob', status: 'away' }),
      presenceFrame('s1', 'presence_update', {
        snapshot: true,
        users: [{ userId: 'bob', status: 'online' }],
      }),
      presenceFrame('c1', 'presence_update', { users: [{ userId: 'carol', status: 'busy' }] }),
      presenceFrame('f1', 'user_offline', { userId: 'bob', status: 'offline', lastSeen: NOW }),
      presenceFrame('e1', 'presence_update', { users: [] }),
    ])
    expect(actions.map((a) => a.type)).toEqual([
      'realtime/presence/synced',
      'realtime/presence/userOnline',
      'realtime/presence/changed',
      'realtime/presence/userOffline',
    ])
    expect(actions[1]?.payload).toEqual({ userId: 'bob', status: 'away', at: NOW })
    expect(actions[3]?.payload).toEqual({
      userId: 'bob',
      status: 'offline',
      lastSeen: NOW,
      at: NOW,
    })
  })

  it('turns a removal (a user no longer seen) into changed with removed, after the snapshot', () => {
    const actions = route([
      frame({ id: 'r1', type: 'presence_update', data: { snapshot: false, removed: ['bob'] } }),
      frame({ id: 's1', type: 'presence_update', data: { snapshot: true, users: [] } }),
    ])
    expect(actions.map((a) => [a.type, a.payload.removed])).toEqual([
      ['realtime/presence/synced', undefined],
      ['realtime/presence/changed', ['bob']],
    ])
  })

  it('turns room_presence of a joined room into synced or changed, in place, and ignores other rooms', () => {
    const roomFrame = (id: string, room: string, data: Record<string, unknown>) =>
      frame({ id, type: 'room_presence', room, data })
    const actions = route(
      [
        roomFrame('l1', 'general', { snapshot: true, members: [{ userId: 'bob', data: [1] }] }),
        roomFrame('d1', 'general', { snapshot: false, members: [{ userId: 'carol' }] }),
        roomFrame('d2', 'general', { snapshot: false, left: ['bob'] }),
        roomFrame('e1', 'general', { snapshot: false }),
        roomFrame('x1', 'elsewhere', { snapshot: true, members: [{ userId: 'eve' }] }),
      ],
      inGeneralToo(),
    )
    expect(actions).toEqual([
      {
        type: 'realtime/roomPresence/synced',
        payload: { room: 'general', members: [{ userId: 'bob', data: [1] }], at: NOW },
      },
      {
        type: 'realtime/roomPresence/changed',
        payload: { room: 'general', members: [{ userId: 'carol' }], left: [], at: NOW },
      },
      {
        type: 'realtime/roomPresence/changed',
        payload: { room: 'general', members: [], left: ['bob'], at: NOW },
      },
    ])
  })
})

describe('app_message routing', () => {
  const app = (fields: Record<string, unknown>, data: Record<string, unknown>) =>
    frame({ type: 'app_message', room: 'board', userId: 'bob', ...fields, data })
  const moved = (seq: number, id = `c${seq}`) =>
    app({ id, seq }, { type: 'card_moved', data: { id, to: 'done' } })

  it('gives one custom.messagesReceived per burst, in the room stream shared with chat, once per (author, id)', () => {
    const actions = run(
      [
        moved(1),
        chat(2, 'board'),
        moved(3),
        moved(3),
        app({ id: 'v1' }, { type: 'cursor', data: { x: 1 }, volatile: true }),
      ],
      streamsIn('board'),
    )
    expect(actions.map((a) => a.type)).toEqual([
      'realtime/chat/messagesReceived',
      'realtime/custom/messagesReceived',
    ])
    expect(actions[1]?.payload.messages).toEqual([
      {
        id: 'c1',
        type: 'card_moved',
        room: 'board',
        userId: 'bob',
        timestamp: NOW,
        seq: 1,
        data: { id: 'c1', to: 'done' },
      },
      {
        id: 'c3',
        type: 'card_moved',
        room: 'board',
        userId: 'bob',
        timestamp: NOW,
        seq: 3,
        data: { id: 'c3', to: 'done' },
      },
      { id: 'v1', type: 'cursor', room: 'board', userId: 'bob', timestamp: NOW, data: { x: 1 } },
    ])
  })

  it('drops volatile ones of rooms not live, asks for a resume on a gap, and rejects one without its author', () => {
    const actions = run(
      [
        app({ id: 'v1', room: 'elsewhere' }, { type: 'cursor', data: 1, volatile: true }),
        moved(2),
        app({ id: 'x1', seq: 1, userId: undefined }, { type: 'card_moved', data: null }),
      ],
      streamsIn('board'),
    )
    expect(actions.map((a) => a.type)).toEqual([
      'realtime/rooms/gapDetected',
      'realtime/inbound/framesRejected',
    ])
    expect(actions[1]?.payload.rejections).toEqual([
      {
        reason: 'invalid_field',
        message: 'an app_message from the server needs a userId',
        id: 'x1',
      },
    ])
  })
})
