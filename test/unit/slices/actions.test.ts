import { describe, expect, it } from 'vitest'
import {
  clearNotifications,
  dismissNotification,
  markAllNotificationsRead,
  markAsRead,
  markNotificationRead,
  sendChatMessage,
  sendDirectMessage,
  sendMessage,
  setCustomStatus,
  setRoomPresence,
  setStatus,
  startTyping,
  subscribeToUser,
  type SendDirectMessageInput,
  type SendMessageInput,
} from '../../../slices/actions'
import * as commands from '../../../slices/commands'
import * as eventGroups from '../../../slices/events'
import type { PresenceStatus } from '../../../src/protocol/frames'
import { validateMessageDetailed } from '../../../src/utils/validateMessage'

describe('sendDirectMessage', () => {
  it('throws a TypeError without `to` or with a prototype key as `to`', () => {
    const noTo = { content: 'hi' } as SendDirectMessageInput
    expect(() => sendDirectMessage(noTo)).toThrow(TypeError)
    expect(() => sendDirectMessage(noTo)).toThrow(/sendDirectMessage: data\.to/)
    expect(() => sendDirectMessage({ to: '__proto__', content: 'hi' })).toThrow(TypeError)
    expect(() => sendDirectMessage({ to: 'has space', content: 'hi' })).toThrow(TypeError)
  })

  it('makes the validated message, ready for the outbox', () => {
    const { payload } = sendDirectMessage({ to: 'bob', content: 'hi', mentions: ['bob'] })
    expect(payload).toMatchObject({
      type: 'direct_message',
      data: { to: 'bob', content: 'hi', mentions: ['bob'] },
    })
    expect(typeof payload.id).toBe('string')
    expect(payload).not.toHaveProperty('room')
  })
})

describe('sendMessage', () => {
  it('throws a TypeError naming the allowed types for any other type', () => {
    const typing = {
      type: 'typing_start',
      room: 'general',
      data: {},
    } as unknown as SendMessageInput
    expect(() => sendMessage(typing)).toThrow(TypeError)
    expect(() => sendMessage(typing)).toThrow(/'chat_message'.*'direct_message'.*typing_start/)
    const update = {
      type: 'notification_update',
      data: { op: 'clear' },
    } as unknown as SendMessageInput
    expect(() => sendMessage(update)).toThrow(TypeError)
  })

  it('accepts a direct message with data.to', () => {
    expect(
      sendMessage({ type: 'direct_message', data: { to: 'bob', content: 'hi' } }).payload,
    ).toMatchObject({ type: 'direct_message', data: { to: 'bob', content: 'hi' } })
  })
})

describe('presence commands', () => {
  it("setStatus refuses 'offline' and unknown statuses, and accepts the others", () => {
    expect(() => setStatus('offline')).toThrow(TypeError)
    expect(() => setStatus('offline')).toThrow(/'online', 'away' or 'busy'/)
    expect(() => setStatus('sleeping' as PresenceStatus)).toThrow(TypeError)
    expect(['online', 'away', 'busy'].map((s) => setStatus(s as PresenceStatus).payload)).toEqual([
      { status: 'online' },
      { status: 'away' },
      { status: 'busy' },
    ])
  })

  it('setCustomStatus refuses more than 128 characters, and accepts 128 or an empty string', () => {
    expect(() => setCustomStatus('x'.repeat(129))).toThrow(TypeError)
    expect(() => setCustomStatus('x'.repeat(129))).toThrow(/at most 128/)
    expect(setCustomStatus('x'.repeat(128)).payload.customStatus).toHaveLength(128)
    expect(setCustomStatus('').payload).toEqual({ customStatus: '' })
  })

  it('subscribeToUser refuses an invalid user id', () => {
    expect(() => subscribeToUser('')).toThrow(TypeError)
    expect(() => subscribeToUser('__proto__')).toThrow(TypeError)
  })
})

describe('setRoomPresence', () => {
  const set =
    (data: unknown, room = 'board') =>
    () =>
      setRoomPresence({ room, data: data as never })

  it('takes JSON of at most 1 KiB and copies it', () => {
    const data = { cursor: { x: 1, y: 2 }, tags: ['a', null, true] }
    const action = setRoomPresence({ room: 'board', data })
    expect(action.payload).toEqual({ room: 'board', data })
    expect(action.payload.data).not.toBe(data)
    expect(setRoomPresence({ room: 'board', data: null }).payload.data).toBeNull()
    expect(set('x'.repeat(1022))).not.toThrow()
  })

  it('throws a TypeError that says the fix for anything else', () => {
    expect(set('x'.repeat(1023))).toThrow(/at most 1024 bytes \(keep larger state elsewhere/)
    for (const notJson of [
      undefined,
      () => 1,
      Symbol('s'),
      1n,
      NaN,
      Infinity,
      new Date(0),
      new Map(),
    ])
      expect(set(notJson)).toThrow(TypeError)
    expect(set({ nested: { at: new Date(0) } })).toThrow(/must be JSON.*Date/)
    // The one JSON rule (as for publish): an undefined property is dropped by JSON, so allowed.
    expect(set({ a: undefined })).not.toThrow()
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    expect(set(cyclic)).toThrow(TypeError)
    expect(set({ valueOf: 1 })).toThrow(/not allowed/)
    expect(set(JSON.parse('{"__proto__":1}'))).toThrow(/not allowed/)
    expect(set(1, 'toString')).toThrow(/room must be/)
    expect(set(1, 'user:alice')).toThrow(/private stream/)
  })
})

describe('notification commands', () => {
  it('markNotificationRead and dismissNotification need a valid id', () => {
    expect(() => markNotificationRead('')).toThrow(TypeError)
    expect(() => markNotificationRead('')).toThrow(/markNotificationRead \(id\)/)
    expect(() => dismissNotification('constructor')).toThrow(TypeError)
  })

  it('make notification_update messages with the op', () => {
    expect(markNotificationRead('n1').payload).toMatchObject({
      type: 'notification_update',
      data: { op: 'read', id: 'n1' },
    })
    expect(dismissNotification('n1').payload.data).toEqual({ op: 'dismiss', id: 'n1' })
    expect(markAllNotificationsRead().payload.data).toEqual({ op: 'read_all' })
    expect(clearNotifications().payload.data).toEqual({ op: 'clear' })
  })
})

describe('typing and receipt commands', () => {
  it('need a valid room and message id', () => {
    expect(() => startTyping('has space')).toThrow(TypeError)
    expect(() => markAsRead({ room: 'general', messageId: '' })).toThrow(TypeError)
    expect(() => markAsRead({ room: '__proto__', messageId: 'm1' })).toThrow(TypeError)
  })
})

describe('chat content: one rule for the command, validateMessage and the server', () => {
  it.each(['', '   ', '\n\t', 'bell\u0007', 'x'.repeat(16 * 1024 + 1)])(
    'sendChatMessage refuses %j with the reason validateMessage gives',
    (content) => {
      const check = validateMessageDetailed(content)
      expect(check.valid).toBe(false)
      const reason = check.valid ? '' : check.message
      expect(() => sendChatMessage({ room: 'general', content })).toThrow(reason)
      expect(() => sendDirectMessage({ to: 'bob', content })).toThrow(reason)
    },
  )

  it('accepts what validateMessage accepts, tabs and newlines included', () => {
    const content = 'line one\n\tline two'
    expect(validateMessageDetailed(content).valid).toBe(true)
    expect(sendChatMessage({ room: 'general', content }).payload.data).toEqual({ content })
  })
})

describe('action types: the middleware tells commands from events by them', () => {
  const typesOf = (values: unknown[]) =>
    values
      .filter((value): value is { type: string } => typeof value === 'function' && 'match' in value)
      .map((creator) => creator.type)

  it('names every command realtime/<imperative> and every event realtime/<domain>/<event>', () => {
    const commandTypes = typesOf(Object.values(commands))
    expect(commandTypes).toHaveLength(24)
    for (const type of commandTypes) expect(type).toMatch(/^realtime\/[^/]+$/)
    const eventTypes = Object.values(eventGroups).flatMap((group) =>
      typeof group === 'object' && group !== null ? typesOf(Object.values(group)) : [],
    )
    expect(eventTypes.length).toBeGreaterThan(30)
    for (const type of eventTypes) expect(type).toMatch(/^realtime\/[^/]+\/[^/]+$/)
  })
})
