import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeFrame } from '../../../src/protocol/codec'
import { decodeBase64, encodeBase64 } from '../../../src/protocol/docFrames'

function frame(type: string, data: Record<string, unknown>): string {
  return JSON.stringify({ v: 1, id: 'f-1', type, timestamp: 1, data })
}

describe('base64 for Yjs bytes', () => {
  it('round-trips any bytes and matches the standard alphabet with padding', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const text = encodeBase64(bytes)
        expect(text).toBe(Buffer.from(bytes).toString('base64'))
        expect(decodeBase64(text)).toEqual(bytes)
      }),
      { numRuns: 500 },
    )
  })

  it('refuses text that is not canonical padded base64, never throwing', () => {
    for (const bad of [
      'A',
      'AB',
      'ABC',
      'AB=C',
      '====',
      'A===',
      'AB$=',
      'ABC\u00e9',
      'QR==',
      'QUI=x',
    ]) {
      expect(decodeBase64(bad)).toBeUndefined()
    }
    expect(decodeBase64('')).toEqual(new Uint8Array(0))
    expect(decodeBase64('QQ==')).toEqual(new Uint8Array([65]))
  })
})

describe('doc frames', () => {
  it('accepts the four doc frames with their fields and drops unknown ones', () => {
    const sync = decodeFrame(
      frame('doc_sync', {
        doc: 'doc-1',
        step: 2,
        update: 'AA==',
        part: 0,
        parts: 3,
        access: 'view',
        x: 1,
      }),
    )
    expect(sync.ok && sync.frame.data).toEqual({
      doc: 'doc-1',
      step: 2,
      update: 'AA==',
      part: 0,
      parts: 3,
      access: 'view',
    })
    for (const type of ['doc_update', 'doc_awareness']) {
      const result = decodeFrame(frame(type, { doc: 'd', update: '' }))
      expect(result.ok && result.frame.data).toEqual({ doc: 'd', update: '' })
    }
    // A client's update above its frame limit, in parts.
    const part = decodeFrame(frame('doc_update', { doc: 'd', update: 'AA==', part: 1, parts: 2 }))
    expect(part.ok && part.frame.data).toEqual({ doc: 'd', update: 'AA==', part: 1, parts: 2 })
    const close = decodeFrame(frame('doc_close', { doc: 'd' }))
    expect(close.ok && close.frame.data).toEqual({ doc: 'd' })
    const error = decodeFrame(
      frame('error', { code: 'FORBIDDEN', message: 'no', refId: 'x', doc: 'd' }),
    )
    expect(error.ok && error.frame.data).toEqual({
      code: 'FORBIDDEN',
      message: 'no',
      refId: 'x',
      doc: 'd',
    })
  })

  it('refuses bad doc ids, steps, parts and updates with invalid_field', () => {
    const bad: Array<[string, Record<string, unknown>]> = [
      ['doc_sync', { doc: '__proto__', step: 1, update: '' }],
      ['doc_sync', { doc: 'toString', step: 1, update: '' }],
      ['doc_sync', { doc: 'has space', step: 1, update: '' }],
      ['doc_sync', { doc: 'd', step: 3, update: '' }],
      ['doc_sync', { doc: 'd', step: 1, update: 5 }],
      ['doc_sync', { doc: 'd', step: 2, update: '', part: 2, parts: 2 }],
      ['doc_sync', { doc: 'd', step: 2, update: '', part: 0 }],
      ['doc_sync', { doc: 'd', step: 2, update: '', part: 0, parts: 0 }],
      ['doc_sync', { doc: 'd', step: 2, update: '', access: 'admin' }],
      ['doc_update', { update: '' }],
      ['doc_update', { doc: 'd' }],
      ['doc_update', { doc: 'd', update: '', part: 2, parts: 2 }],
      ['doc_update', { doc: 'd', update: '', parts: 2 }],
      ['doc_update', { doc: 'd', update: '', part: -1, parts: 2 }],
      ['doc_awareness', { doc: 'valueOf', update: '' }],
      ['doc_close', {}],
      ['error', { code: 'FORBIDDEN', message: 'no', doc: 'constructor' }],
    ]
    for (const [type, data] of bad) {
      const result = decodeFrame(frame(type, data))
      expect(result.ok ? 'accepted' : result.reason, `${type} ${JSON.stringify(data)}`).toBe(
        'invalid_field',
      )
    }
  })
})
