import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  findStructuralProblem,
  isPlainRecord,
  isValidId,
  utf8Length,
} from '../../../src/protocol/validate'

describe('utf8Length', () => {
  it('matches Buffer.byteLength for well-formed strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(utf8Length(text)).toBe(Buffer.byteLength(text, 'utf8'))
      }),
      { numRuns: 2000 },
    )
  })

  it('counts ASCII, 2-, 3- and 4-byte characters', () => {
    expect(utf8Length('abc')).toBe(3)
    expect(utf8Length('é')).toBe(2)
    expect(utf8Length('中')).toBe(3)
    expect(utf8Length('😀')).toBe(4)
  })

  it('counts a lone surrogate as the 3 bytes of its replacement, whatever follows it', () => {
    // What a browser or `ws` would put on the wire for it (U+FFFD), as Buffer.byteLength does.
    for (const text of ['\ud800', '\udc00', '\ud800a', '\ud800é', '\ud800中', 'x\udc00\ud800']) {
      expect(utf8Length(text), JSON.stringify(text)).toBe(Buffer.byteLength(text, 'utf8'))
    }
  })

  it('matches Buffer.byteLength for any UTF-16 string, lone surrogates included', () => {
    const codeUnits = fc
      .array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 30 })
      .map((units) => String.fromCharCode(...units))
    fc.assert(
      fc.property(codeUnits, (text) => {
        expect(utf8Length(text)).toBe(Buffer.byteLength(text, 'utf8'))
      }),
      { numRuns: 2000 },
    )
  })
})

describe('isValidId', () => {
  it('accepts 1 to 128 printable ASCII characters', () => {
    expect(isValidId('a')).toBe(true)
    expect(isValidId('dm:alice:bob')).toBe(true)
    expect(isValidId('x'.repeat(128))).toBe(true)
  })

  it('refuses empty, too long, spaced, non-ASCII, non-string and prototype keys', () => {
    for (const value of ['', 'x'.repeat(129), 'a b', 'é', 'tab\t', 42, null, undefined, {}]) {
      expect(isValidId(value), JSON.stringify(value)).toBe(false)
    }
    for (const key of ['__proto__', 'constructor', 'prototype']) expect(isValidId(key)).toBe(false)
  })
})

describe('isPlainRecord', () => {
  it('accepts object literals and null-prototype objects only', () => {
    expect(isPlainRecord({})).toBe(true)
    expect(isPlainRecord(Object.create(null))).toBe(true)
    for (const value of [[], null, new Date(), new Map(), 'x', 1, Object.create({})]) {
      expect(isPlainRecord(value)).toBe(false)
    }
  })
})

describe('findStructuralProblem', () => {
  it('finds forbidden keys at any depth, in objects and inside arrays', () => {
    expect(findStructuralProblem(JSON.parse('{"a":[{"b":{"__proto__":1}}]}'), 16)).toBe(
      'forbidden_key',
    )
    expect(findStructuralProblem({ a: { constructor: 1 } }, 16)).toBe('forbidden_key')
    expect(findStructuralProblem({ a: { b: 'prototype' } }, 16)).toBeUndefined()
  })

  it('reports nesting beyond maxDepth', () => {
    const nest = (levels: number): unknown => (levels === 0 ? 1 : { a: nest(levels - 1) })
    expect(findStructuralProblem(nest(3), 3)).toBeUndefined()
    expect(findStructuralProblem(nest(5), 3)).toBe('too_deep')
  })

  it('names the problem of the last child that has one when two children have different ones', () => {
    const deep = JSON.parse('{"a":'.repeat(5) + '1' + '}'.repeat(5)) as unknown
    const forbidden = JSON.parse('{"x":{"__proto__":1}}') as unknown
    expect(findStructuralProblem({ a: deep, b: forbidden }, 3)).toBe('forbidden_key')
    expect(findStructuralProblem({ a: forbidden, b: deep }, 3)).toBe('too_deep')
    expect(findStructuralProblem([forbidden, deep], 3)).toBe('too_deep')
    // A node's own keys are checked before any child is walked.
    expect(findStructuralProblem({ a: deep, constructor: 1 }, 3)).toBe('forbidden_key')
  })
})
