import { contentRefusal } from '../utils/validateMessage'
import type { JsonValue } from './frames'
import {
  findJsonProblem,
  isForbiddenKey,
  isPlainRecord,
  isSeq,
  isTimestamp,
  isValidId,
  utf8Length,
} from './validate'

/** Thrown by the field checks; the codec turns it into an `invalid_field` rejection. */
export class FieldError extends Error {}

export function fail(message: string): never {
  throw new FieldError(message)
}

export function requireId(value: unknown, field: string): string {
  return isValidId(value)
    ? value
    : fail(`${field} must be a 1-128 character printable id, not an Object.prototype member name`)
}

export function optionalId(value: unknown, field: string): string | undefined {
  return value === undefined ? undefined : requireId(value, field)
}

export function requireString(value: unknown, field: string, max: number): string {
  if (typeof value !== 'string') fail(`${field} must be a string`)
  if (value.length > max) fail(`${field} is longer than ${max} characters`)
  return value
}

export function optionalString(value: unknown, field: string, max: number): string | undefined {
  return value === undefined ? undefined : requireString(value, field, max)
}

export function requireSeq(value: unknown, field: string): number {
  return isSeq(value) ? value : fail(`${field} must be a non-negative integer`)
}

export function optionalSeq(value: unknown, field: string): number | undefined {
  return value === undefined ? undefined : requireSeq(value, field)
}

export function requireTimestamp(value: unknown, field: string): number {
  return isTimestamp(value) ? value : fail(`${field} must be epoch ms`)
}

export function optionalTimestamp(value: unknown, field: string): number | undefined {
  return value === undefined ? undefined : requireTimestamp(value, field)
}

export function requireBoolean(value: unknown, field: string): boolean {
  return typeof value === 'boolean' ? value : fail(`${field} must be a boolean`)
}

export function oneOf<T extends string>(value: unknown, field: string, allowed: readonly T[]): T {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value)
    ? (value as T)
    : fail(`${field} must be one of ${allowed.join(', ')}`)
}

export function requireArray(value: unknown, field: string, max: number, what: string): unknown[] {
  if (!Array.isArray(value) || value.length > max)
    fail(`${field} must be an array of at most ${max} ${what}`)
  return value
}

export function requireRecord(value: unknown, field: string): Record<string, unknown> {
  return isPlainRecord(value) ? value : fail(`${field} must be an object`)
}

/**
 * An absolute http(s) URL, or a path on the same origin. A browser reads `//host`, `/\host`
 * and paths with whitespace or control characters (`/\t/host`) as another host, so those
 * are not paths; no whitespace or control character anywhere.
 */
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const LINK = /^(?:https?:\/\/[^\s\x00-\x1f\x7f]+|\/(?![/\\])[^\s\x00-\x1f\x7f]*)$/i

export function link(value: unknown, field: string): string | undefined {
  const url = optionalString(value, field, 2048)
  if (url !== undefined && !LINK.test(url)) {
    fail(`${field} must be an http(s) URL or a path starting with a single "/", with no spaces`)
  }
  return url
}

/** A short free-form label an app may key a record by: never an Object.prototype member name. */
export function requireLabel(value: unknown, field: string, max: number): string {
  const label = requireString(value, field, max)
  if (isForbiddenKey(label)) fail(`${field} must not be an Object.prototype member name`)
  return label
}

/**
 * True when `record` (parsed JSON) has exactly `count` keys: with its `count` known fields
 * checked present, it has no other. Counts without allocating (no `Object.keys`).
 */
export function hasKeyCount(record: object, count: number): boolean {
  let keys = 0
  for (const _ in record) if (++keys > count) return false
  return keys === count
}

/** Copies the defined entries only, so frames hold no `undefined` fields. */
export function defined<T extends object>(value: T): T {
  // A loop, not entries/filter/fromEntries: this runs for every frame's data (3.8 % of ingest).
  const out: Record<string, unknown> = {}
  for (const key in value) {
    const item = value[key]
    if (item !== undefined) out[key] = item
  }
  return out as T
}

/**
 * Chat content, checked by the one rule the command, `WebSocketUtils.validateMessage` and the
 * server share: a string, not blank, at most 16,384 characters, no control character but `\n`
 * and `\t`.
 */
export function requireContent(value: unknown): string {
  const refusal = contentRefusal(value)
  if (refusal) fail(`data.content: ${refusal.message}`)
  return value as string
}

/** Deepest nesting a JSON field may have: what the codec allows a whole frame. */
const MAX_JSON_DEPTH = 16

/**
 * A JSON value (plain objects, arrays, strings, finite numbers, booleans, null) of at most
 * `maxBytes` as UTF-8 JSON, with no `Object.prototype` member name as a key.
 */
export function requireJson(value: unknown, field: string, maxBytes: number): JsonValue {
  // The one JSON rule, shared with app messages (`findJsonProblem`).
  const problem = findJsonProblem(value, MAX_JSON_DEPTH, field)
  if (problem !== undefined) {
    fail(
      `${field} must be JSON: plain objects, arrays, strings, finite numbers, booleans or null; ${problem}`,
    )
  }
  const bytes = utf8Length(JSON.stringify(value))
  if (bytes > maxBytes) fail(`${field} is ${bytes} bytes as JSON, above the limit of ${maxBytes}`)
  return value as JsonValue
}
