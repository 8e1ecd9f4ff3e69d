import type { Action } from '@reduxjs/toolkit'
import * as actions from '../slices/actions'

/**
 * Redux DevTools settings for one instance, for `configureStore({ devTools })`: its heartbeat
 * and typing actions hidden, big payloads and big rooms shortened. They change only what the
 * monitor shows; reducers and middleware still see every action in full.
 */
export interface RealtimeDevToolsOptions {
  /** Regex sources of this instance's ping, pong and typing action types. */
  actionsDenylist: string[]
  /**
   * Arrays of more than 10 items in this instance's payloads become the first 5 and a count;
   * document text of more than 100 characters (the collab plugin's `documents/textChanged`
   * `text`, `editText` `insert`) becomes a summary such as `<1,234 chars>`.
   */
  actionSanitizer: <A extends Action>(action: A, id: number) => A
  /**
   * Rooms and conversations of more than 20 messages become a count and the last 20; open
   * documents' `text` of more than 100 characters becomes a summary such as `<1,234 chars>`.
   */
  stateSanitizer: <S>(state: S, index: number) => S
}

const MAX_ITEMS = 10
const FIRST_ITEMS = 5
const LAST_MESSAGES = 20
/** Document text longer than this shows as its length only. */
const MAX_TEXT_CHARS = 100

/**
 * The collab plugin's actions that carry document text (type after the instance's prefix),
 * and the payload field holding it. Named here, not imported: the core never loads the plugin.
 */
const TEXT_FIELDS = new Map([
  ['documents/textChanged', 'text'],
  ['editText', 'insert'],
])

/** Heartbeats and typing indicators: many per minute, rarely what you are debugging. */
const NOISY = [
  actions.connection.pingSent,
  actions.connection.pongReceived,
  actions.chat.typingStarted,
  actions.chat.typingStopped,
  actions.startTyping,
  actions.stopTyping,
]

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

type Entries = Record<string, unknown>

const isRecord = (value: unknown): value is Entries =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

function firstFew(items: readonly unknown[]): unknown[] {
  if (items.length <= MAX_ITEMS) return items as unknown[]
  const rest = items.length - FIRST_ITEMS
  return [...items.slice(0, FIRST_ITEMS), `… ${rest} more (${items.length} in all)`]
}

function lastFew(items: readonly unknown[]): unknown[] {
  if (items.length <= LAST_MESSAGES) return items as unknown[]
  const earlier = items.length - LAST_MESSAGES
  return [`… ${earlier} earlier (${items.length} in all)`, ...items.slice(-LAST_MESSAGES)]
}

/** A copy of a keyed record (null prototype: keys are server-chosen) with each value mapped. */
function mapRecord(record: Entries, map: (value: unknown) => unknown): Entries {
  const copy = Object.create(null) as Entries
  for (const key of Object.keys(record)) copy[key] = map(record[key])
  return copy
}

/** `<1,234 chars>` for a long text, anything else as it is. */
function shortText(value: unknown): unknown {
  if (typeof value !== 'string' || value.length <= MAX_TEXT_CHARS) return value
  return `<${value.length.toLocaleString('en-US')} chars>`
}

/** The payload with its document text (in `field`) summarized, or the same payload. */
function shortenText(payload: unknown, field: string): unknown {
  if (!isRecord(payload)) return payload
  const text = shortText(payload[field])
  return text === payload[field] ? payload : { ...payload, [field]: text }
}

function shortenPayload(payload: unknown): unknown {
  if (Array.isArray(payload)) return firstFew(payload)
  if (!isRecord(payload)) return payload
  const long = Object.keys(payload).some((key) => {
    const value = payload[key]
    return Array.isArray(value) && value.length > MAX_ITEMS
  })
  return long
    ? mapRecord(payload, (value) => (Array.isArray(value) ? firstFew(value) : value))
    : payload
}

/** The realtime state's keyed records that can grow large: slice, its record, each entry's summary. */
const LARGE_RECORDS: ReadonlyArray<readonly [string, string, (entry: unknown) => unknown]> = [
  [
    'documents',
    'byId',
    (doc) =>
      isRecord(doc) && shortText(doc.text) !== doc.text
        ? { ...doc, text: shortText(doc.text) }
        : doc,
  ],
  [
    'chat',
    'byRoom',
    (room) =>
      isRecord(room) && Array.isArray(room.messages)
        ? { ...room, messages: lastFew(room.messages) }
        : room,
  ],
  ['direct', 'byPeer', (messages) => (Array.isArray(messages) ? lastFew(messages) : messages)],
]

function shortenRealtimeState(slice: Entries): Entries {
  const next = { ...slice }
  for (const [key, field, shorten] of LARGE_RECORDS) {
    const part = slice[key]
    if (isRecord(part) && isRecord(part[field])) {
      next[key] = { ...part, [field]: mapRecord(part[field], shorten) }
    }
  }
  return next
}

/**
 * The DevTools options of the instance at `reducerPath` (pure functions; nothing is mutated).
 *
 * @example
 * const options = createDevToolsOptions('realtime')
 * options.actionsDenylist // ['^realtime/connection/pingSent$', …]
 */
export function createDevToolsOptions(reducerPath: string): RealtimeDevToolsOptions {
  const prefix = `${reducerPath}/`
  // Module-level creators carry the default 'realtime/' names; this instance's start with its path.
  const ownType = (type: string) => `${prefix}${type.slice(type.indexOf('/') + 1)}`
  return {
    actionsDenylist: NOISY.map(({ type }) => `^${escapeRegex(ownType(type))}$`),
    actionSanitizer: <A extends Action>(action: A): A => {
      if (typeof action.type !== 'string' || !action.type.startsWith(prefix)) return action
      if (!('payload' in action)) return action
      const field = TEXT_FIELDS.get(action.type.slice(prefix.length))
      const payload =
        field === undefined ? shortenPayload(action.payload) : shortenText(action.payload, field)
      return payload === action.payload ? action : { ...action, payload }
    },
    stateSanitizer: <S>(state: S): S => {
      if (!isRecord(state) || !isRecord(state[reducerPath])) return state
      return { ...state, [reducerPath]: shortenRealtimeState(state[reducerPath]) }
    },
  }
}
