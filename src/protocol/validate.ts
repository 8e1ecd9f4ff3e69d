/** Field checks shared by the codec and by everything that accepts ids or room names. */
import { MessageType } from './messageTypes'
import { devText } from '../dev'

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

/** App-defined message type names (SPEC): lowercase, 1-64 characters. */
const APP_MESSAGE_TYPE_PATTERN = /^[a-z][a-z0-9_.:-]{0,63}$/
const PROTOCOL_TYPES: ReadonlySet<string> = new Set(Object.values(MessageType))

/**
 * THE rule for an app-defined message's type name: `^[a-z][a-z0-9_.:-]{0,63}$`, never a
 * protocol type (`MessageType` value: `subscribe('chat_message')` must mean one thing) and
 * never an `Object.prototype` member name (the keyed-record rule: apps key handlers by it).
 */
export function isValidAppMessageType(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    APP_MESSAGE_TYPE_PATTERN.test(value) &&
    !PROTOCOL_TYPES.has(value) &&
    !FORBIDDEN_KEYS.has(value)
  )
}

/** What an invalid app message type name is told. */
export const APP_MESSAGE_TYPE_RULE = `a lowercase name matching ^[a-z][a-z0-9_.:-]{0,63}$ that is neither a protocol type (MessageType value) nor an Object.prototype member name${/* @__PURE__ */ devText(() => (process.env.NODE_ENV !== 'production' ? " (e.g. 'card_moved', 'cursor')" : ''))}`

const MAX_JSON_NODES = 100_000

/**
 * Why `value` would not survive JSON unchanged (a function, `undefined` outside an object
 * property, `NaN`, a `Date`, a `Map`, a class instance, a cycle, nesting past `maxDepth`, an
 * `Object.prototype` member name as a key), naming where; undefined when it is plain JSON.
 * Object properties that are `undefined` are allowed: JSON drops them.
 */
export function findJsonProblem(
  value: unknown,
  maxDepth: number,
  path = 'data',
): string | undefined {
  const stack: Array<[unknown, number, string]> = [[value, 0, path]]
  // Bounds the walk of a wide cycle, which the depth limit alone would not.
  let budget = MAX_JSON_NODES
  while (stack.length > 0) {
    if (--budget < 0) return `${path} has more than ${MAX_JSON_NODES} values`
    const [node, depth, where] = stack.pop() as [unknown, number, string]
    if (node === null || typeof node === 'string' || typeof node === 'boolean') continue
    if (typeof node === 'number') {
      if (!Number.isFinite(node)) return `${where} is ${node}, which JSON cannot carry`
      continue
    }
    if (typeof node !== 'object')
      return `${where} is ${node === undefined ? 'undefined' : `a ${typeof node}`}, which JSON cannot carry`
    if (depth >= maxDepth)
      return `${where} is nested deeper than ${maxDepth} levels (or is circular)`
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) stack.push([node[i], depth + 1, `${where}[${i}]`])
      continue
    }
    if (!isPlainRecord(node))
      return `${where} is not a plain object or array (a Date, Map or class instance does not survive JSON)`
    for (const key of Object.keys(node)) {
      if (FORBIDDEN_KEYS.has(key))
        return `${where} has the key ${JSON.stringify(key)}, an Object.prototype member name`
      const item = node[key]
      if (item !== undefined) stack.push([item, depth + 1, `${where}.${key}`])
    }
  }
  return undefined
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
 * Walks parsed JSON looking for prototype-polluting keys or too-deep nesting. Returns the
 * problem found, or undefined.
 */
export function findStructuralProblem(
  value: unknown,
  maxDepth: number,
): 'forbidden_key' | 'too_deep' | undefined {
  // Recursion, not a stack of [node, depth] pairs: this runs on every frame, and the depth
  // limit bounds the recursion (a deeper node is refused before its children are visited).
  return structuralProblem(value, 0, maxDepth)
}

function structuralProblem(
  node: unknown,
  depth: number,
  maxDepth: number,
): 'forbidden_key' | 'too_deep' | undefined {
  if (typeof node !== 'object' || node === null) return undefined
  if (depth > maxDepth) return 'too_deep'
  let found: 'forbidden_key' | 'too_deep' | undefined
  // The answer the depth-first walk always gave: a node's own keys first, then its children
  // from the last one back (so for an object, the problem of its last child that has one).
  if (Array.isArray(node)) {
    for (let i = node.length - 1; i >= 0 && found === undefined; i--)
      found = structuralProblem(node[i], depth + 1, maxDepth)
    return found
  }
  const record = node as Record<string, unknown>
  for (const key in record) {
    if (FORBIDDEN_KEYS.has(key) && Object.hasOwn(record, key)) return 'forbidden_key'
  }
  for (const key in record) {
    if (!Object.hasOwn(record, key)) continue
    found = structuralProblem(record[key], depth + 1, maxDepth) ?? found
  }
  return found
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
