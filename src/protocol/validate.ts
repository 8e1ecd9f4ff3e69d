/** Field checks shared by the codec and by everything that accepts ids or room names. */

/**
 * THE keyed-record rule: no id, user id or room name from the wire (or the API) is ever the
 * name of an `Object.prototype` member (`toString`, `valueOf`, `hasOwnProperty`, `__proto__`,
 * `constructor`, …) or `prototype`. The codec refuses them on both sides and the API throws,
 * so no reducer — ours or an app's — can index a record with one and reach a builtin. Records
 * in the middleware and the server are `Map`s besides.
 */
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set([
  '__proto__',
  'prototype',
  'constructor',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  'toString',
  'valueOf',
  ...Object.getOwnPropertyNames(Object.prototype),
])

/** Ids and user ids: 1–128 printable ASCII characters, no spaces. */
const ID_PATTERN = /^[\x21-\x7e]{1,128}$/

export const MAX_ID_LENGTH = 128

export function isForbiddenKey(key: string): boolean {
  return FORBIDDEN_KEYS.has(key)
}

/** A short printable string that is safe to use as an object key. */
export function isValidId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value) && !FORBIDDEN_KEYS.has(value)
}

/** Room names: 1–300 printable ASCII characters, no spaces (`general`, `dm:alice:bob`). */
const ROOM_PATTERN = /^[\x21-\x7e]{1,300}$/

export function isValidRoom(value: unknown): value is string {
  return typeof value === 'string' && ROOM_PATTERN.test(value) && !FORBIDDEN_KEYS.has(value)
}

export function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const proto: unknown = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

export function isSeq(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
}

export function isTimestamp(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0
}

/**
 * Walks parsed JSON looking for prototype-polluting keys, too-deep nesting or too many nodes.
 * Returns the problem found, or undefined.
 */
export function findStructuralProblem(
  value: unknown,
  maxDepth: number,
): 'forbidden_key' | 'too_deep' | undefined {
  const stack: Array<[unknown, number]> = [[value, 0]]
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number]
    if (typeof node !== 'object' || node === null) continue
    if (depth > maxDepth) return 'too_deep'
    if (Array.isArray(node)) {
      for (const item of node) stack.push([item, depth + 1])
      continue
    }
    for (const key of Object.keys(node)) {
      if (FORBIDDEN_KEYS.has(key)) return 'forbidden_key'
      stack.push([(node as Record<string, unknown>)[key], depth + 1])
    }
  }
  return undefined
}

/** UTF-8 byte length without allocating. */
export function utf8Length(text: string): number {
  let bytes = 0
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code < 0x80) bytes += 1
    else if (code < 0x800) bytes += 2
    else if (code >= 0xd800 && code <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4
      i++
    } else bytes += 3
  }
  return bytes
}
