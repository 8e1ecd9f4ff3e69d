import { bytesForBase64, encodeBase64, encodeFrame, makeFrame, MessageType } from '../../protocol'
import type { DocAccess } from '../../protocol'
import type { DocMember, LoadedDoc } from './loadedDoc'
import type { YjsModules } from './yjsPeer'

/** Covers the envelope's id and timestamp varying in length from the one measured. */
const ENVELOPE_SLACK = 48
/** The part numbers measured in the probe frame: more digits than any real part count. */
const PROBE_PART = 99_999_999

/**
 * Sends `update` to `member` as a `doc_sync` step 2 split into as many frames as its
 * `maxFrameBytes` needs (`part`/`parts` only when split; `access` on the first), then the
 * `after` frames, one at a time through `sendPaced`: part k+1 goes once part k is written out,
 * so a 5 MB first sync never fills the send buffer and pongs and live updates go in between.
 * Parts split the update's bytes at multiples of 3, so their base64 texts concatenate too. Stops
 * when the member leaves the document. False when not even one byte per part would fit.
 *
 * @example
 * sendUpdateInParts(doc, member, Y.encodeStateAsUpdate(doc.ydoc, clientVector), 'edit', [step1])
 */
export function sendUpdateInParts(
  doc: LoadedDoc,
  member: DocMember,
  update: Uint8Array,
  access: DocAccess | undefined,
  after: ReadonlyArray<() => string | undefined>,
): boolean {
  const probe = makeFrame(MessageType.DOC_SYNC, {
    data: {
      doc: doc.name,
      step: 2,
      update: '',
      part: PROBE_PART,
      parts: PROBE_PART,
      ...(access ? { access } : {}),
    },
  })
  const overhead = Buffer.byteLength(encodeFrame(probe)) + ENVELOPE_SLACK
  const perPart = bytesForBase64(member.connection.maxFrameBytes - overhead)
  if (perPart <= 0) return false
  const parts = Math.max(1, Math.ceil(update.length / perPart))
  let part = 0
  let tail = 0
  member.connection.sendPaced(() => {
    if (doc.members.get(member.connection) !== member) return undefined
    if (part < parts) {
      const chunk = update.subarray(part * perPart, (part + 1) * perPart)
      const frame = makeFrame(MessageType.DOC_SYNC, {
        data: {
          doc: doc.name,
          step: 2,
          update: encodeBase64(chunk),
          ...(parts > 1 ? { part, parts } : {}),
          ...(part === 0 && access ? { access } : {}),
        },
      })
      part++
      return encodeFrame(frame)
    }
    while (tail < after.length) {
      const text = (after[tail++] as () => string | undefined)()
      if (text !== undefined) return text
    }
    return undefined
  })
  return true
}

/** The `doc_awareness` frame of the current states (or removals) of `clientIDs`. */
export function encodedAwareness(modules: YjsModules, doc: LoadedDoc, clientIDs: number[]): string {
  return awarenessFrame(doc, modules.awareness.encodeAwarenessUpdate(doc.awareness, clientIDs))
}

/** The `doc_awareness` frame carrying `update` (y-protocols encoding). */
export function awarenessFrame(doc: LoadedDoc, update: Uint8Array): string {
  return encodeFrame(
    makeFrame(MessageType.DOC_AWARENESS, {
      data: { doc: doc.name, update: encodeBase64(update) },
    }),
  )
}

/**
 * Sends `update` (applied to `doc`) to its members as a `doc_update`, all but `except`; to a
 * member whose `maxFrameBytes` it passes, as a step 2 in parts. `base64` is its text when at
 * hand (the frame it came in), `userId` its author when known (this process's member).
 *
 * @example
 * forwardUpdate(doc, bytes, member, { userId: session.userId, base64: frame.data.update })
 */
export function forwardUpdate(
  doc: LoadedDoc,
  update: Uint8Array,
  except: DocMember | undefined,
  { userId, base64 }: { userId?: string; base64?: string } = {},
): void {
  const frame = makeFrame(MessageType.DOC_UPDATE, {
    ...(userId !== undefined ? { userId } : {}),
    data: { doc: doc.name, update: base64 ?? encodeBase64(update) },
  })
  const text = encodeFrame(frame)
  const size = Buffer.byteLength(text)
  for (const other of doc.members.values()) {
    if (other === except) continue
    if (size <= other.connection.maxFrameBytes) other.connection.sendText(text, size)
    else sendUpdateInParts(doc, other, update, undefined, [])
  }
}
