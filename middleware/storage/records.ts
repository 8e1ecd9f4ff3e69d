import type { OutboxEntry } from '../../slices/types'
import type { StoredCursor } from '../storage'
import { devText } from '../../src/dev'

export type MaybePromise<T> = T | Promise<T>

/** What a durable storage keeps: one record per outbox entry, per room cursor, per live owner (lease fallback). */
export type RecordKind = 'entry' | 'cursor' | 'owner' | 'doc'

/** A record as read back: its value, or why it could not be read (e.g. invalid JSON). */
export interface StoredRecord {
  name: string
  value?: unknown
  unreadable?: string
}

/** What `swap` should do with a record: write a new value, delete it, or leave it (`undefined`). */
export type SwapDecision = { write: unknown } | 'delete' | undefined

/**
 * The key-value layer under a durable storage, one record per `(kind, name)`. Adapters
 * (localStorage, IndexedDB) implement only this; ownership and ordering are shared.
 */
export interface RecordStore {
  /** Names the storage in error messages: `localStorage "redux-realtime"`. */
  readonly label: string
  /** Names one record in error messages. */
  where(kind: RecordKind, name: string): string
  list(kind: RecordKind): MaybePromise<StoredRecord[]>
  get(kind: RecordKind, name: string): MaybePromise<StoredRecord | undefined>
  set(kind: RecordKind, name: string, value: unknown): MaybePromise<void>
  delete(kind: RecordKind, name: string): MaybePromise<void>
  /** Reads a record and applies `decide` to it; returns whether it wrote or deleted. */
  swap(
    kind: RecordKind,
    name: string,
    decide: (current: StoredRecord | undefined) => SwapDecision,
  ): MaybePromise<boolean>
  /**
   * 0 when `swap` is atomic across tabs (an IndexedDB transaction). Otherwise (localStorage)
   * how long a write may take to reach other tabs: a take-over is confirmed after that long.
   */
  readonly settleMs: number
}

/**
 * Where a stored entry sorts: `at` is its `createdAt`, never below what the saving instance
 * saved or loaded before; ties go by `gen`, the instance's generation (its start time, moved
 * past every generation it loaded), then by `n`, its save counter.
 */
export interface EntryOrder {
  at: number
  gen: number
  n: number
}

/** How an outbox entry is stored: the entry, who may send it, and where it sorts. */
export interface EntryRecord extends EntryOrder {
  v: 1
  owner: string
  entry: OutboxEntry
}

/** A lease-fallback heartbeat: the owner was alive at `at` (epoch ms). */
export interface LeaseRecord {
  v: 1
  at: number
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

const isFiniteNumber = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value)

/** The record, or why it is not a readable entry record named `id`. */
export function readEntryRecord(value: unknown, id: string): EntryRecord | string {
  if (!isObject(value)) return 'not an object'
  if (value.v !== 1) return `unknown record version ${JSON.stringify(value.v)}`
  if (typeof value.owner !== 'string' || value.owner === '') return 'no owner'
  if (!isFiniteNumber(value.at) || !isFiniteNumber(value.gen) || !isFiniteNumber(value.n)) {
    return 'no sort order'
  }
  const entry = value.entry
  if (!isObject(entry) || typeof entry.type !== 'string' || !isFiniteNumber(entry.createdAt)) {
    return 'no outbox entry'
  }
  if (entry.id !== id) return `entry id ${JSON.stringify(entry.id)} does not match its key`
  return value as unknown as EntryRecord
}

export function compareOrder(a: EntryOrder, b: EntryOrder): number {
  return a.at - b.at || a.gen - b.gen || a.n - b.n
}

export function isValidCursor(value: unknown): value is StoredCursor {
  return (
    isObject(value) &&
    typeof value.room === 'string' &&
    value.room !== '' &&
    typeof value.epoch === 'string' &&
    Number.isSafeInteger(value.seq) &&
    (value.seq as number) >= 0
  )
}

/** The cursor, or why it is not a readable cursor record for `room`. */
export function readCursorRecord(value: unknown, room: string): StoredCursor | string {
  if (!isObject(value)) return 'not an object'
  if (value.v !== 1) return `unknown record version ${JSON.stringify(value.v)}`
  if (!isValidCursor(value)) return 'not a { room, epoch, seq } cursor'
  if (value.room !== room) return `room ${JSON.stringify(value.room)} does not match its key`
  return { room: value.room, epoch: value.epoch, seq: value.seq }
}

export function cursorRecord(cursor: StoredCursor): StoredCursor & { v: 1 } {
  return { v: 1, room: cursor.room, epoch: cursor.epoch, seq: cursor.seq }
}

/**
 * The cursor to keep for a room: `next`, unless the stored one is further along in the same
 * epoch (another tab may be ahead). Throws for a malformed `next`: that is a caller's bug.
 */
export function mergeCursor(
  stored: StoredCursor | undefined,
  next: StoredCursor,
  caller: string,
): StoredCursor {
  if (!isValidCursor(next)) {
    throw new Error(
      `${caller}: ${JSON.stringify(next)} is not a cursor${devText(() => (process.env.NODE_ENV !== 'production' ? '; pass { room: string, epoch: string, seq: integer ≥ 0 }.' : ''))}`,
    )
  }
  if (stored !== undefined && stored.epoch === next.epoch && stored.seq > next.seq) return stored
  return { room: next.room, epoch: next.epoch, seq: next.seq }
}

export function readLeaseRecord(value: unknown): LeaseRecord | string {
  if (!isObject(value)) return 'not an object'
  if (value.v !== 1 || !isFiniteNumber(value.at)) return 'not a { v: 1, at } heartbeat'
  return { v: 1, at: value.at }
}

/** `QuotaExceededError: …`, or `storage is full (…)` for a quota error, whatever the browser calls it. */
export function describeError(error: unknown): string {
  if (!isObject(error) && !(error instanceof Error)) return String(error)
  const { name, message, code } = error as { name?: unknown; message?: unknown; code?: unknown }
  // A plain `Error`'s name says nothing; a DOMException's (`QuotaExceededError`) says a lot.
  const parts = [name === 'Error' ? '' : name, message]
  const text = parts.filter((part) => typeof part === 'string' && part !== '').join(': ')
  const quota =
    name === 'QuotaExceededError' ||
    name === 'NS_ERROR_DOM_QUOTA_REACHED' ||
    code === 22 ||
    code === 1014
  return quota ? `storage is full (${text || 'quota exceeded'})` : text || 'unknown error'
}

/** An `Error` saying which storage failed at what, with the original as its `cause`. */
export function storageError(label: string, what: string, cause: unknown): Error {
  return new Error(`${label}: could not ${what}: ${describeError(cause)}`, { cause })
}
