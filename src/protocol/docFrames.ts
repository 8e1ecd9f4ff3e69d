/**
 * Collaborative documents on the one connection (issue 11): the `doc_*` frames' data, their
 * validation, and the base64 that carries Yjs bytes in JSON. Every doc frame names its document
 * in `data.doc` (the room-name rule, so never an `Object.prototype` member name); doc frames
 * have no `room` and no `seq`: they are not part of any stream.
 *
 * Browser-safe: nothing here uses `Buffer`.
 */
import type { MessageType } from './messageTypes'
import type { FrameEnvelope } from './frames'
import { defined, fail, oneOf, optionalSeq, requireString } from './fields'
import { isValidRoom } from './validate'

export const DOC_ACCESS = ['view', 'edit'] as const
/** What a user may do with a document: `'view'` reads and follows it, `'edit'` changes it too. */
export type DocAccess = (typeof DOC_ACCESS)[number]

/**
 * The Yjs sync exchange. Client → server `step: 1` (update = its state vector) opens the doc;
 * the server answers `step: 2` (what the client lacks, in `parts` frames when large; `access`
 * on part 0) then its own `step: 1`; the client's `step: 2` (what the server lacks) is an edit,
 * acked like a `doc_update`.
 */
export interface DocSyncData {
  doc: string
  step: 1 | 2
  /** base64: a state vector for step 1, an update for step 2 (one part of it when `parts` > 1). */
  update: string
  /** This part's index, 0..parts-1, when the update is split into byte slices (both ways). */
  part?: number
  /** How many frames this step 2 was split into. */
  parts?: number
  /** On part 0 of the server's step 2: whether this user may edit. */
  access?: DocAccess
}

/**
 * One Yjs update (base64), both ways. Client → server: acked with the frame's id; one above the
 * frame limit goes in `parts` frames (byte slices, joined in order), acked with the last's id.
 */
export interface DocUpdateData {
  doc: string
  update: string
  /** This part's index, 0..parts-1 (client → server, when split). */
  part?: number
  /** How many frames the update was split into. */
  parts?: number
}

/** One y-protocols awareness update (base64), both ways. Not acked, not stored. */
export interface DocAwarenessData {
  doc: string
  update: string
}

/** Client → server: stop sending this document to this connection and drop its awareness. */
export interface DocCloseData {
  doc: string
}

export type DocSyncFrame = FrameEnvelope<typeof MessageType.DOC_SYNC, DocSyncData>
export type DocUpdateFrame = FrameEnvelope<typeof MessageType.DOC_UPDATE, DocUpdateData>
export type DocAwarenessFrame = FrameEnvelope<typeof MessageType.DOC_AWARENESS, DocAwarenessData>
export type DocCloseFrame = FrameEnvelope<typeof MessageType.DOC_CLOSE, DocCloseData>
export type DocFrame = DocSyncFrame | DocUpdateFrame | DocAwarenessFrame | DocCloseFrame

/** What an invalid document id is told. */
export const DOC_ID_RULE =
  'a 1-300 character printable name (the room-name rule), not an Object.prototype member name'

export function isValidDocId(value: unknown): value is string {
  return isValidRoom(value)
}

export function requireDocId(value: unknown, field: string): string {
  return isValidDocId(value) ? value : fail(`${field} must be ${DOC_ID_RULE}`)
}

export function optionalDocId(value: unknown, field: string): string | undefined {
  return value === undefined ? undefined : requireDocId(value, field)
}

/**
 * The base64 text of Yjs bytes. Its length is bounded by the frame limit already; whether it
 * decodes (and whether Yjs accepts the bytes) is the receiver's check, answered for the doc.
 */
function base64Field(value: unknown, field: string): string {
  return requireString(value, field, Number.MAX_SAFE_INTEGER)
}

/** `part`/`parts` of an update split into frames: both or neither, 0 <= part < parts. */
function partsOf(d: Record<string, unknown>): { part?: number; parts?: number } {
  const part = optionalSeq(d.part, 'data.part')
  const parts = optionalSeq(d.parts, 'data.parts')
  if (parts === 0) fail('data.parts must be a positive integer')
  if ((part === undefined) !== (parts === undefined)) fail('data.part and data.parts go together')
  if (part !== undefined && parts !== undefined && part >= parts)
    fail('data.part must be below data.parts')
  return { part, parts }
}

function syncData(d: Record<string, unknown>): DocSyncData {
  const doc = requireDocId(d.doc, 'data.doc')
  const step = d.step === 1 || d.step === 2 ? d.step : fail('data.step must be 1 or 2')
  const { part, parts } = partsOf(d)
  return defined({
    doc,
    step,
    update: base64Field(d.update, 'data.update'),
    part,
    parts,
    access: d.access === undefined ? undefined : oneOf(d.access, 'data.access', DOC_ACCESS),
  })
}

/** The `data` validators of the doc frames, spread into `DATA_VALIDATORS`. */
export const DOC_DATA_VALIDATORS = {
  doc_sync: syncData,
  doc_update: (d: Record<string, unknown>): DocUpdateData =>
    defined({
      doc: requireDocId(d.doc, 'data.doc'),
      update: base64Field(d.update, 'data.update'),
      ...partsOf(d),
    }),
  doc_awareness: (d: Record<string, unknown>): DocAwarenessData => ({
    doc: requireDocId(d.doc, 'data.doc'),
    update: base64Field(d.update, 'data.update'),
  }),
  doc_close: (d: Record<string, unknown>): DocCloseData => ({
    doc: requireDocId(d.doc, 'data.doc'),
  }),
}

// ---------------------------------------------------------------------------------------------
// base64 (RFC 4648, standard alphabet, padded), strict on decode, no Buffer.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
// Built in annotated IIFEs: a bundle that never encodes or decodes (the core entry) drops them.
const ENCODE = /* @__PURE__ */ (() => Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0)))()
const DECODE = /* @__PURE__ */ (() => {
  const table = new Int16Array(128).fill(-1)
  for (let i = 0; i < 64; i++) table[ALPHABET.charCodeAt(i)] = i
  return table
})()
const PAD = 61 // '='
const CHUNK = 0x8000

/** The base64 text of `bytes`. */
export function encodeBase64(bytes: Uint8Array): string {
  const out = new Uint8Array(Math.ceil(bytes.length / 3) * 4)
  let o = 0
  let i = 0
  const whole = bytes.length - (bytes.length % 3)
  for (; i < whole; i += 3) {
    const n = (byte(bytes, i) << 16) | (byte(bytes, i + 1) << 8) | byte(bytes, i + 2)
    out[o++] = char(n >>> 18)
    out[o++] = char((n >>> 12) & 63)
    out[o++] = char((n >>> 6) & 63)
    out[o++] = char(n & 63)
  }
  const rest = bytes.length - whole
  if (rest > 0) {
    const n = (byte(bytes, i) << 16) | (rest === 2 ? byte(bytes, i + 1) << 8 : 0)
    out[o++] = char(n >>> 18)
    out[o++] = char((n >>> 12) & 63)
    out[o++] = rest === 2 ? char((n >>> 6) & 63) : PAD
    out[o] = PAD
  }
  let text = ''
  for (let c = 0; c < out.length; c += CHUNK) {
    text += String.fromCharCode.apply(null, out.subarray(c, c + CHUNK) as unknown as number[])
  }
  return text
}

/**
 * The bytes of base64 `text`, or undefined when it is not canonical padded base64 (wrong
 * length, a character outside the alphabet, misplaced padding). Never throws.
 */
export function decodeBase64(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0) return undefined
  if (text.length === 0) return new Uint8Array(0)
  const pad =
    text.charCodeAt(text.length - 1) === PAD
      ? text.charCodeAt(text.length - 2) === PAD
        ? 2
        : 1
      : 0
  const out = new Uint8Array((text.length / 4) * 3 - pad)
  let o = 0
  const end = text.length - (pad > 0 ? 4 : 0)
  let i = 0
  for (; i < end; i += 4) {
    const a = sextet(text, i)
    const b = sextet(text, i + 1)
    const c = sextet(text, i + 2)
    const d = sextet(text, i + 3)
    if ((a | b | c | d) < 0) return undefined
    const n = (a << 18) | (b << 12) | (c << 6) | d
    out[o++] = n >>> 16
    out[o++] = (n >>> 8) & 255
    out[o++] = n & 255
  }
  if (pad > 0) {
    const a = sextet(text, i)
    const b = sextet(text, i + 1)
    const c = pad === 1 ? sextet(text, i + 2) : 0
    if ((a | b | c) < 0) return undefined
    const n = (a << 18) | (b << 12) | (c << 6)
    out[o] = n >>> 16
    if (pad === 1) out[o + 1] = (n >>> 8) & 255
    // Canonical only: the bits the padding stands for are zero.
    if ((pad === 2 ? n & 0xffff : n & 0xff) !== 0) return undefined
  }
  return out
}

// Typed-array reads are in range by construction; `?? 0` only satisfies noUncheckedIndexedAccess.
function byte(bytes: Uint8Array, index: number): number {
  return bytes[index] ?? 0
}

function char(sixBits: number): number {
  return ENCODE[sixBits] ?? 0
}

function sextet(text: string, index: number): number {
  // charCodeAt past the end is NaN, which indexes nothing: -1.
  return DECODE[text.charCodeAt(index)] ?? -1
}

/** The parts of a split update (`part`/`parts` byte slices), joined back into one update. */
export function joinParts(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array
  let length = 0
  for (const part of parts) length += part.length
  const out = new Uint8Array(length)
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

/** How many base64 characters `byteLength` bytes take. */
export function base64Length(byteLength: number): number {
  return Math.ceil(byteLength / 3) * 4
}

/** The most bytes whose base64 fits in `chars` characters. */
export function bytesForBase64(chars: number): number {
  return Math.floor(chars / 4) * 3
}
