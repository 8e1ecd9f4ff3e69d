/**
 * The text snapshot in state: the document's text, refreshed at most every `textThrottleMs`,
 * and null past `maxTextBytes` (a big document is not even turned into a string).
 */
import type * as Y from 'yjs'
import { utf8Length } from '../protocol/validate'
import { documents } from './actions'
import type { CollabContext, OpenDoc } from './openDoc'

/** The document's `Y.Text` named `content`, as a string. */
export function textOf(ydoc: Y.Doc): string {
  return ydoc.getText('content').toJSON()
}

export function createTextSnapshot({ ctx, options }: CollabContext): {
  scheduleText: (doc: OpenDoc) => void
} {
  const textThrottleMs = options.textThrottleMs ?? 100
  const maxTextBytes = options.maxTextBytes ?? 64 * 1024

  function emitText(doc: OpenDoc): void {
    doc.textTimer = undefined
    doc.lastTextAt = ctx.now()
    const { length } = doc.ydoc.getText('content')
    // A big document is not even turned into a string: its snapshot is null.
    const text = length <= maxTextBytes ? textOf(doc.ydoc) : null
    const fits = text !== null && utf8Length(text) <= maxTextBytes
    if (!fits && doc.truncated) return
    doc.truncated = !fits
    ctx.dispatch(documents.textChanged({ docId: doc.id, text: fits ? text : null, length }))
  }

  function scheduleText(doc: OpenDoc): void {
    if (doc.textTimer !== undefined) return
    const wait = doc.lastTextAt + textThrottleMs - ctx.now()
    if (wait <= 0) emitText(doc)
    else doc.textTimer = setTimeout(() => emitText(doc), wait)
  }

  return { scheduleText }
}
