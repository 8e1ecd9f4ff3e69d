/**
 * Frames out, through the connection's one flow control: local updates (merged while waiting,
 * halved past the frame limit, one change past it sent in parts), at most `maxInFlight` unacked,
 * and our awareness; paused while the server asked us to wait.
 */
import * as Y from 'yjs'
import { base64Length, bytesForBase64, encodeBase64 } from '../protocol/docFrames'
import { createId } from '../protocol/ids'
import { utf8Length } from '../protocol/validate'
import { localAwarenessFrame } from './awareness'
import { docFrame, type CollabContext, type OpenDoc, type Split } from './openDoc'

const DEFAULT_MAX_IN_FLIGHT = 16
/** Room for a doc frame's envelope around its base64 (its doc id is added, as JSON). */
const FRAME_OVERHEAD = 512

export interface DocSender {
  scheduleFlush: () => void
  /** Whether `update` fits one frame of `limit` bytes as base64 in a doc frame of `doc`. */
  fits: (doc: OpenDoc, update: Uint8Array, limit?: number) => boolean
  /** Starts sending `update` in parts (see `Split`); in flight from now, under the last part's id. */
  startSplit: (
    doc: OpenDoc,
    type: Split['type'],
    update: Uint8Array,
    changes: number,
    limit?: number,
  ) => void
  /** Nothing more goes for `ms` (a server's retry-after; the longest pause wins). */
  pauseFor: (ms: number) => void
  /** The socket closed: no flush is pending, no pause holds. */
  reset: () => void
}

export function createDocSender({ ctx, docs, options }: CollabContext): DocSender {
  const maxInFlight = options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT
  let flushTimer: ReturnType<typeof setTimeout> | undefined
  let pausedUntil = 0

  const authenticated = () => ctx.session.authenticated
  const frameLimit = () => ctx.session.maxFrameBytes ?? Infinity

  function scheduleFlush(): void {
    if (flushTimer === undefined) flushTimer = setTimeout(flush, 0)
  }

  const fits: DocSender['fits'] = (doc, update, limit = frameLimit()) =>
    base64Length(update.length) + overheadOf(doc) <= limit

  const overheadOf = (doc: OpenDoc) => FRAME_OVERHEAD + utf8Length(JSON.stringify(doc.id))

  const startSplit: DocSender['startSplit'] = (
    doc,
    type,
    update,
    changes,
    limit = frameLimit(),
  ) => {
    const perPart = Math.max(3, bytesForBase64(limit - overheadOf(doc)))
    const ids = Array.from({ length: Math.ceil(update.length / perPart) }, () => createId())
    const last = ids[ids.length - 1] as string
    for (const id of ids) doc.partIds.set(id, last)
    doc.inFlight.set(last, { update, changes, parts: ids })
    doc.split = { type, update, perPart, ids, next: 0 }
  }

  /** Sends the doc's update in parts on, as far as the flow control allows. */
  function sendParts(doc: OpenDoc): 'done' | 'waiting' | 'closed' {
    const split = doc.split
    if (!split) return 'done'
    const parts = split.ids.length
    while (split.next < parts) {
      if (ctx.allowance() < 1) return 'waiting'
      const part = split.next
      const id = split.ids[part] as string
      const update = encodeBase64(
        split.update.subarray(part * split.perPart, (part + 1) * split.perPart),
      )
      const sent =
        split.type === 'doc_sync'
          ? docFrame(ctx, 'doc_sync', { doc: doc.id, step: 2, update, part, parts }, id)
          : docFrame(ctx, 'doc_update', { doc: doc.id, update, part, parts }, id)
      if (!ctx.send(sent)) return 'closed'
      split.next += 1
    }
    doc.split = undefined
    return 'done'
  }

  function flush(): void {
    clearTimeout(flushTimer)
    flushTimer = undefined
    if (!authenticated()) return
    const now = ctx.now()
    if (now < pausedUntil) {
      flushTimer = setTimeout(flush, pausedUntil - now)
      return
    }
    const limit = frameLimit()
    let inFlight = 0
    for (const doc of docs.values()) inFlight += doc.inFlight.size
    let waiting = false
    for (const doc of docs.values()) {
      if (!doc.live) continue
      // An update in parts goes on first: nothing else of the doc goes between its parts.
      let parts = sendParts(doc)
      if (parts === 'closed') return
      if (parts === 'waiting') waiting = true
      while (parts === 'done' && doc.pending.length > 0) {
        if (inFlight >= maxInFlight) break
        if (ctx.allowance() < 1) {
          waiting = true
          break
        }
        // While waiting, local updates merged into one; a batch past the frame limit is halved,
        // and one change past it goes in parts.
        let count = doc.pending.length
        let merged = count === 1 ? (doc.pending[0] as Uint8Array) : Y.mergeUpdates(doc.pending)
        while (count > 1 && !fits(doc, merged, limit)) {
          count = Math.ceil(count / 2)
          merged = Y.mergeUpdates(doc.pending.slice(0, count))
        }
        const changes = count === doc.pending.length ? doc.pendingChanges : count
        if (fits(doc, merged, limit)) {
          const id = createId()
          const update = encodeBase64(merged)
          if (!ctx.send(docFrame(ctx, 'doc_update', { doc: doc.id, update }, id))) return
          doc.inFlight.set(id, { update: merged, changes })
        } else startSplit(doc, 'doc_update', merged, changes, limit)
        doc.pending.splice(0, count)
        doc.pendingChanges -= changes
        inFlight += 1
        parts = sendParts(doc)
        if (parts === 'closed') return
        if (parts === 'waiting') waiting = true
      }
      if (doc.awarenessDirty && doc.opened && !waiting) {
        if (ctx.allowance() < 1) waiting = true
        else if (ctx.send(localAwarenessFrame(ctx, doc))) doc.awarenessDirty = false
      }
    }
    if (waiting) flushTimer = setTimeout(flush, Math.max(1, ctx.waitMs()))
  }

  function pauseFor(ms: number): void {
    pausedUntil = Math.max(pausedUntil, ctx.now() + ms)
  }

  function reset(): void {
    clearTimeout(flushTimer)
    flushTimer = undefined
    pausedUntil = 0
  }

  return { scheduleFlush, fits, startSplit, pauseFor, reset }
}
