/**
 * A client's `doc_update`, or its `doc_sync` step 2 (its offline edits): joined when sent in
 * parts, checked (a Yjs update, the member may edit, within `maxDocumentBytes`), applied and
 * appended to the store in the document's write order, then acked and forwarded to the
 * document's other members. A failed apply or append restores the document from the store.
 */
import { makeFrame, MessageType, WebSocketErrorCode } from '../../protocol'
import type { DocSyncFrame, DocUpdateFrame } from '../../protocol'
import { assemble } from './docAssembly'
import type { DocMembers } from './docMembers'
import type { DocPersistence } from './docPersistence'
import { invalid, notOpen, reply } from './docReplies'
import { forwardUpdate } from './docSend'
import type { DocFrameHandler, DocumentsContext } from './loadedDoc'

export function createDocUpdate(
  { options }: DocumentsContext,
  { memberOf, persistence }: Pick<DocMembers, 'memberOf'> & { persistence: DocPersistence },
): DocFrameHandler<DocUpdateFrame | DocSyncFrame> {
  const { logger } = options
  const { append, restore, scheduleCompaction } = persistence

  /** `doc_update`, or a client's `doc_sync` step 2: append, apply, ack, forward. */
  return async function update(frame, session, connection, modules): Promise<void> {
    const { Y } = modules
    const found = memberOf(connection, frame.data.doc)
    if (!found) return notOpen(connection, frame)
    const { doc, member } = found
    const whole = assemble(frame, doc, member, connection, options.maxDocumentBytes)
    if (!whole) return
    const { bytes, joined } = whole
    let decoded: ReturnType<typeof Y.decodeUpdate>
    try {
      decoded = Y.decodeUpdate(bytes)
    } catch {
      return invalid(connection, frame, 'data.update is not a Yjs update')
    }
    const ack = (): void =>
      connection.send(makeFrame(MessageType.ACK, { data: { refId: frame.id } }))
    // Nothing to store (a viewer's step 2 with no offline edits is one): acked, never refused.
    if (decoded.structs.length === 0 && decoded.ds.clients.size === 0) return ack()
    if (member.access !== 'edit') {
      return reply(connection, frame, {
        code: WebSocketErrorCode.FORBIDDEN,
        message: `not allowed to edit document ${doc.name}; the update was not applied`,
      })
    }
    if (doc.bytes + bytes.length > options.maxDocumentBytes) {
      return reply(connection, frame, {
        code: WebSocketErrorCode.MESSAGE_TOO_LARGE,
        message: `document ${doc.name} would pass the server's maxDocumentBytes of ${options.maxDocumentBytes}; the update was not applied`,
      })
    }
    // Applied first, stored second: Yjs may throw half way through bytes it decoded (and leave
    // the doc changed), and a failed append must not leave in memory what the store lacks. Either
    // failure restores the doc from the store, which holds exactly what was applied before.
    const outcome = await doc.writes.run(async (): Promise<'applied' | 'invalid' | 'unstored'> => {
      try {
        Y.applyUpdate(doc.ydoc, bytes, member)
      } catch (error) {
        logger.warn(`redux-realtime server: Yjs refused an update of ${doc.name}`, error)
        await restore(doc, Y)
        return 'invalid'
      }
      try {
        await append(doc.name, bytes)
      } catch (error) {
        logger.error(`redux-realtime server: could not store an update of ${doc.name}`, error)
        await restore(doc, Y)
        return 'unstored'
      }
      doc.bytes += bytes.length
      doc.appends++
      return 'applied'
    })
    if (outcome === 'invalid') return invalid(connection, frame, 'data.update is not a Yjs update')
    if (outcome === 'unstored') {
      return reply(connection, frame, {
        code: WebSocketErrorCode.SERVER_ERROR,
        message: `the update of document ${doc.name} could not be stored and was not applied; send it again`,
      })
    }
    ack()
    forwardUpdate(doc, bytes, member, {
      userId: session.userId,
      ...(joined ? {} : { base64: frame.data.update }),
    })
    scheduleCompaction(doc, Y)
  }
}
