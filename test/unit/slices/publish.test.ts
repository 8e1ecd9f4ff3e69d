import { describe, expect, it } from 'vitest'
import { publish } from '../../../slices/commands'
import { decodeFrame } from '../../../src/protocol/codec'
import { isValidAppMessageType } from '../../../src/protocol/validate'

const wire = (data: unknown, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    v: 1,
    id: 'm1',
    type: 'app_message',
    timestamp: 1,
    room: 'board',
    data,
    ...extra,
  })

describe('the app message type name rule', () => {
  it('accepts lowercase names of 1-64 characters that are no protocol type or prototype member', () => {
    for (const name of ['a', 'card_moved', 'board.card:moved-2', 'x'.repeat(64)])
      expect(isValidAppMessageType(name)).toBe(true)
    for (const name of [
      '',
      'Card',
      '1card',
      '_card',
      'card moved',
      'x'.repeat(65),
      'chat_message',
      'ping',
      'app_message',
      'constructor',
      'prototype',
      42,
    ])
      expect(isValidAppMessageType(name)).toBe(false)
  })
})

describe('the codec on app_message frames (both sides)', () => {
  it('keeps type, data and volatile: true only, with data any JSON', () => {
    const decoded = decodeFrame(
      wire({ type: 'cursor', data: [1, { x: null }], volatile: true, extra: 1 }),
    )
    expect(decoded).toEqual({
      ok: true,
      frame: {
        v: 1,
        id: 'm1',
        type: 'app_message',
        timestamp: 1,
        room: 'board',
        data: { type: 'cursor', data: [1, { x: null }], volatile: true },
      },
    })
    const durable = decodeFrame(wire({ type: 'cursor', data: 'hi', volatile: false }))
    expect(durable.ok && durable.frame.data).toEqual({ type: 'cursor', data: 'hi' })
  })

  it('refuses a bad type name, missing data, a non-boolean volatile, no room and prototype keys', () => {
    const cases: Array<[string, string]> = [
      [wire({ type: 'Card', data: 1 }), 'data.type must be a lowercase name'],
      [wire({ type: 'chat_message', data: 1 }), 'neither a protocol type'],
      [wire({ type: 'toString', data: 1 }), 'data.type must be'],
      [wire({ data: 1 }), 'data.type must be'],
      [wire({ type: 'cursor' }), 'data.data is required'],
      [wire({ type: 'cursor', data: 1, volatile: 'yes' }), 'data.volatile must be a boolean'],
      [wire({ type: 'cursor', data: 1 }, { room: undefined }), 'needs a room'],
      [
        '{"v":1,"id":"m1","type":"app_message","timestamp":1,"room":"b","data":{"type":"c","data":{"__proto__":{}}}}',
        'keys __proto__',
      ],
    ]
    for (const [text, message] of cases) {
      const result = decodeFrame(text)
      expect(result.ok, text).toBe(false)
      if (!result.ok) {
        expect(result.message).toContain(message)
        if (result.reason !== 'forbidden_key') expect(result.id).toBe('m1')
      }
    }
  })
})

describe('publish(input)', () => {
  it('builds a plain payload with a fresh id, a copy of the data and volatile false by default', () => {
    const data = { id: 'c1', to: 'done', note: undefined }
    // JSON drops undefined properties; the default map's JsonValue type does not allow them.
    const action = publish({ room: 'board', type: 'card_moved', data } as unknown as Parameters<
      typeof publish
    >[0])
    expect(action.payload).toEqual({
      id: expect.any(String),
      timestamp: expect.any(Number),
      room: 'board',
      type: 'card_moved',
      data: { id: 'c1', to: 'done' },
      volatile: false,
    })
    data.to = 'changed'
    expect(action.payload.data).toEqual({ id: 'c1', to: 'done' })
    expect(
      publish({ room: 'b', type: 'cursor', data: null, volatile: true, id: 'mine' }).payload,
    ).toMatchObject({ id: 'mine', data: null, volatile: true })
  })

  it('throws at once, saying the fix, for a bad room, type, volatile or anything that is not JSON', () => {
    const bad = (input: unknown) => () => publish(input as Parameters<typeof publish>[0])
    const base = { room: 'board', type: 'card_moved', data: 1 }
    const circular: Record<string, unknown> = {}
    circular.self = circular
    class Point {
      x = 1
    }
    expect(bad(null)).toThrow('publish: pass { room, type, data, volatile? }')
    expect(bad({ ...base, room: 'toString' })).toThrow(/publish\(room\): room must be/)
    expect(bad({ ...base, type: 'Card Moved' })).toThrow(/type must be a lowercase name matching/)
    expect(bad({ ...base, volatile: 'yes' })).toThrow(/volatile must be a boolean/)
    expect(bad({ ...base, data: undefined })).toThrow(/data is required \(pass null/)
    expect(bad({ ...base, data: { at: new Date() } })).toThrow(/data.at is not a plain object/)
    expect(bad({ ...base, data: { run: () => {} } })).toThrow(/data.run is a function/)
    expect(bad({ ...base, data: [1, Number.NaN] })).toThrow(/data\[1\] is NaN/)
    expect(bad({ ...base, data: [undefined] })).toThrow(/data\[0\] is undefined/)
    expect(bad({ ...base, data: new Point() })).toThrow(/not a plain object/)
    expect(bad({ ...base, data: circular })).toThrow(
      /nested deeper than 16 levels \(or is circular\)/,
    )
    expect(bad({ ...base, data: { constructor: 1 } })).toThrow(/Object.prototype member name/)
    expect(bad({ ...base, id: 'toString' })).toThrow(/id must be/)
  })
})
