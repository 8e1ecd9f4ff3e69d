import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import {
  DEFAULT_LIMITS,
  decodeFrame,
  encodeFrame,
  unbatch,
  validateFrame,
  type DecodeResult,
  type RejectReason,
} from '../../../src/protocol/codec'
import { MessageType } from '../../../src/protocol/messageTypes'

// A Record keyed by the union makes the compiler check this list against RejectReason.
const REASON_SET: Record<RejectReason, true> = {
  binary: true,
  oversize: true,
  invalid_json: true,
  not_object: true,
  forbidden_key: true,
  too_deep: true,
  bad_version: true,
  bad_id: true,
  unknown_type: true,
  invalid_field: true,
}
const REASONS = Object.keys(REASON_SET) as RejectReason[]

const RUNS = 3000

/** A fully featured valid chat_message frame, as it travels on the wire. */
function validChat(): Record<string, unknown> {
  return {
    v: 1,
    id: 'msg-1',
    type: 'chat_message',
    timestamp: 1_700_000_000_000,
    userId: 'alice',
    room: 'general',
    seq: 7,
    data: {
      content: 'hello',
      replyTo: 'msg-0',
      mentions: ['bob', 'carol'],
      attachments: [
        { name: 'a.png', url: 'https://example.com/a.png', mimeType: 'image/png', size: 10 },
      ],
    },
  }
}

function json(value: unknown): string {
  return JSON.stringify(value)
}

function reasonOf(result: DecodeResult): RejectReason | 'ok' {
  return result.ok ? 'ok' : result.reason
}

/** The codec's contract: a frame that survives a round trip unchanged, or a known reason. */
function expectWellFormed(result: DecodeResult): void {
  if (result.ok) {
    const again = decodeFrame(encodeFrame(result.frame))
    expect(again.ok).toBe(true)
    if (again.ok) {
      // Equal as JSON: `-0` parses to -0 but encodes as `0`, so compare through the encoding.
      expect(again.frame).toEqual(JSON.parse(encodeFrame(result.frame)))
      expect(encodeFrame(again.frame)).toBe(encodeFrame(result.frame))
    }
  } else {
    expect(REASONS).toContain(result.reason)
    expect(typeof result.message).toBe('string')
  }
}

function isPolluted(): boolean {
  const probe: Record<string, unknown> = {}
  return (
    'polluted' in probe ||
    Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted') ||
    Object.prototype.hasOwnProperty.call(Object.prototype, 'isAdmin')
  )
}

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype'])
const validId = fc.stringMatching(/^[\x21-\x7e]{1,20}$/).filter((s) => !FORBIDDEN.has(s))
const badId = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'has space', '', 'x'.repeat(129)),
  fc.anything(),
)

/** Mostly a valid value, sometimes noise: most frames are accepted, many are not. */
function mostly<T>(valid: fc.Arbitrary<T>, noise: fc.Arbitrary<unknown> = fc.anything()) {
  return fc.oneof({ weight: 12, arbitrary: valid }, { weight: 1, arbitrary: noise })
}

/** Objects shaped like frames of every type, so the accepted path is exercised as often as not. */
const frameLike = fc.record({
  v: mostly(fc.constant(1)),
  id: mostly(validId, badId),
  type: mostly(fc.constantFrom(...Object.values(MessageType))),
  timestamp: mostly(fc.nat(), fc.oneof(fc.double(), fc.anything())),
  userId: mostly(fc.option(validId, { nil: undefined }), badId),
  room: mostly(validId, badId),
  seq: mostly(fc.option(fc.nat(), { nil: undefined }), fc.oneof(fc.integer(), fc.double())),
  data: mostly(
    fc.record({
      content: mostly(fc.string({ unit: 'binary', maxLength: 40 })),
      replyTo: mostly(fc.option(validId, { nil: undefined }), badId),
      mentions: mostly(fc.option(fc.array(validId, { maxLength: 3 }), { nil: undefined })),
      attachments: mostly(
        fc.option(
          fc.array(
            fc.record({
              name: fc.string(),
              url: fc.constantFrom('https://example.com/a', '/a', 'ftp://x'),
              mimeType: fc.string(),
              size: mostly(fc.nat()),
            }),
            { maxLength: 2 },
          ),
          { nil: undefined },
        ),
      ),
      token: mostly(fc.string()),
      userId: mostly(validId, badId),
      sessionId: mostly(validId, badId),
      epoch: mostly(validId, badId),
      refId: mostly(validId, badId),
      seq: mostly(fc.option(fc.nat(), { nil: undefined })),
      echo: mostly(fc.nat()),
      fromSeq: mostly(fc.nat()),
      headSeq: mostly(fc.nat()),
      resumed: mostly(fc.boolean()),
      gap: mostly(fc.boolean()),
      code: mostly(fc.constantFrom('RATE_LIMITED', 'SERVER_ERROR', 'NOT_JOINED'), fc.string()),
      message: mostly(fc.string()),
      retryAfterMs: mostly(fc.option(fc.nat(), { nil: undefined })),
      frames: mostly(fc.constant([validChat()]), fc.anything()),
      extra: fc.anything(),
    }),
  ),
  extra: fc.anything(),
})

const MUTABLE_PATHS: ReadonlyArray<ReadonlyArray<string | number>> = [
  ['v'],
  ['id'],
  ['type'],
  ['timestamp'],
  ['userId'],
  ['room'],
  ['seq'],
  ['data'],
  ['data', 'content'],
  ['data', 'replyTo'],
  ['data', 'mentions'],
  ['data', 'mentions', 0],
  ['data', 'attachments'],
  ['data', 'attachments', 0],
  ['data', 'attachments', 0, 'name'],
  ['data', 'attachments', 0, 'url'],
  ['data', 'attachments', 0, 'mimeType'],
  ['data', 'attachments', 0, 'size'],
  ['extra'],
  ['data', 'extra'],
]

function mutate(path: ReadonlyArray<string | number>, value: unknown): Record<string, unknown> {
  const frame = validChat()
  let node = frame as Record<string | number, unknown>
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>
  node[path[path.length - 1] as string | number] = value
  return frame
}

afterEach(() => {
  expect(isPolluted()).toBe(false)
})

describe('decodeFrame (properties)', () => {
  it('never throws on arbitrary strings and always returns a frame or a known reason', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' })), (raw) => {
        expectWellFormed(decodeFrame(raw))
      }),
      { numRuns: RUNS },
    )
  })

  it('never throws on arbitrary JSON documents', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const result = decodeFrame(json(value))
        expectWellFormed(result)
        if (typeof value !== 'object' || value === null || Array.isArray(value)) {
          expect(reasonOf(result)).toBe('not_object')
        }
      }),
      { numRuns: RUNS },
    )
  })

  it('rejects every non-string message with reason binary', () => {
    fc.assert(
      fc.property(
        fc.anything({ withBoxedValues: true, withMap: true, withSet: true, withTypedArray: true }),
        (value) => {
          fc.pre(typeof value !== 'string')
          const result = decodeFrame(value)
          expect(reasonOf(result)).toBe('binary')
        },
      ),
      { numRuns: RUNS },
    )
  })

  it('never throws on frame-shaped objects, and every accepted one round-trips', () => {
    let accepted = 0
    fc.assert(
      fc.property(frameLike, (frame) => {
        const result = decodeFrame(json(frame))
        if (result.ok) accepted++
        expectWellFormed(result)
      }),
      { numRuns: RUNS },
    )
    // The generator is meant to reach the accepted path too; without it the round trip is untested.
    expect(accepted).toBeGreaterThan(RUNS / 10)
  })

  it('never throws on a valid chat frame with one field replaced by an arbitrary value', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...MUTABLE_PATHS),
        fc.oneof(fc.anything(), fc.jsonValue(), fc.string(), fc.integer(), fc.double()),
        (path, value) => {
          const frame = mutate(path, value)
          expectWellFormed(decodeFrame(json(frame)))
          // validateFrame takes parsed JSON but promises never to throw on anything.
          expectWellFormed(validateFrame(frame))
        },
      ),
      { numRuns: RUNS },
    )
  })

  it('accepts the unmutated valid chat frame', () => {
    const result = decodeFrame(json(validChat()))
    expect(result).toEqual({ ok: true, frame: validChat() })
  })
})

describe('decodeFrame (rejections)', () => {
  const base = validChat()
  const withData = (data: Record<string, unknown>) => json({ ...base, data })

  const cases: Array<[string, unknown, RejectReason]> = [
    ['a Buffer', Buffer.from(json(base)), 'binary'],
    ['an ArrayBuffer', new ArrayBuffer(8), 'binary'],
    ['undefined', undefined, 'binary'],
    ['invalid JSON', '{"v":1,', 'invalid_json'],
    ['an empty message', '', 'invalid_json'],
    ['a JSON array', json([base]), 'not_object'],
    ['JSON null', 'null', 'not_object'],
    ['a JSON number', '42', 'not_object'],
    [
      'a top-level __proto__ key',
      '{"v":1,"id":"m1","type":"chat_message","timestamp":1,"room":"r","__proto__":{"polluted":true},"data":{"content":"x"}}',
      'forbidden_key',
    ],
    [
      'a __proto__ key deep in data',
      '{"v":1,"id":"m1","type":"chat_message","timestamp":1,"room":"r","data":{"content":"x","a":{"b":[{"c":{"__proto__":{"polluted":true}}}]}}}',
      'forbidden_key',
    ],
    [
      'a constructor key',
      withData({ content: 'x', constructor: { prototype: {} } }),
      'forbidden_key',
    ],
    ['a prototype key', withData({ content: 'x', meta: { prototype: 1 } }), 'forbidden_key'],
    [
      'nesting deeper than the limit',
      withData({ content: 'x', deep: JSON.parse('{"a":'.repeat(40) + '1' + '}'.repeat(40)) }),
      'too_deep',
    ],
    [
      'arrays nested deeper than the limit',
      withData({ content: 'x', deep: JSON.parse('['.repeat(40) + ']'.repeat(40)) }),
      'too_deep',
    ],
    ['v: 2', json({ ...base, v: 2 }), 'bad_version'],
    ['v as a string', json({ ...base, v: '1' }), 'bad_version'],
    ['no v', json({ ...base, v: undefined }), 'bad_version'],
    ['an id of 129 characters', json({ ...base, id: 'x'.repeat(129) }), 'bad_id'],
    ["the id '__proto__'", json({ ...base, id: '__proto__' }), 'bad_id'],
    ['an id with a space', json({ ...base, id: 'has space' }), 'bad_id'],
    ['an empty id', json({ ...base, id: '' }), 'bad_id'],
    ['a numeric id', json({ ...base, id: 12 }), 'bad_id'],
    ['an unknown type', json({ ...base, type: 'nope' }), 'unknown_type'],
    ['no type', json({ ...base, type: undefined }), 'unknown_type'],
    [
      'a direct_message without data.to',
      json({ ...base, type: 'direct_message' }),
      'invalid_field',
    ],
    [
      'typing_start without a room',
      json({ ...base, type: 'typing_start', room: undefined }),
      'invalid_field',
    ],
    ['content as a number', withData({ content: 42 }), 'invalid_field'],
    // The one content rule of the command, WebSocketUtils.validateMessage and the server.
    ['empty content', withData({ content: '' }), 'invalid_field'],
    ['blank content', withData({ content: ' \n\t ' }), 'invalid_field'],
    ['content with a control character', withData({ content: 'a\u0007b' }), 'invalid_field'],
    ['seq -1', json({ ...base, seq: -1 }), 'invalid_field'],
    ['seq 1.5', json({ ...base, seq: 1.5 }), 'invalid_field'],
    ['a chat_message without a room', json({ ...base, room: undefined }), 'invalid_field'],
    ['a room with a space', json({ ...base, room: 'two words' }), 'invalid_field'],
    ['a negative timestamp', json({ ...base, timestamp: -1 }), 'invalid_field'],
    ['data as an array', json({ ...base, data: ['x'] }), 'invalid_field'],
    [
      'an attachment with a javascript: url',
      withData({
        content: 'x',
        attachments: [{ name: 'a', url: 'javascript:alert(1)', mimeType: 't', size: 1 }],
      }),
      'invalid_field',
    ],
    ...['//evil.example/x', '/\\evil.example', '/\t/evil.example', '/a b', 'data:text/html,x'].map(
      (url): [string, unknown, RejectReason] => [
        `an attachment url a browser reads as another host or scheme: ${JSON.stringify(url)}`,
        withData({ content: 'x', attachments: [{ name: 'a', url, mimeType: 't', size: 1 }] }),
        'invalid_field',
      ],
    ),
    ...['__proto__', 'toString', 'constructor'].map((kind): [string, unknown, RejectReason] => [
      `a notification kind that is an Object.prototype member name: ${kind}`,
      json({
        v: 1,
        id: 'n1',
        type: 'notification',
        timestamp: 1,
        room: 'user:a',
        seq: 1,
        data: { title: 't', kind, severity: 'info' },
      }),
      'invalid_field',
    ]),
    [
      'an error frame with an unknown code',
      json({ v: 1, id: 'e1', type: 'error', timestamp: 1, data: { code: 'NOPE', message: 'x' } }),
      'invalid_field',
    ],
  ]

  it.each(cases)('rejects %s', (_name, input, reason) => {
    const result = decodeFrame(input, DEFAULT_LIMITS)
    expect(reasonOf(result)).toBe(reason)
  })

  it('has an example for every RejectReason', () => {
    const covered = new Set(cases.map(([, , reason]) => reason))
    covered.add('oversize') // Covered with its own limits below.
    expect([...covered].sort()).toEqual([...REASONS].sort())
  })

  it('reports the id and type of a frame refused after its id could be read', () => {
    const result = decodeFrame(json({ ...base, seq: -1 }))
    expect(result).toMatchObject({
      ok: false,
      reason: 'invalid_field',
      id: 'msg-1',
      type: 'chat_message',
    })
    expect(result.ok ? '' : result.message).toMatch(/seq/)
  })

  it('accepts a frame exactly at maxBytes and rejects one byte more', () => {
    const frame = (content: string) => json({ ...base, data: { content } })
    const maxBytes = frame('').length + 10
    expect(reasonOf(decodeFrame(frame('a'.repeat(10)), { maxBytes }))).toBe('ok')
    expect(reasonOf(decodeFrame(frame('a'.repeat(11)), { maxBytes }))).toBe('oversize')
  })

  it('counts multi-byte characters as bytes, not UTF-16 units, against maxBytes', () => {
    const frame = (content: string) => json({ ...base, data: { content } })
    const maxBytes = frame('').length + 10
    // 8 characters but 16 bytes: within the limit by length, over it in UTF-8.
    const twoByte = frame('é'.repeat(8))
    expect(twoByte.length).toBeLessThanOrEqual(maxBytes)
    expect(reasonOf(decodeFrame(twoByte, { maxBytes }))).toBe('oversize')
    // 3 emoji: 6 UTF-16 units, 12 bytes.
    const emoji = frame('😀😀😀')
    expect(emoji.length).toBeLessThanOrEqual(maxBytes)
    expect(reasonOf(decodeFrame(emoji, { maxBytes }))).toBe('oversize')
    // 5 two-byte characters are exactly 10 bytes: accepted.
    expect(reasonOf(decodeFrame(frame('é'.repeat(5)), { maxBytes }))).toBe('ok')
    expect(reasonOf(decodeFrame(frame('😀😀'), { maxBytes }))).toBe('ok')
  })

  it('rejects a batch that contains a batch', () => {
    const inner = { v: 1, id: 'b2', type: 'batch', timestamp: 1, data: { frames: [base] } }
    const result = decodeFrame(
      json({ v: 1, id: 'b1', type: 'batch', timestamp: 1, data: { frames: [inner] } }),
    )
    expect(reasonOf(result)).toBe('invalid_field')
    expect(result.ok ? '' : result.message).toMatch(/batch/)
  })

  it('rejects a whole batch when one inner frame is invalid', () => {
    const bad = { ...base, id: 'msg-2', seq: -1 }
    const result = decodeFrame(
      json({ v: 1, id: 'b1', type: 'batch', timestamp: 1, data: { frames: [base, bad] } }),
    )
    expect(reasonOf(result)).toBe('invalid_field')
    expect(result.ok ? '' : result.message).toMatch(/data\.frames/)
  })

  it('rejects a batch with more frames than maxBatch', () => {
    const frames = [base, { ...base, id: 'msg-2', seq: 8 }, { ...base, id: 'msg-3', seq: 9 }]
    const raw = json({ v: 1, id: 'b1', type: 'batch', timestamp: 1, data: { frames } })
    expect(reasonOf(decodeFrame(raw, { maxBytes: 1e6, maxBatch: 2 }))).toBe('invalid_field')
    expect(reasonOf(decodeFrame(raw, { maxBytes: 1e6, maxBatch: 3 }))).toBe('ok')
  })

  it('accepts nesting well within the limit', () => {
    const shallow = withData({
      content: 'x',
      deep: JSON.parse('{"a":'.repeat(8) + '1' + '}'.repeat(8)),
    })
    expect(reasonOf(decodeFrame(shallow))).toBe('ok')
  })
})

describe('decodeFrame (frames checked in place)', () => {
  const decoded = (frame: unknown) => reasonOf(decodeFrame(json(frame)))
  const chatWith = (data: Record<string, unknown>) => ({ ...validChat(), data })
  const attachment = { name: 'a.png', url: '/a.png', mimeType: 'image/png', size: 1 }

  it('still checks every field of a frame that has only known fields', () => {
    expect(decoded(validChat())).toBe('ok')
    expect(decoded({ ...validChat(), timestamp: -1 })).toBe('invalid_field')
    expect(decoded({ ...validChat(), seq: 1.5 })).toBe('invalid_field')
    expect(decoded({ ...validChat(), userId: 'toString' })).toBe('invalid_field')
    expect(decoded(chatWith({ content: 5 }))).toBe('invalid_field')
    expect(decoded(chatWith({ content: 'x', replyTo: 'has space' }))).toBe('invalid_field')
    expect(decoded(chatWith({ content: 'x', mentions: ['bob', 5] }))).toBe('invalid_field')
    expect(decoded(chatWith({ content: 'x', attachments: [{ ...attachment, size: '1' }] }))).toBe(
      'invalid_field',
    )
    expect(
      decoded(chatWith({ content: 'x', attachments: [{ ...attachment, url: 'javascript:x' }] })),
    ).toBe('invalid_field')
  })

  it('refuses a __proto__ key wherever it is, even in place of a known field', () => {
    const raw = json(chatWith({ content: 'x', attachments: [attachment] })).replace(
      '"size":1',
      '"__proto__":1',
    )
    expect(reasonOf(decodeFrame(raw))).toBe('forbidden_key')
    expect(reasonOf(decodeFrame(json(validChat()).replace('"seq"', '"__proto__"')))).toBe(
      'forbidden_key',
    )
  })

  it('still applies a maxDepth below what a chat message with attachments needs', () => {
    const raw = json(chatWith({ content: 'x', attachments: [attachment] }))
    expect(reasonOf(decodeFrame(raw, { maxBytes: 1e6, maxDepth: 3 }))).toBe('ok')
    expect(reasonOf(decodeFrame(raw, { maxBytes: 1e6, maxDepth: 2 }))).toBe('too_deep')
  })

  it('does not count an unknown field as the known field it replaces', () => {
    // As many keys as a direct message with `to`, but `to` is missing.
    const direct = { ...validChat(), type: 'direct_message', data: { content: 'x', bcc: 'eve' } }
    expect(decoded(direct)).toBe('invalid_field')
    // A chat message with one unknown field in place of `replyTo`: the field is dropped.
    const result = decodeFrame(json(chatWith({ content: 'x', replyto: 'msg-0' })))
    expect(result.ok && result.frame.data).toEqual({ content: 'x' })
  })

  it('gives the same frame whether a field was unknown or not', () => {
    const clean = decodeFrame(json(validChat()))
    const dirty = decodeFrame(json({ ...validChat(), extra: 1 }))
    expect(clean).toEqual(dirty)
    expect(clean).toEqual(validateFrame(validChat()))
    const direct = { ...validChat(), type: 'direct_message', data: { content: 'x', to: 'bob' } }
    expect(decodeFrame(json(direct))).toEqual({ ok: true, frame: direct })
  })
})

describe('decodeFrame (chat frames with content alone, the usual frame)', () => {
  const plain = (fields: Record<string, unknown> = {}) => ({
    ...validChat(),
    data: { content: 'hello' },
    ...fields,
  })
  const hostile = fc.oneof(
    fc.string(),
    fc.constantFrom('toString', '__proto__', 'has space', '', 'x'.repeat(129), 'x'.repeat(301)),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
  )

  it('decides every field as the full checks do', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('v', 'id', 'type', 'timestamp', 'userId', 'room', 'seq', 'extra'),
        hostile,
        fc.oneof(fc.string(), fc.constantFrom(' ', 'a\u0000b', 'x'.repeat(16_385))),
        (field, value, content) => {
          const frame = { ...plain(), [field]: value, data: { content } }
          expect(decodeFrame(json(frame))).toEqual(validateFrame(JSON.parse(json(frame))))
        },
      ),
      { numRuns: RUNS },
    )
  })
})

describe('decodeFrame (accepted frames)', () => {
  it('drops unknown fields at every level', () => {
    const raw = {
      ...validChat(),
      extra: 'top',
      admin: true,
      data: {
        ...(validChat().data as Record<string, unknown>),
        extra: 'data',
        attachments: [
          { name: 'a.png', url: '/a.png', mimeType: 'image/png', size: 1, onclick: 'x' },
        ],
      },
    }
    const result = decodeFrame(json(raw))
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.frame).not.toHaveProperty('extra')
    expect(result.frame).not.toHaveProperty('admin')
    expect(result.frame.data).not.toHaveProperty('extra')
    expect(result.frame).toEqual({
      ...validChat(),
      data: {
        ...(validChat().data as Record<string, unknown>),
        attachments: [{ name: 'a.png', url: '/a.png', mimeType: 'image/png', size: 1 }],
      },
    })
  })

  it('drops unknown fields from the frames inside a batch and unbatches them in order', () => {
    const second = { ...validChat(), id: 'msg-2', seq: 8, extra: 1 }
    const result = decodeFrame(
      json({
        v: 1,
        id: 'b1',
        type: 'batch',
        timestamp: 1,
        data: { frames: [validChat(), second] },
      }),
    )
    expect(result.ok).toBe(true)
    if (!result.ok) return
    const frames = unbatch(result.frame)
    expect(frames.map((f) => f.id)).toEqual(['msg-1', 'msg-2'])
    expect(frames[1]).not.toHaveProperty('extra')
  })

  it('returns a fresh object, not the parsed input', () => {
    const input = validChat()
    const result = validateFrame(input)
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.frame).toEqual(input)
    expect(result.frame).not.toBe(input)
    expect(result.frame.data).not.toBe(input.data)
  })
})

describe('decodeFrame (prototype pollution)', () => {
  const attacks = [
    '{"__proto__":{"polluted":true}}',
    '{"v":1,"id":"m1","type":"chat_message","timestamp":1,"room":"r","__proto__":{"polluted":true},"data":{"content":"x"}}',
    '{"v":1,"id":"m1","type":"chat_message","timestamp":1,"room":"r","data":{"content":"x","__proto__":{"polluted":true}}}',
    '{"v":1,"id":"m1","type":"chat_message","timestamp":1,"room":"r","data":{"content":"x","constructor":{"prototype":{"polluted":true}}}}',
    '{"v":1,"id":"b1","type":"batch","timestamp":1,"data":{"frames":[{"v":1,"id":"m1","type":"chat_message","timestamp":1,"room":"r","data":{"content":"x","__proto__":{"isAdmin":true}}}]}}',
    '{"v":1,"id":"a1","type":"auth_ok","timestamp":1,"data":{"userId":"u","sessionId":"s","epoch":"e","__proto__":{"isAdmin":true}}}',
  ]

  it.each(attacks)('leaves Object.prototype untouched after decoding %s', (raw) => {
    const result = decodeFrame(raw)
    expect(reasonOf(result)).toBe('forbidden_key')
    expect(isPolluted()).toBe(false)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined()
  })
})

describe('decodeFrame (room_presence)', () => {
  const roomPresence = (data: Record<string, unknown>, room: unknown = 'board') =>
    decodeFrame(json({ v: 1, id: 'rp1', type: 'room_presence', timestamp: 1, room, data }))

  it('accepts any JSON as data up to 1 KiB, null and nesting included', () => {
    for (const data of [null, 0, 'x'.repeat(1022), [1, [2, { a: [true, null] }]], { é: 'ü' }]) {
      const result = roomPresence({ data })
      expect(result.ok && result.frame.data).toEqual({ data })
    }
  })

  it('refuses data above 1 KiB as UTF-8 JSON, counting bytes not characters', () => {
    expect(reasonOf(roomPresence({ data: 'x'.repeat(1023) }))).toBe('invalid_field')
    // 400 two-byte characters: 802 bytes; 600 of them: 1,202 bytes.
    expect(roomPresence({ data: 'é'.repeat(400) }).ok).toBe(true)
    expect(reasonOf(roomPresence({ data: 'é'.repeat(600) }))).toBe('invalid_field')
  })

  it('needs a room, and checks member lists and left users like every id', () => {
    const roomless = { v: 1, id: 'rp0', type: 'room_presence', timestamp: 1, data: { data: 1 } }
    expect(reasonOf(decodeFrame(json(roomless)))).toBe('invalid_field')
    expect(reasonOf(roomPresence({ data: 1 }, 'toString'))).toBe('invalid_field')
    const list = roomPresence({
      snapshot: true,
      members: [{ userId: 'bob', data: { x: 1 }, extra: 1 }, { userId: 'carol' }],
      left: ['dave'],
    })
    expect(list.ok && list.frame.data).toEqual({
      snapshot: true,
      members: [{ userId: 'bob', data: { x: 1 } }, { userId: 'carol' }],
      left: ['dave'],
    })
    expect(reasonOf(roomPresence({ members: [{ userId: 'valueOf' }] }))).toBe('invalid_field')
    expect(reasonOf(roomPresence({ members: [{ userId: 'bob', data: 'x'.repeat(1100) }] }))).toBe(
      'invalid_field',
    )
    expect(reasonOf(roomPresence({ left: ['hasOwnProperty'] }))).toBe('invalid_field')
    expect(reasonOf(roomPresence({ left: Array(1001).fill('u') }))).toBe('invalid_field')
  })

  it('accepts a presence_update that removes users, checking their ids', () => {
    const removal = decodeFrame(
      json({ v: 1, id: 'p1', type: 'presence_update', timestamp: 1, data: { removed: ['bob'] } }),
    )
    expect(removal.ok && removal.frame.data).toEqual({ removed: ['bob'] })
    const bad = decodeFrame(
      json({
        v: 1,
        id: 'p2',
        type: 'presence_update',
        timestamp: 1,
        data: { removed: ['__proto__'] },
      }),
    )
    expect(reasonOf(bad)).toBe('invalid_field')
  })
})
